// A test shim for repstore's in-process switch of OpenBLAS kernels (Sources/CKernelChoice), loaded with LD_PRELOAD by
// Tests/RepstoreCLITests/KernelSwitchTests.swift. It makes the one interleaving that crashed repstore under load happen
// on every run: OpenBLAS's worker threads, started when the library loads, are held back until repstore forgets the
// kernel table (gotoblas_dynamic_quit), and then get 50 ms to make their first buffer allocation while the table is
// unset. A worker that selects a table then (gotoblas_dynamic_init off the main thread, inside the switch) is
// reported on stderr with "shim: a worker selected kernels during the switch".
//
// Interposition works because repstore looks the two functions up with dlsym(RTLD_DEFAULT) and OpenBLAS calls
// gotoblas_dynamic_init through its PLT: both find this library first.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

// 0 before the switch, 1 from gotoblas_dynamic_quit until the main thread's gotoblas_dynamic_init returns, 2 after.
static atomic_int phase;

static int on_main_thread(void) { return gettid() == getpid(); }

struct start {
  void *(*body)(void *);
  void *argument;
};

static void *held_back(void *pointer) {
  struct start start = *(struct start *)pointer;
  free(pointer);
  // At most 2 s: a process that never switches still runs.
  for (int waited = 0; atomic_load(&phase) == 0 && waited < 2000; waited++) usleep(1000);
  return start.body(start.argument);
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attributes, void *(*body)(void *), void *argument) {
  typedef int (*create_function)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
  static create_function real;
  if (!real) real = (create_function)dlsym(RTLD_NEXT, "pthread_create");
  struct start *start = malloc(sizeof *start);
  if (!start) return real(thread, attributes, body, argument);
  start->body = body;
  start->argument = argument;
  return real(thread, attributes, held_back, start);
}

void gotoblas_dynamic_quit(void) {
  static void (*real)(void);
  if (!real) real = (void (*)(void))dlsym(RTLD_NEXT, "gotoblas_dynamic_quit");
  real();
  if (!on_main_thread() || atomic_load(&phase) != 0) return;  // not the switch (OpenBLAS's own exit, say)
  fprintf(stderr, "shim: switch began\n");
  atomic_store(&phase, 1);
  usleep(50000);
}

void gotoblas_dynamic_init(void) {
  static void (*real)(void);
  if (!real) real = (void (*)(void))dlsym(RTLD_NEXT, "gotoblas_dynamic_init");
  if (!on_main_thread() && atomic_load(&phase) == 1) {
    fprintf(stderr, "shim: a worker selected kernels during the switch\n");
  }
  real();
  if (on_main_thread() && atomic_load(&phase) == 1) atomic_store(&phase, 2);
}
