/* fasta: generate DNA sequences (repeat + weighted random with an LCG); large buffered output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE 60
#define IM 139968
#define IA 3877
#define IC 29573

static char out[1 << 16];
static size_t outlen;
static void put(const char *s, size_t n) {
    if (outlen + n > sizeof out) { fwrite(out, 1, outlen, stdout); outlen = 0; }
    memcpy(out + outlen, s, n); outlen += n;
}

static unsigned last = 42;
static double rnd(double max) { last = (last * IA + IC) % IM; return max * last / IM; }

struct aa { char c; double p; };

static void repeat(const char *alu, int n) {
    size_t len = strlen(alu), pos = 0;
    char line[LINE + 1];
    while (n > 0) {
        int k = n < LINE ? n : LINE;
        for (int i = 0; i < k; i++) { line[i] = alu[pos++]; if (pos == len) pos = 0; }
        line[k] = '\n'; put(line, k + 1); n -= k;
    }
}

static void random_seq(struct aa *t, int m, int n) {
    double cum = 0;
    for (int i = 0; i < m; i++) { cum += t[i].p; t[i].p = cum; }
    char line[LINE + 1];
    while (n > 0) {
        int k = n < LINE ? n : LINE;
        for (int i = 0; i < k; i++) {
            double r = rnd(1.0);
            int j = 0;
            while (j < m - 1 && r >= t[j].p) j++;
            line[i] = t[j].c;
        }
        line[k] = '\n'; put(line, k + 1); n -= k;
    }
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 2500000;
    static const char alu[] =
        "GGCCGGGCGCGGTGGCTCACGCCTGTAATCCCAGCACTTTGGGAGGCCGAGGCGGGCGGATCACCTGAGGTCAGGAGTTCGAGACCAGCCTGGCCAACAT"
        "GGTGAAACCCCGTCTCTACTAAAAATACAAAAATTAGCCGGGCGTGGTGGCGCGCGCCTGTAATCCCAGCTACTCGGGAGGCTGAGGCAGGAGAATCGCT"
        "TGAACCCGGGAGGCGGAGGTTGCAGTGAGCCGAGATCGCGCCACTGCACTCCAGCCTGGGCGACAGAGCGAGACTCCGTCTCAAAAA";
    struct aa iub[] = {{'a', 0.27}, {'c', 0.12}, {'g', 0.12}, {'t', 0.27}, {'B', 0.02}, {'D', 0.02},
                       {'H', 0.02}, {'K', 0.02}, {'M', 0.02}, {'N', 0.02}, {'R', 0.02}, {'S', 0.02},
                       {'V', 0.02}, {'W', 0.02}, {'Y', 0.02}};
    struct aa homo[] = {{'a', 0.3029549426680}, {'c', 0.1979883004921}, {'g', 0.1975473066391},
                        {'t', 0.3015094502008}};
    put(">ONE Homo sapiens alu\n", 22);
    repeat(alu, 2 * n);
    put(">TWO IUB ambiguity codes\n", 25);
    random_seq(iub, 15, 3 * n);
    put(">THREE Homo sapiens frequency\n", 30);
    random_seq(homo, 4, 5 * n);
    fwrite(out, 1, outlen, stdout);
    return 0;
}
