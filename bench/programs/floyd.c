/* floyd: Floyd-Warshall all-pairs shortest paths on a pseudo-random weighted digraph (int32). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define INF 0x3fffffff

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 900;
    int32_t *d = malloc(sizeof(int32_t) * n * n);
    uint32_t s = 12345;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            s = s * 1103515245u + 12345u;
            d[i * n + j] = i == j ? 0 : ((s >> 16) % 8 == 0 ? (int32_t)((s >> 8) % 1000) + 1 : INF);
        }
    for (int k = 0; k < n; k++)
        for (int i = 0; i < n; i++) {
            int32_t dik = d[i * n + k];
            if (dik == INF) continue;
            int32_t *di = d + i * n, *dk = d + k * n;
            for (int j = 0; j < n; j++) {
                int32_t t = dik + dk[j];
                if (t < di[j]) di[j] = t;
            }
        }
    int64_t sum = 0;
    int unreachable = 0, longest = 0;
    for (int i = 0; i < n * n; i++) {
        if (d[i] >= INF) { unreachable++; continue; }
        sum += d[i];
        if (d[i] > longest) longest = d[i];
    }
    printf("n %d\nsum %lld\nunreachable %d\nlongest %d\n", n, (long long)sum, unreachable, longest);
    free(d);
    return 0;
}
