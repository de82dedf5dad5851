/* mandelbrot: the Mandelbrot set as a 1-bit bitmap (as the PBM of the benchmarks game); prints the
   image size, the number of points inside and an FNV-1a hash of the bitmap bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int w = argc > 1 ? atoi(argv[1]) : 3000, h = w;
    int rowbytes = (w + 7) / 8;
    uint8_t *bits = calloc((size_t)rowbytes * h, 1);
    long inside = 0;
    for (int y = 0; y < h; y++) {
        double ci = 2.0 * y / h - 1.0;
        for (int x = 0; x < w; x++) {
            double cr = 2.0 * x / w - 1.5, zr = 0, zi = 0, tr = 0, ti = 0;
            int i = 0;
            for (; i < 50 && tr + ti <= 4.0; i++) {
                zi = 2.0 * zr * zi + ci; zr = tr - ti + cr; tr = zr * zr; ti = zi * zi;
            }
            if (tr + ti <= 4.0) { bits[y * rowbytes + x / 8] |= (uint8_t)(0x80 >> (x % 8)); inside++; }
        }
    }
    uint32_t hash = 2166136261u;
    for (long i = 0; i < (long)rowbytes * h; i++) { hash ^= bits[i]; hash *= 16777619u; }
    printf("P4 %d %d\ninside %ld\nfnv1a %08x\n", w, h, inside, hash);
    free(bits);
    return 0;
}
