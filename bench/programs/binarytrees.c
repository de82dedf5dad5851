/* binary-trees: allocate and walk many perfect binary trees with malloc/free (allocator stress). */
#include <stdio.h>
#include <stdlib.h>

struct node { struct node *l, *r; };

static struct node *make(int d) {
    struct node *n = malloc(sizeof *n);
    if (d > 0) { n->l = make(d - 1); n->r = make(d - 1); } else { n->l = n->r = NULL; }
    return n;
}
static int check(const struct node *n) { return 1 + (n->l ? check(n->l) + check(n->r) : 0); }
static void release(struct node *n) { if (n->l) { release(n->l); release(n->r); } free(n); }

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 17;
    int maxd = n < 6 ? 6 : n;
    struct node *stretch = make(maxd + 1);
    printf("stretch tree of depth %d\t check: %d\n", maxd + 1, check(stretch));
    release(stretch);
    struct node *longlived = make(maxd);
    for (int d = 4; d <= maxd; d += 2) {
        int iters = 1 << (maxd - d + 4), sum = 0;
        for (int i = 0; i < iters; i++) { struct node *t = make(d); sum += check(t); release(t); }
        printf("%d\t trees of depth %d\t check: %d\n", iters, d, sum);
    }
    printf("long lived tree of depth %d\t check: %d\n", maxd, check(longlived));
    release(longlived);
    return 0;
}
