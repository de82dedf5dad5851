/* heat3d: explicit 3-D heat equation, 7-point stencil, two buffers (Jacobi); prints checksums. */
#include <stdio.h>
#include <stdlib.h>

#define IDX(i, j, k) (((i) * n + (j)) * n + (k))

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 120, steps = 100;
    double *a = malloc(sizeof(double) * n * n * n), *b = malloc(sizeof(double) * n * n * n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            for (int k = 0; k < n; k++) a[IDX(i, j, k)] = b[IDX(i, j, k)] = (double)(i + j + (n - k)) * 10 / n;
    for (int t = 0; t < steps; t++) {
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                for (int k = 1; k < n - 1; k++)
                    b[IDX(i, j, k)] = 0.125 * (a[IDX(i + 1, j, k)] - 2.0 * a[IDX(i, j, k)] + a[IDX(i - 1, j, k)])
                                    + 0.125 * (a[IDX(i, j + 1, k)] - 2.0 * a[IDX(i, j, k)] + a[IDX(i, j - 1, k)])
                                    + 0.125 * (a[IDX(i, j, k + 1)] - 2.0 * a[IDX(i, j, k)] + a[IDX(i, j, k - 1)])
                                    + a[IDX(i, j, k)];
        double *tmp = a; a = b; b = tmp;
    }
    double sum = 0;
    for (int i = 0; i < n * n * n; i++) sum += a[i];
    printf("n %d steps %d\nsum %.6f\ncenter %.9f\n", n, steps, sum, a[IDX(n / 2, n / 2, n / 2)]);
    free(a); free(b);
    return 0;
}
