/*
 * Starts the long-lived threads of procspec's native modules (the reading
 * thread of stream.c, the helpers of procread.c): detached, and with every
 * signal blocked, so that signals go to Node's own threads as before and
 * never interrupt a read of these. Each names itself (procspec-stream,
 * procspec-read) for top -H and /proc/<pid>/task/<tid>/comm.
 */
#ifndef PROCSPEC_QUIET_THREAD_H
#define PROCSPEC_QUIET_THREAD_H
#include <pthread.h>
#include <signal.h>

/* Starts fn(NULL) on a new detached thread with all signals blocked; 0, or the error of pthread_create. */
static inline int start_quiet_thread(void *(*fn)(void *)) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  int e = pthread_create(&t, &attr, fn, NULL);
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return e;
}

#endif
