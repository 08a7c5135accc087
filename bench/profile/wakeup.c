// The platform's floor under an awaited call: one thread waking another and back, the way
// a call crosses threads twice (JS -> context thread -> JS). Round trips over a condition
// variable (what ContextCore::Submit uses), over an eventfd read in epoll (what libuv's
// uv_async_send does to wake Node's loop), and with the receiver spinning (no sleep at all).
// Build: gcc -O2 -pthread wakeup.c -o wakeup; run: ./wakeup [round trips]
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <stdatomic.h>

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}
static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}
static int N;

// condition variable ping-pong
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int turn;  // 0: main's, 1: peer's
static void* cv_peer(void* _) {
  for (int i = 0; i < N; i++) {
    pthread_mutex_lock(&m);
    while (turn != 1) pthread_cond_wait(&cv, &m);
    turn = 0;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&m);
  }
  return NULL;
}
// eventfd + epoll ping-pong
static int efd_to_peer, efd_to_main;
static __thread int ep = -1;  // one epoll set per thread, as an event loop keeps it
static void efd_wait(int fd) {
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd}, out;
  if (ep < 0) {
    ep = epoll_create1(0);
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }
  epoll_wait(ep, &out, 1, -1);
  uint64_t v;
  if (read(fd, &v, 8) < 0) abort();
}
static void efd_post(int fd) {
  uint64_t one = 1;
  if (write(fd, &one, 8) < 0) abort();
}
static void* efd_peer(void* _) {
  for (int i = 0; i < N; i++) { efd_wait(efd_to_peer); efd_post(efd_to_main); }
  return NULL;
}
// spinning
static atomic_int spin;
static void* spin_peer(void* _) {
  for (int i = 0; i < N; i++) {
    while (atomic_load(&spin) != 1) {}
    atomic_store(&spin, 0);
  }
  return NULL;
}

static void report(const char* name, double* t) {
  qsort(t, N, sizeof(double), cmp);
  printf("{\"name\":\"%s\",\"median_us\":%.2f,\"p10_us\":%.2f,\"p90_us\":%.2f}\n", name, t[N / 2], t[N / 10], t[N * 9 / 10]);
}

int main(int argc, char** argv) {
  N = argc > 1 ? atoi(argv[1]) : 20000;
  double* t = malloc(sizeof(double) * N);
  pthread_t th;
  pthread_create(&th, NULL, cv_peer, NULL);
  for (int i = 0; i < N; i++) {
    double t0 = now_us();
    pthread_mutex_lock(&m);
    turn = 1;
    pthread_cond_broadcast(&cv);
    while (turn != 0) pthread_cond_wait(&cv, &m);
    pthread_mutex_unlock(&m);
    t[i] = now_us() - t0;
  }
  pthread_join(th, NULL);
  report("condvar round trip", t);
  efd_to_peer = eventfd(0, 0);
  efd_to_main = eventfd(0, 0);
  pthread_create(&th, NULL, efd_peer, NULL);
  for (int i = 0; i < N; i++) {
    double t0 = now_us();
    efd_post(efd_to_peer);
    efd_wait(efd_to_main);
    t[i] = now_us() - t0;
  }
  pthread_join(th, NULL);
  report("eventfd+epoll round trip", t);
  pthread_create(&th, NULL, spin_peer, NULL);
  for (int i = 0; i < N; i++) {
    double t0 = now_us();
    atomic_store(&spin, 1);
    while (atomic_load(&spin) != 0) {}
    t[i] = now_us() - t0;
  }
  pthread_join(th, NULL);
  report("spinning round trip", t);
  return 0;
}
