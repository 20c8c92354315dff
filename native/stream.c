/*
 * Optional native module: reads one long file on a thread of its own while
 * JavaScript parses the part already read (runtime/reading/streamed-read.ts),
 * so a large file costs about its read, not its read plus its parse.
 *
 *   start(file, buf, threshold, state: Float64Array) -> status
 *     file: a path (opened here, closed at the end) or a kept descriptor
 *     (read from offset 0 with pread, left open). Reads it into buf on the
 *     calling thread until the end (status END) or until `threshold` bytes
 *     are in; then the reading thread goes on from there (status RUNNING)
 *     and this returns.
 *   wait(target, state) -> status
 *     Blocks until at least `target` bytes are in or the reading stopped.
 *   resume(buf, state) -> status
 *     After FULL: buf is a larger buffer holding the bytes read so far; the
 *     reading goes on into it.
 *   stop() -> undefined
 *     Ends the reading (after the read() under way returns) and closes the
 *     file if start opened it.
 *
 *   readAsync(fd, buf, at, want, done(err, bytes, end))
 *     In libuv's thread pool: reads fd (from its offset) into buf from
 *     index `at` until `want` bytes are in, the end of the file, or the
 *     end of buf; `done` gets the bytes read and whether the end came.
 *     procfs hands some files out a page per read() (smaps, mountinfo):
 *     one call gathers many of those reads, where a read of node:fs per
 *     page costs a trip through the pool each.
 *
 * state[0] is the number of bytes in buf, state[1] the status: RUNNING (0),
 * END (1: the end of the file was read), FULL (2: buf has no room left, the
 * file still open), or -errno (the read failed; -EBUSY from start: another
 * read is under way, e.g. from another worker thread, and the caller reads
 * the file itself). One read at a time in the process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include "napi-args.h"
#include "quiet-thread.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

enum { RUNNING = 0, END = 1, FULL = 2 };

/* Bytes asked for per read() on the reading thread: the parser can start on each piece as it arrives. */
#define STEP (128 * 1024)

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
/* Signalled when the reading thread has work (job) or made progress (have, status). */
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t progress_cv = PTHREAD_COND_INITIALIZER;

static bool thread_started;
static bool busy;       /* a read is open: between start() and stop() */
static bool job;        /* the reading thread should read */
static bool reading;    /* the reading thread is inside its loop */
static bool cancel;
static bool waiter;     /* the caller is blocked in wait() */
static size_t want;     /* ... until this many bytes are in */
static int fd = -1;
static bool owned;      /* fd was opened by start (closed by stop) */
static bool positional; /* fd is a kept descriptor: pread at the offset of the bytes read so far */
static char *buf;
static size_t cap, have;
static int status;
static napi_env owner;
static napi_ref held;   /* the buffer being filled, kept alive until stop() or resume() */

static void *reader(void *arg) {
  (void)arg;
  pthread_setname_np(pthread_self(), "procspec-stream");
  pthread_mutex_lock(&mu);
  for (;;) {
    while (!job) pthread_cond_wait(&work_cv, &mu);
    job = false;
    reading = true;
    while (status == RUNNING && !cancel) {
      if (have == cap) {
        status = FULL;
        break;
      }
      size_t at = have, ask = cap - have < STEP ? cap - have : STEP;
      char *into = buf;
      int from = fd;
      bool at_offset = positional;
      pthread_mutex_unlock(&mu);
      ssize_t r = at_offset ? pread(from, into + at, ask, (off_t)at) : read(from, into + at, ask);
      int e = errno;
      pthread_mutex_lock(&mu);
      if (r < 0) {
        if (e != EINTR) status = -e;
      } else if (r == 0) {
        status = END;
      } else {
        have += (size_t)r;
      }
      if (waiter && (have >= want || status != RUNNING)) pthread_cond_signal(&progress_cv);
    }
    reading = false;
    pthread_cond_signal(&progress_cv);
  }
  return NULL;
}

static int state_arg(napi_env env, napi_value v, double **state) {
  napi_typedarray_type type;
  size_t len, off;
  void *data;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &len, &data, &ab, &off) != napi_ok || type != napi_float64_array || len < 2) return -1;
  *state = data;
  return 0;
}

/* Writes have and status into state and returns the status (mu held). */
static napi_value report(napi_env env, double *state) {
  state[0] = (double)have;
  state[1] = status;
  return number(env, status);
}

/* Hands the reading to the thread (mu held); false when it cannot be started. */
static bool go(void) {
  if (!thread_started) {
    if (start_quiet_thread(reader) != 0) return false;
    thread_started = true;
  }
  job = true;
  pthread_cond_signal(&work_cv);
  return true;
}

/* Stops the reading thread, closes the file and lets go of the buffer (mu held). */
static void finish(napi_env env) {
  cancel = true;
  while (job || reading) pthread_cond_wait(&progress_cv, &mu);
  if (fd >= 0 && owned) close(fd);
  fd = -1;
  if (held != NULL) napi_delete_reference(env, held);
  held = NULL;
  busy = false;
  owner = NULL;
}

static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char path[4096];
  size_t bcap;
  char *b;
  double threshold;
  double *state;
  napi_valuetype kind = napi_undefined;
  int32_t kept = -1;
  if (argc == 4) napi_typeof(env, argv[0], &kind);
  bool by_path = kind == napi_string;
  if (argc != 4 || (by_path ? path_arg(env, argv[0], path, sizeof path) < 0
                            : kind != napi_number || napi_get_value_int32(env, argv[0], &kept) != napi_ok || kept < 0) ||
      buffer_arg(env, argv[1], &b, &bcap) != 0 || napi_get_value_double(env, argv[2], &threshold) != napi_ok || state_arg(env, argv[3], &state) != 0) {
    return fail(env, "start(path or descriptor, buffer, threshold, state)");
  }
  pthread_mutex_lock(&mu);
  if (busy) {
    state[0] = 0;
    state[1] = -EBUSY;
    pthread_mutex_unlock(&mu);
    return number(env, -EBUSY);
  }
  int f = by_path ? open(path, O_RDONLY | O_CLOEXEC) : kept;
  if (f < 0) {
    state[0] = 0;
    state[1] = -errno;
    pthread_mutex_unlock(&mu);
    return number(env, state[1]);
  }
  /* The start of the file on this thread: a short file is read whole here, with no hand-over. */
  size_t n = 0;
  int st = RUNNING;
  while (st == RUNNING && (double)n < threshold) {
    if (n == bcap) {
      st = FULL;
      break;
    }
    /* No more than the threshold: a regular file, or a seq_file given a large buffer, would be read whole here. */
    size_t ask = bcap - n;
    if ((double)ask > threshold - (double)n) ask = (size_t)(threshold - (double)n);
    ssize_t r = by_path ? read(f, b + n, ask) : pread(f, b + n, ask, (off_t)n);
    if (r < 0) {
      if (errno != EINTR) st = -errno;
    } else if (r == 0) {
      st = END;
    } else {
      n += (size_t)r;
    }
  }
  have = n;
  status = st;
  cancel = false;
  if (st != RUNNING && st != FULL) {
    if (by_path) close(f);
    napi_value v = report(env, state);
    pthread_mutex_unlock(&mu);
    return v;
  }
  busy = true;
  owner = env;
  fd = f;
  owned = by_path;
  positional = !by_path;
  buf = b;
  cap = bcap;
  napi_create_reference(env, argv[1], 1, &held);
  if (st == RUNNING && !go()) status = -EAGAIN;
  napi_value v = report(env, state);
  pthread_mutex_unlock(&mu);
  return v;
}

static napi_value wait_for(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  double target;
  double *state;
  if (argc != 2 || napi_get_value_double(env, argv[0], &target) != napi_ok || state_arg(env, argv[1], &state) != 0) {
    return fail(env, "wait(target, state)");
  }
  pthread_mutex_lock(&mu);
  if (!busy || owner != env) {
    pthread_mutex_unlock(&mu);
    return fail(env, "wait: no read under way");
  }
  waiter = true;
  want = target > (double)SIZE_MAX ? SIZE_MAX : (size_t)target;
  while (status == RUNNING && (double)have < target) pthread_cond_wait(&progress_cv, &mu);
  waiter = false;
  napi_value v = report(env, state);
  pthread_mutex_unlock(&mu);
  return v;
}

static napi_value resume(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char *b;
  size_t bcap;
  double *state;
  if (argc != 2 || buffer_arg(env, argv[0], &b, &bcap) != 0 || state_arg(env, argv[1], &state) != 0) return fail(env, "resume(buffer, state)");
  pthread_mutex_lock(&mu);
  if (!busy || owner != env || status != FULL || reading || job || bcap <= have) {
    pthread_mutex_unlock(&mu);
    return fail(env, "resume: only after FULL, with a larger buffer");
  }
  napi_delete_reference(env, held);
  napi_create_reference(env, argv[0], 1, &held);
  buf = b;
  cap = bcap;
  status = RUNNING;
  if (!go()) status = -EAGAIN;
  napi_value v = report(env, state);
  pthread_mutex_unlock(&mu);
  return v;
}

static napi_value stop(napi_env env, napi_callback_info info) {
  (void)info;
  pthread_mutex_lock(&mu);
  if (busy && owner == env) finish(env);
  pthread_mutex_unlock(&mu);
  return NULL;
}

struct chunk {
  napi_async_work work;
  napi_ref done, held;
  int fd;
  char *buf;
  size_t at, want, cap, got;
  int end, err;
};

static void chunk_execute(napi_env env, void *data) {
  (void)env;
  struct chunk *c = data;
  while (c->got < c->want && c->at + c->got < c->cap) {
    ssize_t r = read(c->fd, c->buf + c->at + c->got, c->cap - c->at - c->got);
    if (r < 0) {
      if (errno == EINTR) continue;
      c->err = errno;
      return;
    }
    if (r == 0) {
      c->end = 1;
      return;
    }
    c->got += (size_t)r;
  }
}

static void chunk_complete(napi_env env, napi_status st, void *data) {
  struct chunk *c = data;
  napi_value done, undef, argv[3];
  napi_get_reference_value(env, c->done, &done);
  napi_get_undefined(env, &undef);
  if (st != napi_ok || c->err != 0) {
    napi_value code;
    napi_create_int32(env, st != napi_ok ? ECANCELED : c->err, &code);
    argv[0] = code;
  } else {
    napi_get_null(env, &argv[0]);
  }
  argv[1] = number(env, (double)c->got);
  napi_get_boolean(env, c->end != 0, &argv[2]);
  napi_delete_reference(env, c->done);
  napi_delete_reference(env, c->held);
  napi_delete_async_work(env, c->work);
  free(c);
  napi_call_function(env, undef, done, 3, argv, NULL);
}

static napi_value read_async(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t f;
  char *b;
  size_t bcap;
  double at, want;
  napi_valuetype kind = napi_undefined;
  if (argc == 5) napi_typeof(env, argv[4], &kind);
  if (argc != 5 || napi_get_value_int32(env, argv[0], &f) != napi_ok || f < 0 || buffer_arg(env, argv[1], &b, &bcap) != 0 ||
      napi_get_value_double(env, argv[2], &at) != napi_ok || napi_get_value_double(env, argv[3], &want) != napi_ok || at < 0 || at > (double)bcap ||
      want < 0 || kind != napi_function) {
    return fail(env, "readAsync(fd, buffer, at, want, done)");
  }
  struct chunk *c = calloc(1, sizeof *c);
  if (c == NULL) return fail(env, "readAsync: out of memory");
  c->fd = f;
  c->buf = b;
  c->cap = bcap;
  c->at = (size_t)at;
  c->want = (size_t)want;
  napi_value name;
  napi_create_string_utf8(env, "procspec.readAsync", NAPI_AUTO_LENGTH, &name);
  if (napi_create_reference(env, argv[4], 1, &c->done) != napi_ok || napi_create_reference(env, argv[1], 1, &c->held) != napi_ok ||
      napi_create_async_work(env, NULL, name, chunk_execute, chunk_complete, c, &c->work) != napi_ok || napi_queue_async_work(env, c->work) != napi_ok) {
    return fail(env, "readAsync: cannot queue the work");
  }
  return NULL;
}

/* A worker thread's environment torn down during a read: the reading thread must not write into its memory. */
static void cleanup(void *arg) {
  napi_env env = arg;
  pthread_mutex_lock(&mu);
  if (busy && owner == env) finish(env);
  pthread_mutex_unlock(&mu);
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value f;
  napi_add_env_cleanup_hook(env, cleanup, env);
  napi_create_function(env, "start", NAPI_AUTO_LENGTH, start, NULL, &f);
  napi_set_named_property(env, exports, "start", f);
  napi_create_function(env, "wait", NAPI_AUTO_LENGTH, wait_for, NULL, &f);
  napi_set_named_property(env, exports, "wait", f);
  napi_create_function(env, "resume", NAPI_AUTO_LENGTH, resume, NULL, &f);
  napi_set_named_property(env, exports, "resume", f);
  napi_create_function(env, "stop", NAPI_AUTO_LENGTH, stop, NULL, &f);
  napi_set_named_property(env, exports, "stop", f);
  napi_create_function(env, "readAsync", NAPI_AUTO_LENGTH, read_async, NULL, &f);
  napi_set_named_property(env, exports, "readAsync", f);
  return exports;
}
