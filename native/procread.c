/*
 * Optional native reader: reads /proc files from JavaScript at the cost of
 * their system calls only (open, read until the end, close; or pread on a
 * kept descriptor), as in C, with no per-call work of node:fs around them.
 * JavaScript parses the text.
 *
 *   readFile(path: string, buf: Buffer, single: boolean) -> number | Buffer
 *   preadFd(fd: number, buf: Buffer, single: boolean) -> number | Buffer
 *     One file into `buf`: its length, or -errno; a text longer than `buf`
 *     comes back whole in a new Buffer (read once, never restarted).
 *   listPids(root) (below): the pid folders of a root.
 *   readTaskFilesEach, preadFdsEach (below): many files, synchronously, by
 *     the calling thread and helper threads the module keeps, in batches
 *     handed to a callback in order.
 *   readTaskFilesAsync, preadFdsAsync (below): one batch in libuv's thread pool.
 *     A batch is many files, read in order (file j of folder d is index
 *     d * files.length + j, path "<dir>/<file>"), into a buffer of its own:
 *     file i's text ends at ends[i] (it starts where file i-1's ended, or 0),
 *     errs[i] is 0 or the errno.
 *
 * single set: the kernel prints the file in one piece, so a short read is
 * the end (no final empty read).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include "napi-args.h"
#include "quiet-thread.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Reads fd until the end into buf, which holds `n` bytes already: at file
 * offset n with pread (a kept descriptor, re-read from 0), else from the
 * current offset. Returns the total length, -errno, or -ENOBUFS when buf is
 * full before the end.
 */
static ssize_t read_on(int fd, char *buf, size_t n, size_t cap, int positional, int single) {
  for (;;) {
    if (n == cap) return -ENOBUFS;
    ssize_t r = positional ? pread(fd, buf + n, cap - n, (off_t)n) : read(fd, buf + n, cap - n);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (r == 0) return (ssize_t)n;
    n += (size_t)r;
    if (single && n < cap) return (ssize_t)n;
  }
}

static ssize_t read_all(int fd, char *buf, size_t cap, int positional, int single) {
  return read_on(fd, buf, 0, cap, positional, single);
}

/* Notes file i of a batch: n bytes of text after *at, or the errno -n (no text). */
static void record(int32_t *ends, int32_t *errs, uint32_t i, ssize_t n, size_t *at) {
  if (n < 0) {
    errs[i] = (int32_t)-n;
  } else {
    errs[i] = 0;
    *at += (size_t)n;
  }
  ends[i] = (int32_t)*at;
}

/* The file names of a batch (1 to 16, each shorter than 63 bytes) into names; returns their count, or 0 when arr is not that. */
static uint32_t get_names(napi_env env, napi_value arr, char names[16][64], size_t namelen[16]) {
  uint32_t n;
  if (napi_get_array_length(env, arr, &n) != napi_ok || n == 0 || n > 16) return 0;
  for (uint32_t j = 0; j < n; j++) {
    napi_value f;
    if (napi_get_element(env, arr, j, &f) != napi_ok || napi_get_value_string_utf8(env, f, names[j], 64, &namelen[j]) != napi_ok || namelen[j] >= 63) {
      return 0;
    }
  }
  return n;
}

/*
 * Reads fd until the end into buf[0..cap); when the text does not fit, goes
 * on into a growing heap copy and returns it as a new Buffer. Returns the
 * length as a number, a Buffer, or -errno as a number.
 */
static napi_value read_one(napi_env env, int fd, char *buf, size_t cap, int positional, int single) {
  ssize_t n = read_all(fd, buf, cap, positional, single);
  if (n != -ENOBUFS) return number(env, (double)n);
  size_t size = cap;
  char *big = NULL;
  for (;;) {
    size_t len = size;
    size = size < 65536 ? 131072 : size * 2;
    char *more = realloc(big, size);
    if (more == NULL) {
      free(big);
      return number(env, -ENOMEM);
    }
    if (big == NULL) memcpy(more, buf, len);
    big = more;
    n = read_on(fd, big, len, size, positional, single);
    if (n != -ENOBUFS) break;
  }
  if (n < 0) {
    free(big);
    return number(env, (double)n);
  }
  napi_value v;
  napi_status st = napi_create_buffer_copy(env, (size_t)n, big, NULL, &v);
  free(big);
  if (st != napi_ok) return fail(env, "readFile: out of memory");
  return v;
}

static napi_value read_file(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char path[4096];
  char *buf;
  size_t cap;
  bool single;
  if (argc != 3 || path_arg(env, argv[0], path, sizeof path) < 0 ||
      buffer_arg(env, argv[1], &buf, &cap) != 0 || napi_get_value_bool(env, argv[2], &single) != napi_ok) {
    return fail(env, "readFile(path, buffer, single)");
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return number(env, -errno);
  napi_value v = read_one(env, fd, buf, cap, 0, single);
  close(fd);
  return v;
}

static napi_value pread_fd(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  char *buf;
  size_t cap;
  bool single;
  if (argc != 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || buffer_arg(env, argv[1], &buf, &cap) != 0 ||
      napi_get_value_bool(env, argv[2], &single) != napi_ok) {
    return fail(env, "preadFd(fd, buffer, single)");
  }
  return read_one(env, fd, buf, cap, 1, single);
}

/*
 * readTaskFilesAsync(dirs, files, single: Uint8Array, done(err, texts: Buffer, ends: Int32Array, errs: Int32Array))
 * The files of task folders in libuv's thread pool, for listings that must not block
 * the event loop: the paths are copied when called, the files are read on a
 * pool thread into a buffer of its own (grown as needed), and `done` gets
 * the texts, where each file ends, and its errno (0 when read).
 */
struct batch {
  napi_async_work work;
  napi_ref done;
  char *paths;     /* count NUL-terminated paths, one after another (readTaskFilesAsync) */
  int32_t *fds;    /* count kept descriptors, read from offset 0 (preadFdsAsync) */
  uint8_t *single; /* count flags */
  uint32_t count;
  char *arena;
  size_t cap;
  int32_t *ends;
  int32_t *errs;
  int failed;      /* ENOMEM while growing the arena */
};

static void batch_execute(napi_env env, void *data) {
  (void)env;
  struct batch *b = data;
  size_t at = 0;
  const char *path = b->paths;
  int positional = b->fds != NULL;
  for (uint32_t i = 0; i < b->count; i++) {
    int fd;
    if (positional) {
      fd = b->fds[i];
    } else {
      fd = open(path, O_RDONLY | O_CLOEXEC);
      path += strlen(path) + 1;
      if (fd < 0) {
        record(b->ends, b->errs, i, -errno, &at);
        continue;
      }
    }
    size_t start = at;
    ssize_t n = read_on(fd, b->arena + start, 0, b->cap - start, positional, b->single[i]);
    while (n == -ENOBUFS) {
      /* Full: grow and go on reading from where the text stopped (never restarted). */
      size_t full = b->cap;
      char *more = full * 2 > 0x7fffffff ? NULL : realloc(b->arena, full * 2);
      if (more == NULL) {
        n = -ENOMEM;
        b->failed = 1;
        break;
      }
      b->arena = more;
      b->cap = full * 2;
      n = read_on(fd, b->arena + start, full - start, b->cap - start, positional, b->single[i]);
    }
    if (!positional) close(fd);
    /* A file cut short by an error keeps nothing: it ends where it started. */
    record(b->ends, b->errs, i, n, &at);
    if (b->failed) break; /* out of memory: the batch is dropped, read no more */
  }
}

static void batch_free(struct batch *b) {
  free(b->paths);
  free(b->fds);
  free(b->single);
  free(b->arena);
  free(b->ends);
  free(b->errs);
  free(b);
}


static napi_value int32_array(napi_env env, const int32_t *data, uint32_t count) {
  void *mem;
  napi_value ab, arr;
  if (napi_create_arraybuffer(env, (size_t)count * 4, &mem, &ab) != napi_ok) return NULL;
  memcpy(mem, data, (size_t)count * 4);
  if (napi_create_typedarray(env, napi_int32_array, count, ab, 0, &arr) != napi_ok) return NULL;
  return arr;
}

/* A read batch as JavaScript values: its texts (a copy), where each file ends, and each file's errno. */
static void batch_values(napi_env env, const struct batch *b, napi_value out[3]) {
  size_t len = b->count == 0 ? 0 : (size_t)b->ends[b->count - 1];
  napi_create_buffer_copy(env, len, b->arena, NULL, &out[0]);
  out[1] = int32_array(env, b->ends, b->count);
  out[2] = int32_array(env, b->errs, b->count);
}

static void batch_complete(napi_env env, napi_status status, void *data) {
  struct batch *b = data;
  napi_value done, undef, argv[4];
  napi_get_reference_value(env, b->done, &done);
  napi_get_undefined(env, &undef);
  if (status != napi_ok || b->failed) {
    napi_value msg;
    napi_create_string_utf8(env, b->failed ? "procread: out of memory" : "procread: cancelled", NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &argv[0]);
    napi_call_function(env, undef, done, 1, argv, NULL);
  } else {
    napi_get_null(env, &argv[0]);
    batch_values(env, b, argv + 1);
    napi_call_function(env, undef, done, 4, argv, NULL);
  }
  napi_delete_reference(env, b->done);
  napi_delete_async_work(env, b->work);
  batch_free(b);
}

/* Allocates a batch of `count` files with its flags copied from `single` (the caller fills paths or fds). */
static struct batch *batch_new(uint32_t count, const void *single) {
  struct batch *b = calloc(1, sizeof *b);
  if (b == NULL) return NULL;
  b->count = count;
  b->cap = 65536;
  b->arena = malloc(b->cap);
  b->single = malloc(count ? count : 1);
  b->ends = malloc((size_t)(count ? count : 1) * 4);
  b->errs = malloc((size_t)(count ? count : 1) * 4);
  if (b->arena == NULL || b->single == NULL || b->ends == NULL || b->errs == NULL) {
    batch_free(b);
    return NULL;
  }
  memcpy(b->single, single, count);
  return b;
}

/* Queues a filled batch in the thread pool with `done` as its callback; frees it and throws on failure. */
static napi_value batch_queue(napi_env env, struct batch *b, napi_value done, const char *what) {
  napi_value name;
  napi_create_string_utf8(env, what, NAPI_AUTO_LENGTH, &name);
  if (napi_create_reference(env, done, 1, &b->done) != napi_ok) {
    batch_free(b);
    return fail(env, "procread: cannot hold the callback");
  }
  if (napi_create_async_work(env, NULL, name, batch_execute, batch_complete, b, &b->work) != napi_ok) {
    napi_delete_reference(env, b->done);
    batch_free(b);
    return fail(env, "procread: cannot queue the work");
  }
  if (napi_queue_async_work(env, b->work) != napi_ok) {
    napi_delete_async_work(env, b->work);
    napi_delete_reference(env, b->done);
    batch_free(b);
    return fail(env, "procread: cannot queue the work");
  }
  return NULL;
}

/*
 * The paths "<dir>/<file>\0" of folders [d0, d1) of `dirs` and every file
 * name, one after another, in a new allocation (*out; NULL for no folders).
 * Returns NULL on success, else the message to throw.
 */
static const char *task_paths(napi_env env, napi_value dirs, uint32_t d0, uint32_t d1, char names[16][64], size_t namelen[16],
                              uint32_t nfiles, char **out) {
  size_t total = 0, room = 0;
  char *paths = NULL;
  *out = NULL;
  for (uint32_t d = d0; d < d1; d++) {
    napi_value v;
    char dir[4096];
    long got;
    if (napi_get_element(env, dirs, d, &v) != napi_ok || (got = path_arg(env, v, dir, sizeof dir)) < 0) {
      free(paths);
      return "dirs must be strings";
    }
    size_t dirlen = (size_t)got;
    for (uint32_t j = 0; j < nfiles; j++) {
      size_t need = dirlen + 1 + namelen[j] + 1;
      if (total + need > room) {
        room = (total + need) * 2 + 4096;
        char *more = realloc(paths, room);
        if (more == NULL) {
          free(paths);
          return "out of memory";
        }
        paths = more;
      }
      memcpy(paths + total, dir, dirlen);
      paths[total + dirlen] = '/';
      memcpy(paths + total + dirlen + 1, names[j], namelen[j] + 1);
      total += need;
    }
  }
  *out = paths;
  return NULL;
}

/* Throws "<call>: <why>": an Error when memory ran out, else a TypeError (the arguments are wrong). */
static napi_value failed_with(napi_env env, const char *call, const char *why) {
  char msg[128];
  snprintf(msg, sizeof msg, "%s: %s", call, why);
  if (strcmp(why, "out of memory") == 0) {
    napi_throw_error(env, NULL, msg);
    return NULL;
  }
  return fail(env, msg);
}

/* The flags of `count` files from Uint8Array v into *data; -1 when v is not that. */
static int single_arg(napi_env env, napi_value v, size_t count, void **data) {
  size_t len, off;
  napi_typedarray_type type;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &len, data, &ab, &off) != napi_ok || type != napi_uint8_array || len < count) return -1;
  return 0;
}

/* The descriptors of Int32Array v into *data and *len; -1 when v is not that. */
static int fds_arg(napi_env env, napi_value v, int32_t **data, size_t *len) {
  size_t off;
  napi_typedarray_type type;
  napi_value ab;
  void *d;
  if (napi_get_typedarray_info(env, v, &type, len, &d, &ab, &off) != napi_ok || type != napi_int32_array || *len > 0x7fffffff) return -1;
  *data = d;
  return 0;
}

/* A batch of the descriptors data[0, n) (copied) with the flags `single`; NULL when out of memory. */
static struct batch *fds_batch(const int32_t *data, uint32_t n, const void *single) {
  struct batch *b = batch_new(n, single);
  if (b == NULL) return NULL;
  if ((b->fds = malloc(n ? (size_t)n * 4 : 4)) == NULL) {
    batch_free(b);
    return NULL;
  }
  memcpy(b->fds, data, (size_t)n * 4);
  return b;
}

/*
 * A batch of the files of folders [d0, d1) of `dirs` (see task_paths) with
 * the flags `single`, into *out: NULL on success, else the message to throw.
 */
static const char *paths_batch(napi_env env, napi_value dirs, uint32_t d0, uint32_t d1, char names[16][64], size_t namelen[16],
                               uint32_t nfiles, const void *single, struct batch **out) {
  struct batch *b = batch_new((d1 - d0) * nfiles, single);
  *out = NULL;
  if (b == NULL) return "out of memory";
  const char *wrong = task_paths(env, dirs, d0, d1, names, namelen, nfiles, &b->paths);
  if (wrong != NULL) {
    batch_free(b);
    return wrong;
  }
  *out = b;
  return NULL;
}

static napi_value read_task_files_async(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t ndirs, nfiles;
  char names[16][64];
  size_t namelen[16];
  if (argc != 4 || napi_get_array_length(env, argv[0], &ndirs) != napi_ok || (nfiles = get_names(env, argv[1], names, namelen)) == 0) {
    return fail(env, "readTaskFilesAsync(dirs, files: 1 to 16 short names, single, done)");
  }
  void *sdata;
  uint32_t count = ndirs * nfiles;
  if (single_arg(env, argv[2], count, &sdata) != 0) {
    return fail(env, "readTaskFilesAsync: single must be a Uint8Array with a flag per file");
  }
  struct batch *b;
  const char *wrong = paths_batch(env, argv[0], 0, ndirs, names, namelen, nfiles, sdata, &b);
  if (wrong != NULL) return failed_with(env, "readTaskFilesAsync", wrong);
  return batch_queue(env, b, argv[3], "procspec.readTaskFiles");
}

/*
 * preadFdsAsync(fds: Int32Array, single: Uint8Array, done(err, texts, ends, errs))
 * A batch of kept descriptors (each re-read from offset 0) in the thread
 * pool: the descriptors are copied when called and must stay open until
 * `done` runs (the caller holds them).
 */
static napi_value pread_fds_async(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t len;
  int32_t *data;
  void *sdata;
  if (argc != 3 || fds_arg(env, argv[0], &data, &len) != 0) return fail(env, "preadFdsAsync(fds: Int32Array, single, done)");
  if (single_arg(env, argv[1], len, &sdata) != 0) {
    return fail(env, "preadFdsAsync: single must be a Uint8Array with a flag per descriptor");
  }
  struct batch *b = fds_batch(data, (uint32_t)len, sdata);
  if (b == NULL) return failed_with(env, "preadFdsAsync", "out of memory");
  return batch_queue(env, b, argv[2], "procspec.preadFds");
}

/*
 * readTaskFilesEach(dirs, files, per, single, helpers, each(first, texts, ends, errs))
 * preadFdsEach(fds: Int32Array, per, single, helpers, each(first, texts, ends, errs))
 *   Synchronous reads of many files by the calling thread and up to
 *   `helpers` helper threads (0 to 8, see pool below), for a caller that
 *   may block but should not wait on one core: the files (readTaskFilesEach:
 *   file j of folder d is index d * files.length + j) are cut into batches
 *   of `per` (a multiple of files.length), and `each` gets every batch in
 *   order, on the calling thread, as soon as it is read: the index of its
 *   first file and what a batch of readTaskFilesAsync gives. Every thread
 *   reads the first batch nobody has taken yet; the caller does so until
 *   the batch it hands on next is read, then its `each` parses that batch
 *   while the helpers read others. `single` holds the flags of one batch
 *   (the same for every batch). An exception thrown by `each` ends the call
 *   (helpers stop after the batch they are reading) and is thrown on.
 */
struct run {
  pthread_mutex_t lock;
  pthread_cond_t read;  /* a batch has been read */
  pthread_cond_t more;  /* a batch has been added, or the listing ended */
  struct batch **b;     /* grown while listing (readProcessesEach): taken with lock held */
  uint8_t *state;       /* per batch: 0 waiting, 1 being read, 2 read */
  uint32_t count;
  uint32_t room;        /* batches b and state have room for */
  uint32_t next;        /* the first batch nobody has taken */
  int stop;
  int listing;          /* batches are still being added: helpers wait for them */
  uint32_t seats;       /* helpers that may still join (pool.lock) */
  uint32_t aboard;      /* helpers reading for it now (pool.lock) */
};

/*
 * The helpers: threads started on first use and kept for the life of the
 * process, waiting for a run, so that a call starts no thread (a thread is
 * a task the kernel counts in /proc/stat's `processes`, which the refresh
 * mode watches for new processes). One run at a time has them: a call
 * made while another run has them (another worker thread's) reads on its
 * caller's thread alone.
 */
static struct {
  pthread_mutex_t lock;
  pthread_cond_t work;  /* a run wants helpers */
  pthread_cond_t left;  /* a helper has left its run */
  struct run *run;      /* the run that has the helpers, or NULL */
  uint64_t gen;         /* runs given to the helpers so far */
  uint32_t started;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0, 0};

/* With r locked: takes the next batch and reads it (unlocked meanwhile); 0 when none is left. */
static int read_next(struct run *r) {
  if (r->stop || r->next == r->count) return 0;
  uint32_t i = r->next++;
  struct batch *b = r->b[i];
  r->state[i] = 1;
  pthread_mutex_unlock(&r->lock);
  batch_execute(NULL, b);
  pthread_mutex_lock(&r->lock);
  r->state[i] = 2;
  pthread_cond_broadcast(&r->read);
  return 1;
}

/* A helper: joins each run once while it has seats, reads batches until none is left (and none is coming), leaves. */
static void *helper(void *arg) {
  (void)arg;
  pthread_setname_np(pthread_self(), "procspec-read");
  uint64_t seen = 0;
  pthread_mutex_lock(&pool.lock);
  for (;;) {
    while (pool.run == NULL || pool.gen == seen) pthread_cond_wait(&pool.work, &pool.lock);
    seen = pool.gen;
    struct run *r = pool.run;
    if (r->seats == 0) continue;
    r->seats--;
    r->aboard++;
    pthread_mutex_unlock(&pool.lock);
    pthread_mutex_lock(&r->lock);
    for (;;) {
      if (read_next(r)) continue;
      if (!r->listing || r->stop) break;
      pthread_cond_wait(&r->more, &r->lock);
    }
    pthread_mutex_unlock(&r->lock);
    pthread_mutex_lock(&pool.lock);
    r->aboard--;
    pthread_cond_broadcast(&pool.left);
  }
  return NULL;
}

/* Gives the helpers (up to `helpers`, started as needed) to r; 0 when another run has them. */
static int pool_take(struct run *r, uint32_t helpers) {
  pthread_mutex_lock(&pool.lock);
  if (pool.run != NULL) {
    pthread_mutex_unlock(&pool.lock);
    return 0;
  }
  while (pool.started < helpers && start_quiet_thread(helper) == 0) pool.started++;
  r->seats = helpers;
  r->aboard = 0;
  pool.run = r;
  pool.gen++;
  pthread_cond_broadcast(&pool.work);
  pthread_mutex_unlock(&pool.lock);
  return 1;
}

/* Takes the helpers back from r (stopped: they take no more batches) once none of them is reading for it. */
static void pool_give_back(struct run *r) {
  pthread_mutex_lock(&pool.lock);
  r->seats = 0;
  while (r->aboard > 0) pthread_cond_wait(&pool.left, &pool.lock);
  pool.run = NULL;
  pthread_mutex_unlock(&pool.lock);
}

static void run_free(struct run *r) {
  for (uint32_t i = 0; i < r->count; i++) {
    if (r->b[i] != NULL) batch_free(r->b[i]);
  }
  free(r->b);
  free(r->state);
}

/* Readies r (its batches in r->b, or added while r->listing) and gives it up to `helpers` helpers; whether it has them. */
static int run_start(struct run *r, uint32_t helpers) {
  pthread_mutex_init(&r->lock, NULL);
  pthread_cond_init(&r->read, NULL);
  pthread_cond_init(&r->more, NULL);
  r->next = 0;
  r->stop = 0;
  if (helpers > 8) helpers = 8;
  return (r->listing || r->count >= 2) && helpers > 0 && pool_take(r, helpers);
}

/* Hands every batch of r to `each` in order, on this thread, reading those nobody has taken; 0, or -1 when one ran out of memory (thrown) or `each` threw. */
static int run_hand_on(napi_env env, struct run *r, uint32_t per, napi_value each) {
  napi_value undef;
  napi_get_undefined(env, &undef);
  for (uint32_t i = 0; i < r->count; i++) {
    /* Until batch i is read: read the next batch nobody has taken (i itself when it is that one), else wait. */
    pthread_mutex_lock(&r->lock);
    while (r->state[i] != 2) {
      if (!read_next(r)) pthread_cond_wait(&r->read, &r->lock);
    }
    pthread_mutex_unlock(&r->lock);
    if (r->b[i]->failed) {
      napi_throw_error(env, NULL, "procread: out of memory");
      return -1;
    }
    napi_value argv[4];
    napi_create_uint32(env, i * per, &argv[0]);
    batch_values(env, r->b[i], argv + 1);
    batch_free(r->b[i]);
    r->b[i] = NULL;
    if (napi_call_function(env, undef, each, 4, argv, NULL) != napi_ok) return -1; /* each threw: thrown on */
  }
  return 0;
}

/* Stops r (helpers take no more batches), takes the helpers back once none is reading for it, and frees it. */
static void run_end(struct run *r, int helped) {
  pthread_mutex_lock(&r->lock);
  r->stop = 1;
  r->listing = 0;
  pthread_cond_broadcast(&r->more);
  pthread_mutex_unlock(&r->lock);
  if (helped) pool_give_back(r);
  pthread_cond_destroy(&r->more);
  pthread_cond_destroy(&r->read);
  pthread_mutex_destroy(&r->lock);
  run_free(r);
}

/* Reads the batches of r with up to `helpers` helpers beside this thread, handing each to `each` in order; frees them. */
static napi_value run_batches(napi_env env, struct run *r, uint32_t per, uint32_t helpers, napi_value each) {
  int helped = run_start(r, helpers);
  run_hand_on(env, r, per, each);
  run_end(r, helped);
  return NULL;
}

/* Allocates the batch list of a run of `files` files in batches of `per`; -1 when out of memory. */
static int run_new(struct run *r, uint32_t files, uint32_t per) {
  r->listing = 0;
  r->count = files == 0 ? 0 : (files - 1) / per + 1;
  r->room = r->count;
  r->b = calloc(r->count ? r->count : 1, sizeof *r->b);
  r->state = calloc(r->count ? r->count : 1, 1);
  if (r->b == NULL || r->state == NULL) {
    free(r->b);
    free(r->state);
    return -1;
  }
  return 0;
}

/* Files in batch i of a run of `files` files in batches of `per`. */
static uint32_t batch_size(uint32_t files, uint32_t per, uint32_t i) {
  uint32_t left = files - i * per;
  return left < per ? left : per;
}

static napi_value read_task_files_each(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t ndirs, nfiles, per, helpers;
  char names[16][64];
  size_t namelen[16];
  void *sdata;
  if (argc != 6 || napi_get_array_length(env, argv[0], &ndirs) != napi_ok || (nfiles = get_names(env, argv[1], names, namelen)) == 0 ||
      napi_get_value_uint32(env, argv[2], &per) != napi_ok || per == 0 || per % nfiles != 0 ||
      napi_get_value_uint32(env, argv[4], &helpers) != napi_ok) {
    return fail(env, "readTaskFilesEach(dirs, files: 1 to 16 short names, per: a multiple of files.length, single, helpers, each)");
  }
  if (single_arg(env, argv[3], per, &sdata) != 0) return fail(env, "readTaskFilesEach: single must be a Uint8Array with a flag per file of a batch");
  struct run r;
  uint32_t files = ndirs * nfiles;
  if (run_new(&r, files, per) != 0) return failed_with(env, "readTaskFilesEach", "out of memory");
  for (uint32_t i = 0; i < r.count; i++) {
    uint32_t n = batch_size(files, per, i);
    const char *wrong = paths_batch(env, argv[0], i * per / nfiles, (i * per + n) / nfiles, names, namelen, nfiles, sdata, &r.b[i]);
    if (wrong != NULL) {
      run_free(&r);
      return failed_with(env, "readTaskFilesEach", wrong);
    }
  }
  return run_batches(env, &r, per, helpers, argv[5]);
}

static napi_value pread_fds_each(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t len;
  int32_t *data;
  void *sdata;
  uint32_t per, helpers;
  if (argc != 5 || fds_arg(env, argv[0], &data, &len) != 0 || napi_get_value_uint32(env, argv[1], &per) != napi_ok || per == 0 ||
      napi_get_value_uint32(env, argv[3], &helpers) != napi_ok) {
    return fail(env, "preadFdsEach(fds: Int32Array, per, single, helpers, each)");
  }
  if (single_arg(env, argv[2], per, &sdata) != 0) return fail(env, "preadFdsEach: single must be a Uint8Array with a flag per file of a batch");
  struct run r;
  if (run_new(&r, (uint32_t)len, per) != 0) return failed_with(env, "preadFdsEach", "out of memory");
  for (uint32_t i = 0; i < r.count; i++) {
    if ((r.b[i] = fds_batch(data + (size_t)i * per, batch_size((uint32_t)len, per, i), sdata)) == NULL) {
      run_free(&r);
      return failed_with(env, "preadFdsEach", "out of memory");
    }
  }
  return run_batches(env, &r, per, helpers, argv[4]);
}

/* The pid a folder name gives (digits, the first not 0): 0 when it is not one, -1 when it is digits too many for a pid. */
static int32_t pid_of(const char *name) {
  if (name[0] < '1' || name[0] > '9') return 0;
  int32_t pid = 0;
  size_t len = 0;
  while (name[len] >= '0' && name[len] <= '9') {
    if (len == 9) break;
    pid = pid * 10 + (name[len] - '0');
    len++;
  }
  if (name[len] == '\0') return pid;
  /* Not all digits, or longer than nine of them. */
  const char *c = name + len;
  while (*c >= '0' && *c <= '9') c++;
  return *c == '\0' ? -1 : 0;
}

/* Most pids one piece of a listing gives (8 KiB of entries of 24 bytes or more). */
#define PIECE_PIDS 512

/*
 * One piece of the listing of the folder open at fd (one getdents call of
 * 8 KiB): its pids into out (room for PIECE_PIDS), *ended set at the end
 * of the folder. Returns how many (0 for a piece without any), -errno, or
 * -EOVERFLOW for a name of digits too long for a pid.
 */
static long piece_pids(int fd, int32_t *out, int *ended) {
  static __thread char dents[8192];
  long n;
  do {
    n = syscall(SYS_getdents64, fd, dents, sizeof dents);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  *ended = n == 0;
  long count = 0;
  for (long at = 0; at < n;) {
    struct dirent64 *d = (struct dirent64 *)(dents + at);
    at += d->d_reclen;
    int32_t pid = pid_of(d->d_name);
    if (pid < 0) return -EOVERFLOW;
    if (pid > 0) out[count++] = pid;
  }
  return count;
}

/* Room for a piece more after `count` pids in *pids (of *room); -1 when out of memory. */
static int room_for_piece(int32_t **pids, size_t *room, size_t count) {
  if (*room - count >= PIECE_PIDS) return 0;
  int32_t *more = realloc(*pids, *room * 2 * sizeof **pids);
  if (more == NULL) return -1;
  *pids = more;
  *room *= 2;
  return 0;
}

/*
 * listPids(root: string) -> Int32Array | number
 *   The pid folders of a procfs root (names of digits, the first not 0), in
 *   the order getdents gives them (ascending pids on procfs), without the
 *   strings and the sorting by name of a readdir through libuv; -errno when
 *   the root cannot be listed, 0 when a name is a number too long for a pid
 *   (the caller lists the root its own way).
 */
static napi_value list_pids(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char root[4096];
  if (argc != 1 || path_arg(env, argv[0], root, sizeof root) < 0) {
    return fail(env, "listPids(root: string)");
  }
  int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return number(env, -errno);
  size_t count = 0, room = 4096;
  int32_t *pids = malloc(room * sizeof *pids);
  long err = pids == NULL ? -ENOMEM : 0;
  for (int ended = 0; err == 0 && !ended;) {
    if (room_for_piece(&pids, &room, count) != 0) err = -ENOMEM;
    long n = err != 0 ? err : piece_pids(fd, pids + count, &ended);
    if (n < 0) err = n;
    else count += (size_t)n;
  }
  close(fd);
  if (err != 0) {
    free(pids);
    /* A name too long for a pid: the caller lists the root its own way. */
    return number(env, err == -EOVERFLOW ? 0 : (double)err);
  }
  napi_value out = int32_array(env, pids, (uint32_t)count);
  free(pids);
  return out;
}

/*
 * listPidsAt(fd: number, out: Int32Array) -> number
 *   The next pids of a folder open at fd, for a listing that goes piece by
 *   piece (the async listing queues the batches of the pids it has while it
 *   lists the rest): getdents until a piece holds a pid or the folder ends,
 *   its pids written to `out` (room for 512). Returns how many, 0 at the
 *   end, -errno, or -EOVERFLOW for a name of digits too long for a pid.
 */
static napi_value list_pids_at(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  size_t len, off;
  napi_typedarray_type type;
  napi_value ab;
  void *data;
  if (argc != 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_typedarray_info(env, argv[1], &type, &len, &data, &ab, &off) != napi_ok || type != napi_int32_array || len < PIECE_PIDS) {
    return fail(env, "listPidsAt(fd, out: Int32Array of 512 or more)");
  }
  int ended = 0;
  for (;;) {
    long n = piece_pids(fd, data, &ended);
    if (n != 0 || ended) return number(env, (double)n);
  }
}

/*
 * Adds a batch of the files of pids[0, n) (paths "<root>/<pid>/<file>") to
 * the end of r, growing its lists, and wakes a helper; -1 when out of memory.
 */
static int run_add(struct run *r, const char *root, size_t rootlen, const int32_t *pids, uint32_t n, char names[16][64],
                   size_t namelen[16], uint32_t nfiles, const void *single) {
  struct batch *b = batch_new(n * nfiles, single);
  if (b == NULL) return -1;
  size_t each = rootlen + 12, longest = 0;
  for (uint32_t j = 0; j < nfiles; j++) longest = namelen[j] > longest ? namelen[j] : longest;
  char *paths = malloc((size_t)n * nfiles * (each + longest + 2));
  if (paths == NULL) {
    batch_free(b);
    return -1;
  }
  char *at = paths;
  for (uint32_t t = 0; t < n; t++) {
    for (uint32_t j = 0; j < nfiles; j++) {
      memcpy(at, root, rootlen);
      at += rootlen;
      at += sprintf(at, "/%d/", pids[t]);
      memcpy(at, names[j], namelen[j] + 1);
      at += namelen[j] + 1;
    }
  }
  b->paths = paths;
  pthread_mutex_lock(&r->lock);
  if (r->count == r->room) {
    uint32_t room = r->room * 2 + 16;
    struct batch **more = realloc(r->b, room * sizeof *more);
    if (more != NULL) r->b = more;
    uint8_t *state = more == NULL ? NULL : realloc(r->state, room);
    if (state != NULL) r->state = state;
    if (more == NULL || state == NULL) {
      pthread_mutex_unlock(&r->lock);
      batch_free(b);
      return -1;
    }
    r->room = room;
  }
  r->b[r->count] = b;
  r->state[r->count] = 0;
  r->count++;
  pthread_cond_signal(&r->more);
  pthread_mutex_unlock(&r->lock);
  return 0;
}

/*
 * readProcessesEach(root, files, per, single, helpers, listed(pids: Int32Array), each) -> number
 *   readTaskFilesEach over the pid folders of a procfs root, read while the
 *   root is still being listed: each time getdents has given the pids of a
 *   batch, the batch goes to the helpers, so that they read from the first
 *   pids on instead of waiting for the whole listing (10 ms at 10,000
 *   processes). When the listing has ended, `listed` gets every pid in
 *   order, then `each` every batch as readTaskFilesEach gives them. Returns
 *   1; -errno when the root cannot be listed, 0 when a name of digits is too
 *   long for a pid or the pids are not in ascending order (a copy of /proc
 *   on another file system): then nothing was handed on and the caller
 *   lists the root its own way.
 */
static napi_value read_processes_each(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char root[4096];
  long rootlen;
  uint32_t nfiles, per, helpers;
  char names[16][64];
  size_t namelen[16];
  void *sdata;
  if (argc != 7 || (rootlen = path_arg(env, argv[0], root, sizeof root)) < 0 || (nfiles = get_names(env, argv[1], names, namelen)) == 0 ||
      napi_get_value_uint32(env, argv[2], &per) != napi_ok || per == 0 || per % nfiles != 0 ||
      napi_get_value_uint32(env, argv[4], &helpers) != napi_ok) {
    return fail(env, "readProcessesEach(root, files: 1 to 16 short names, per: a multiple of files.length, single, helpers, listed, each)");
  }
  if (single_arg(env, argv[3], per, &sdata) != 0) return fail(env, "readProcessesEach: single must be a Uint8Array with a flag per file of a batch");
  int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return number(env, -errno);
  uint32_t tasks_per = per / nfiles;
  struct run r;
  size_t count = 0, queued = 0, room = 4096;
  int32_t *pids = malloc(room * sizeof *pids);
  if (pids == NULL || run_new(&r, 0, per) != 0) {
    free(pids);
    close(fd);
    return failed_with(env, "readProcessesEach", "out of memory");
  }
  r.listing = 1;
  /*
   * The helpers are woken when batches wait and the listing goes on; a root
   * listed in one piece is read as readTaskFilesEach reads, this thread
   * taking the first batch (a helper's wake-up can take longer than the
   * reads of a small batch).
   */
  run_start(&r, 0);
  int helped = 0;
  if (helpers > 8) helpers = 8;
  int err = 0, other = 0;
  for (int ended = 0; err == 0 && !other && !ended;) {
    if (room_for_piece(&pids, &room, count) != 0) {
      err = ENOMEM;
      break;
    }
    long n = piece_pids(fd, pids + count, &ended);
    if (n < 0) {
      if (n == -EOVERFLOW) other = 1;
      else err = (int)-n;
      break;
    }
    if (!ended && !helped && r.count > 0 && helpers > 0) helped = pool_take(&r, helpers);
    /* procfs lists pids in ascending order; a copy on another file system may not. */
    for (long i = 0; i < n && !other; i++) other = count + i > 0 && pids[count + i] <= pids[count + i - 1];
    count += (size_t)n;
    while (!other && err == 0 && count - queued >= tasks_per) {
      if (run_add(&r, root, (size_t)rootlen, pids + queued, tasks_per, names, namelen, nfiles, sdata) != 0) err = ENOMEM;
      queued += tasks_per;
    }
  }
  close(fd);
  if (err == 0 && !other && count > queued && run_add(&r, root, (size_t)rootlen, pids + queued, (uint32_t)(count - queued), names, namelen, nfiles, sdata) != 0) {
    err = ENOMEM;
  }
  pthread_mutex_lock(&r.lock);
  r.listing = 0;
  pthread_cond_broadcast(&r.more);
  pthread_mutex_unlock(&r.lock);
  if (err != 0 || other) {
    run_end(&r, helped);
    free(pids);
    if (err == ENOMEM) return failed_with(env, "readProcessesEach", "out of memory");
    return number(env, other ? 0 : -err);
  }
  napi_value list = int32_array(env, pids, (uint32_t)count), undef;
  free(pids);
  napi_get_undefined(env, &undef);
  if (list == NULL || napi_call_function(env, undef, argv[5], 1, &list, NULL) != napi_ok) {
    run_end(&r, helped);
    return NULL;
  }
  if (!helped && r.count >= 2 && helpers > 0) helped = pool_take(&r, helpers);
  if (run_hand_on(env, &r, per, argv[6]) != 0) {
    run_end(&r, helped);
    return NULL;
  }
  run_end(&r, helped);
  return number(env, 1);
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value f;
  napi_create_function(env, "readFile", NAPI_AUTO_LENGTH, read_file, NULL, &f);
  napi_set_named_property(env, exports, "readFile", f);
  napi_create_function(env, "preadFd", NAPI_AUTO_LENGTH, pread_fd, NULL, &f);
  napi_set_named_property(env, exports, "preadFd", f);
  napi_create_function(env, "readTaskFilesAsync", NAPI_AUTO_LENGTH, read_task_files_async, NULL, &f);
  napi_set_named_property(env, exports, "readTaskFilesAsync", f);
  napi_create_function(env, "preadFdsAsync", NAPI_AUTO_LENGTH, pread_fds_async, NULL, &f);
  napi_set_named_property(env, exports, "preadFdsAsync", f);
  napi_create_function(env, "readTaskFilesEach", NAPI_AUTO_LENGTH, read_task_files_each, NULL, &f);
  napi_set_named_property(env, exports, "readTaskFilesEach", f);
  napi_create_function(env, "preadFdsEach", NAPI_AUTO_LENGTH, pread_fds_each, NULL, &f);
  napi_set_named_property(env, exports, "preadFdsEach", f);
  napi_create_function(env, "readProcessesEach", NAPI_AUTO_LENGTH, read_processes_each, NULL, &f);
  napi_set_named_property(env, exports, "readProcessesEach", f);
  napi_create_function(env, "listPidsAt", NAPI_AUTO_LENGTH, list_pids_at, NULL, &f);
  napi_set_named_property(env, exports, "listPidsAt", f);
  napi_create_function(env, "listPids", NAPI_AUTO_LENGTH, list_pids, NULL, &f);
  napi_set_named_property(env, exports, "listPids", f);
  return exports;
}
