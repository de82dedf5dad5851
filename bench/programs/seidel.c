/* seidel: 2-D Gauss-Seidel 9-point stencil sweeps (in place, inherently sequential); prints checksums. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000, steps = 50;
    double *a = malloc(sizeof(double) * n * n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) a[i * n + j] = ((double)i * (j + 2) + 2) / n;
    for (int t = 0; t < steps; t++)
        for (int i = 1; i < n - 1; i++)
            for (int j = 1; j < n - 1; j++)
                a[i * n + j] = (a[(i - 1) * n + j - 1] + a[(i - 1) * n + j] + a[(i - 1) * n + j + 1]
                              + a[i * n + j - 1] + a[i * n + j] + a[i * n + j + 1]
                              + a[(i + 1) * n + j - 1] + a[(i + 1) * n + j] + a[(i + 1) * n + j + 1]) / 9.0;
    double sum = 0;
    for (int i = 0; i < n * n; i++) sum += a[i];
    printf("n %d steps %d\nsum %.6f\ncenter %.9f\n", n, steps, sum, a[(n / 2) * n + n / 2]);
    free(a);
    return 0;
}
