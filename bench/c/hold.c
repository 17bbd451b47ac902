/* The C reference for kvmbench's hold-model benchmark (bench/hold.ts): a plain binary min-heap of
 * events ordered by (time, sequence), a pending set of N events, and STEPS steps that each pop the
 * earliest event and push one at now + Exp(1). RNG: xorshift64* and -log(u). Usage: hold STEPS N...
 * Prints one JSON object per line, {"n":N,"steps":S,"cpuSeconds":C,"wallSeconds":W}, then the RNG alone,
 * {"rng":true,"draws":S,"cpuSeconds":C,"wallSeconds":W}. CPU time is the process's (CLOCK_PROCESS_CPUTIME_ID),
 * as bench/hold.ts measures. Compiled by bench/c-reference.ts with gcc -O2. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct { double t; uint64_t seq; int32_t kind, target, token; } Event;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static inline double uniform01(void) {
  uint64_t x = rng_state;
  x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
  rng_state = x;
  return (double)((x * 0x2545f4914f6cdd1dull) >> 11) * (1.0 / 9007199254740992.0);
}

static inline double exp1(void) { return -log(1.0 - uniform01()); }

static inline int less(const Event *a, const Event *b) {
  return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static Event *heap;
static size_t n;
static uint64_t seq;

static void push(double t) {
  Event e = { t, seq++, 0, 0, 0 };
  size_t i = n++;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!less(&e, &heap[p])) break;
    heap[i] = heap[p];
    i = p;
  }
  heap[i] = e;
}

static Event pop(void) {
  Event top = heap[0];
  Event last = heap[--n];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && less(&heap[c + 1], &heap[c])) c++;
    if (!less(&heap[c], &last)) break;
    heap[i] = heap[c];
    i = c;
  }
  heap[i] = last;
  return top;
}

static double clock_s(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: hold STEPS N...\n"); return 2; }
  long steps = atol(argv[1]);
  for (int a = 2; a < argc; a++) {
    size_t size = (size_t)atol(argv[a]);
    heap = malloc(sizeof(Event) * (size + 1));
    if (!heap) { fprintf(stderr, "out of memory\n"); return 1; }
    n = 0; seq = 0;
    for (size_t i = 0; i < size; i++) push(exp1());
    double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC);
    for (long s = 0; s < steps; s++) {
      Event e = pop();
      push(e.t + exp1());
    }
    double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0, wall = clock_s(CLOCK_MONOTONIC) - w0;
    printf("{\"n\":%zu,\"steps\":%ld,\"cpuSeconds\":%.6f,\"wallSeconds\":%.6f,\"check\":%.6f}\n",
           size, steps, cpu, wall, heap[0].t);
    free(heap);
  }
  double sum = 0, c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC);
  for (long s = 0; s < steps; s++) sum += exp1();
  double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0, wall = clock_s(CLOCK_MONOTONIC) - w0;
  printf("{\"rng\":true,\"draws\":%ld,\"cpuSeconds\":%.6f,\"wallSeconds\":%.6f,\"check\":%.6f}\n", steps, cpu, wall, sum);
  return 0;
}
