/* wordfreq: string and hash-table workload: generate a text of pseudo-random words, count them in
   a chained hash table (strdup'd keys, strcmp), then sort the distinct words by count and print
   the top ten and totals. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry { char *word; long count; struct entry *next; };

static uint32_t hash(const char *s) { uint32_t h = 2166136261u; while (*s) { h ^= (uint8_t)*s++; h *= 16777619u; } return h; }

static int by_count(const void *a, const void *b) {
    const struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;
    if (x->count != y->count) return x->count < y->count ? 1 : -1;
    return strcmp(x->word, y->word);
}

int main(int argc, char **argv) {
    long nwords = argc > 1 ? atol(argv[1]) : 6000000;
    static const char *syll[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "xe", "zu", "bra", "sto"};
    size_t nb = 1 << 16;
    struct entry **table = calloc(nb, sizeof *table);
    long distinct = 0, chars = 0;
    uint64_t s = 0x9E3779B97F4A7C15ull;
    char word[64];
    for (long w = 0; w < nwords; w++) {
        s ^= s >> 12; s ^= s << 25; s ^= s >> 27;
        uint64_t r = s * 2685821657736338717ull;
        int len = 1 + (int)(r % 3) + (int)((r >> 8) % 2);
        word[0] = 0;
        for (int i = 0; i < len; i++) strcat(word, syll[(r >> (16 + 4 * i)) % 12 % (6 + 2 * i)]);
        chars += strlen(word);
        uint32_t h = hash(word) & (nb - 1);
        struct entry *e = table[h];
        while (e && strcmp(e->word, word) != 0) e = e->next;
        if (!e) {
            e = malloc(sizeof *e);
            e->word = strdup(word); e->count = 0; e->next = table[h]; table[h] = e;
            distinct++;
        }
        e->count++;
    }
    struct entry **all = malloc(sizeof *all * distinct);
    long k = 0;
    for (size_t i = 0; i < nb; i++) for (struct entry *e = table[i]; e; e = e->next) all[k++] = e;
    qsort(all, distinct, sizeof *all, by_count);
    printf("words %ld chars %ld distinct %ld\n", nwords, chars, distinct);
    for (int i = 0; i < 10 && i < distinct; i++) printf("%-16s %ld\n", all[i]->word, all[i]->count);
    for (long i = 0; i < distinct; i++) { free(all[i]->word); free(all[i]); }
    free(all); free(table);
    return 0;
}
