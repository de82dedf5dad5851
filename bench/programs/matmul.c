/* matmul: dense double-precision C = A * B (i-k-j loop order); prints a checksum of C. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n);
    double *c = calloc((size_t)n * n, sizeof(double));
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            a[i * n + j] = (double)((i * j + 1) % n) / n;
            b[i * n + j] = (double)((i + 2 * j) % n) / n;
        }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            double aik = a[i * n + k];
            for (int j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
        }
    double sum = 0, diag = 0;
    for (int i = 0; i < n * n; i++) sum += c[i];
    for (int i = 0; i < n; i++) diag += c[i * n + i];
    printf("n %d\nsum %.6f\ntrace %.6f\n", n, sum, diag);
    free(a); free(b); free(c);
    return 0;
}
