/* cholesky: in-place Cholesky factorisation A = L L^T of a symmetric positive definite matrix,
   then a solve L L^T x = b; prints checksums of L and x. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1600;
    double *a = malloc(sizeof(double) * n * n), *x = malloc(sizeof(double) * n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++) {
            double v = (i == j) ? n + 1.0 : 1.0 / (1 + ((i * 7 + j * 13) % 17));
            a[i * n + j] = a[j * n + i] = v;
        }
    for (int j = 0; j < n; j++) {
        double d = a[j * n + j];
        for (int k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
        d = sqrt(d);
        a[j * n + j] = d;
        for (int i = j + 1; i < n; i++) {
            double s = a[i * n + j];
            for (int k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = s / d;
        }
    }
    for (int i = 0; i < n; i++) {              /* forward: L y = b, b_i = 1 */
        double s = 1.0;
        for (int k = 0; k < i; k++) s -= a[i * n + k] * x[k];
        x[i] = s / a[i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) {         /* backward: L^T x = y */
        double s = x[i];
        for (int k = i + 1; k < n; k++) s -= a[k * n + i] * x[k];
        x[i] = s / a[i * n + i];
    }
    double ls = 0, xs = 0;
    for (int i = 0; i < n; i++) { for (int j = 0; j <= i; j++) ls += a[i * n + j]; xs += x[i]; }
    printf("n %d\nsum(L) %.6f\nsum(x) %.9f\n", n, ls, xs);
    free(a); free(x);
    return 0;
}
