/* crc32: table-driven CRC-32 (IEEE 802.3, as zlib) and Adler-32 over a generated buffer, several
   passes of different lengths; prints the checksums. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t table[256];

static void init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}
static uint32_t crc32(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}
static uint32_t adler32(const uint8_t *p, size_t n) {
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < n; i++) { a = (a + p[i]) % 65521; b = (b + a) % 65521; }
    return b << 16 | a;
}

int main(int argc, char **argv) {
    size_t len = argc > 1 ? (size_t)atol(argv[1]) : 24u << 20;
    uint8_t *buf = malloc(len);
    uint32_t s = 7;
    for (size_t i = 0; i < len; i++) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; buf[i] = (uint8_t)s; }
    init();
    printf("crc32(\"123456789\") = %08x\n", crc32((const uint8_t *)"123456789", 9));
    for (int r = 0; r < 3; r++) {
        size_t n = len - (size_t)r * 12345;
        printf("crc32(buf[%zu]) = %08x adler32 = %08x\n", n, crc32(buf, n), adler32(buf, n));
    }
    free(buf);
    return 0;
}
