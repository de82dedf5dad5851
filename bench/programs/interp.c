/* interp: a tiny stack-based bytecode interpreter (switch dispatch) running a prime sieve and an
   iterative Fibonacci-mod loop written in its bytecode; prints the results. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, MOD, LT, JMP, JZ, LDM, STM, DUP, POP, HALT };

static int64_t run(const int32_t *code, int64_t *vars, int64_t *mem) {
    int64_t stack[64];
    int sp = 0, pc = 0;
    for (;;) {
        int32_t op = code[pc++];
        switch (op) {
        case PUSH: stack[sp++] = code[pc++]; break;
        case LOAD: stack[sp++] = vars[code[pc++]]; break;
        case STORE: vars[code[pc++]] = stack[--sp]; break;
        case ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case MOD: sp--; stack[sp - 1] %= stack[sp]; break;
        case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case JMP: pc = code[pc]; break;
        case JZ: pc = stack[--sp] ? pc + 1 : code[pc]; break;
        case LDM: stack[sp - 1] = mem[stack[sp - 1]]; break;
        case STM: sp -= 2; mem[stack[sp + 1]] = stack[sp]; break;
        case DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case POP: sp--; break;
        case HALT: return sp ? stack[sp - 1] : 0;
        default: return -1;
        }
    }
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 4000000;
    int64_t *mem = calloc(n + 1, sizeof(int64_t)), vars[8] = {0};
    /* v0 = n; count primes < n with a sieve: for i in 2..n: if !mem[i]: count++, for j=i*i; j<n; j+=i: mem[j]=1 */
    const int32_t sieve[] = {
        PUSH, 2, STORE, 1,                              /* 0: i = 2 */
        PUSH, 0, STORE, 3,                              /* 4: count = 0 */
        LOAD, 1, LOAD, 0, LT, JZ, 60,                   /* 8: while i < n */
        LOAD, 1, LDM, JZ, 24, JMP, 51,                  /* 15: if mem[i] skip */
        0, 0,
        LOAD, 3, PUSH, 1, ADD, STORE, 3,                /* 24: count++ */
        LOAD, 1, LOAD, 1, MUL, STORE, 2,                /* 31: j = i*i */
        LOAD, 2, LOAD, 0, LT, JZ, 51, JMP, 70,          /* 38: while j < n -> body at 70 */
        0, 0, 0, 0,
        LOAD, 1, PUSH, 1, ADD, STORE, 1, JMP, 8,        /* 51: i++ */
        LOAD, 3, HALT,                                  /* 60 */
        0, 0, 0, 0, 0, 0, 0,
        PUSH, 1, LOAD, 2, STM,                          /* 70: mem[j] = 1 */
        LOAD, 2, LOAD, 1, ADD, STORE, 2, JMP, 38,       /* 75: j += i */
    };
    vars[0] = n;
    int64_t primes = run(sieve, vars, mem);
    /* fib mod 1000003, n*4 steps: a,b = b,(a+b)%m */
    const int32_t fib[] = {
        PUSH, 0, STORE, 1, PUSH, 1, STORE, 2, PUSH, 0, STORE, 3,   /* 0: a=0 b=1 k=0 */
        LOAD, 3, LOAD, 0, LT, JZ, 41,                              /* 12: while k < steps */
        LOAD, 2, DUP, LOAD, 1, ADD, PUSH, 1000003, MOD, STORE, 2, STORE, 1, /* 19: b'=(a+b)%m, a'=b */
        LOAD, 3, PUSH, 1, ADD, STORE, 3, JMP, 12,                  /* 32 */
        LOAD, 1, HALT,                                             /* 41 */
    };
    int64_t fvars[8] = {(int64_t)n * 4};
    int64_t f = run(fib, fvars, mem);
    printf("primes below %d: %lld\nfib(%d) mod 1000003: %lld\n", n, (long long)primes, n * 4, (long long)f);
    free(mem);
    return 0;
}
