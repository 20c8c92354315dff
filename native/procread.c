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
 *   readTaskFiles(dirs: string[], files: string[], from: number, single: Uint8Array,
 *                 arena: Buffer, ends: Int32Array, errs: Int32Array) -> next index
 *   preadFds(fds: Int32Array, from: number, single: Uint8Array, arena: Buffer,
 *            ends: Int32Array, errs: Int32Array) -> next index
 *   readTaskFilesAsync, preadFdsAsync: the same in libuv's thread pool (below).
 *     Many files in order from `from` (readTaskFiles: file j of folder d is
 *     index d * files.length + j, path "<dir>/<file>"); file i's text ends at
 *     ends[i] (it starts where file i-1's ended, or 0 for the first one of
 *     the call); errs[i] is 0 or the errno. A call stops early, returning the
 *     index of the first file not read, when the arena has no room left: the
 *     caller grows it and calls again from there.
 *
 * single set: the kernel prints the file in one piece, so a short read is
 * the end (no final empty read).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include "napi-args.h"
#include <stdlib.h>
#include <string.h>
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

struct args {
  uint32_t count;
  uint32_t from;
  uint8_t *single;
  char *arena;
  size_t cap;
  int32_t *ends;
  int32_t *errs;
};

static int get_args(napi_env env, napi_value *argv, struct args *a) {
  size_t len;
  void *data;
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  if (napi_get_value_uint32(env, argv[1], &a->from) != napi_ok) return -1;
  if (napi_get_typedarray_info(env, argv[2], &type, &len, &data, &ab, &off) != napi_ok || type != napi_uint8_array) return -1;
  a->single = data;
  if (len < a->count) return -1;
  if (napi_get_buffer_info(env, argv[3], &data, &a->cap) != napi_ok) return -1;
  a->arena = data;
  if (napi_get_typedarray_info(env, argv[4], &type, &len, &data, &ab, &off) != napi_ok || type != napi_int32_array || len < a->count) return -1;
  a->ends = data;
  if (napi_get_typedarray_info(env, argv[5], &type, &len, &data, &ab, &off) != napi_ok || type != napi_int32_array || len < a->count) return -1;
  a->errs = data;
  if (a->cap > 0x7fffffff) a->cap = 0x7fffffff;
  return 0;
}

static napi_value result(napi_env env, uint32_t next) {
  napi_value v;
  napi_create_uint32(env, next, &v);
  return v;
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

static napi_value read_task_files(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 7) return fail(env, "readTaskFiles: 7 arguments");
  uint32_t ndirs;
  if (napi_get_array_length(env, argv[0], &ndirs) != napi_ok) return fail(env, "readTaskFiles: dirs must be an array");
  char names[16][64];
  size_t namelen[16];
  uint32_t nfiles = get_names(env, argv[1], names, namelen);
  if (nfiles == 0) return fail(env, "readTaskFiles: 1 to 16 short file names");
  struct args a;
  a.count = ndirs * nfiles;
  if (get_args(env, argv + 1, &a) != 0) return fail(env, "readTaskFiles: bad arguments");
  size_t at = 0;
  char path[4096];
  size_t dirlen = 0;
  for (uint32_t i = a.from; i < a.count; i++) {
    uint32_t j = i % nfiles;
    if (i == a.from || j == 0) {
      napi_value d;
      if (napi_get_element(env, argv[0], i / nfiles, &d) != napi_ok || napi_get_value_string_utf8(env, d, path, sizeof path - 80, &dirlen) != napi_ok) {
        return fail(env, "readTaskFiles: dirs must be strings");
      }
      if (dirlen >= sizeof path - 81) return fail(env, "readTaskFiles: folder name too long");
      path[dirlen] = '/';
    }
    memcpy(path + dirlen + 1, names[j], namelen[j] + 1);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      record(a.ends, a.errs, i, -errno, &at);
      continue;
    }
    ssize_t n = read_all(fd, a.arena + at, a.cap - at, 0, a.single[i]);
    close(fd);
    if (n == -ENOBUFS) return result(env, i);
    record(a.ends, a.errs, i, n, &at);
  }
  return result(env, a.count);
}

static napi_value pread_fds(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 6) return fail(env, "preadFds: 6 arguments");
  size_t len;
  void *data;
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, argv[0], &type, &len, &data, &ab, &off) != napi_ok || type != napi_int32_array) return fail(env, "preadFds: fds must be an Int32Array");
  int32_t *fds = data;
  struct args a;
  a.count = (uint32_t)len;
  if (get_args(env, argv, &a) != 0) return fail(env, "preadFds: bad arguments");
  size_t at = 0;
  for (uint32_t i = a.from; i < a.count; i++) {
    ssize_t n = read_all(fds[i], a.arena + at, a.cap - at, 1, a.single[i]);
    if (n == -ENOBUFS) return result(env, i);
    record(a.ends, a.errs, i, n, &at);
  }
  return result(env, a.count);
}

/*
 * Reads fd until the end into buf[0..cap); when the text does not fit, goes
 * on into a growing heap copy and returns it as a new Buffer. Returns the
 * length as a number, a Buffer, or -errno as a number.
 */
static napi_value read_one(napi_env env, int fd, char *buf, size_t cap, int positional, int single) {
  napi_value v;
  ssize_t n = read_all(fd, buf, cap, positional, single);
  if (n != -ENOBUFS) {
    napi_create_int64(env, n, &v);
    return v;
  }
  size_t size = cap;
  char *big = NULL;
  for (;;) {
    size_t len = size;
    size = size < 65536 ? 131072 : size * 2;
    char *more = realloc(big, size);
    if (more == NULL) {
      free(big);
      napi_create_int64(env, -ENOMEM, &v);
      return v;
    }
    if (big == NULL) memcpy(more, buf, len);
    big = more;
    n = read_on(fd, big, len, size, positional, single);
    if (n != -ENOBUFS) break;
  }
  if (n < 0) {
    free(big);
    napi_create_int64(env, n, &v);
    return v;
  }
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
  size_t plen;
  char *buf;
  size_t cap;
  bool single;
  if (argc != 3 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &plen) != napi_ok || plen >= sizeof path - 1 ||
      buffer_arg(env, argv[1], &buf, &cap) != 0 || napi_get_value_bool(env, argv[2], &single) != napi_ok) {
    return fail(env, "readFile(path, buffer, single)");
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    napi_value v;
    napi_create_int64(env, -errno, &v);
    return v;
  }
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
 * readTaskFiles in libuv's thread pool, for listings that must not block
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
    size_t len = b->count == 0 ? 0 : (size_t)b->ends[b->count - 1];
    napi_get_null(env, &argv[0]);
    napi_create_buffer_copy(env, len, b->arena, NULL, &argv[1]);
    argv[2] = int32_array(env, b->ends, b->count);
    argv[3] = int32_array(env, b->errs, b->count);
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
  size_t slen;
  void *sdata;
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  uint32_t count = ndirs * nfiles;
  if (napi_get_typedarray_info(env, argv[2], &type, &slen, &sdata, &ab, &off) != napi_ok || type != napi_uint8_array || slen < count) {
    return fail(env, "readTaskFilesAsync: single must be a Uint8Array with a flag per file");
  }
  struct batch *b = batch_new(count, sdata);
  if (b == NULL) return fail(env, "readTaskFilesAsync: out of memory");
  size_t total = 0;
  /* Paths: "<dir>/<file>\0" for every folder and file, in order. */
  size_t room = 0;
  char *paths = NULL;
  for (uint32_t d = 0; d < ndirs; d++) {
    napi_value v;
    char dir[4096];
    size_t dirlen;
    if (napi_get_element(env, argv[0], d, &v) != napi_ok || napi_get_value_string_utf8(env, v, dir, sizeof dir, &dirlen) != napi_ok ||
        dirlen >= sizeof dir - 1) {
      free(paths);
      batch_free(b);
      return fail(env, "readTaskFilesAsync: dirs must be strings");
    }
    for (uint32_t j = 0; j < nfiles; j++) {
      size_t need = dirlen + 1 + namelen[j] + 1;
      if (total + need > room) {
        room = (total + need) * 2 + 4096;
        char *more = realloc(paths, room);
        if (more == NULL) {
          free(paths);
          batch_free(b);
          return fail(env, "readTaskFilesAsync: out of memory");
        }
        paths = more;
      }
      memcpy(paths + total, dir, dirlen);
      paths[total + dirlen] = '/';
      memcpy(paths + total + dirlen + 1, names[j], namelen[j] + 1);
      total += need;
    }
  }
  b->paths = paths;
  if (count > 0 && paths == NULL) {
    batch_free(b);
    return fail(env, "readTaskFilesAsync: out of memory");
  }
  return batch_queue(env, b, argv[3], "procspec.readTaskFiles");
}

/*
 * preadFdsAsync(fds: Int32Array, single: Uint8Array, done(err, texts, ends, errs))
 * preadFds in the thread pool: the descriptors are copied when called and
 * must stay open until `done` runs (the caller holds them).
 */
static napi_value pread_fds_async(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  size_t len, slen, off;
  void *data, *sdata;
  napi_typedarray_type type;
  napi_value ab;
  if (argc != 3 || napi_get_typedarray_info(env, argv[0], &type, &len, &data, &ab, &off) != napi_ok || type != napi_int32_array) {
    return fail(env, "preadFdsAsync(fds: Int32Array, single, done)");
  }
  if (napi_get_typedarray_info(env, argv[1], &type, &slen, &sdata, &ab, &off) != napi_ok || type != napi_uint8_array || slen < len) {
    return fail(env, "preadFdsAsync: single must be a Uint8Array with a flag per descriptor");
  }
  struct batch *b = batch_new((uint32_t)len, sdata);
  if (b == NULL || (b->fds = malloc(len ? len * 4 : 4)) == NULL) {
    if (b != NULL) batch_free(b);
    return fail(env, "preadFdsAsync: out of memory");
  }
  memcpy(b->fds, data, len * 4);
  return batch_queue(env, b, argv[2], "procspec.preadFds");
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value f;
  napi_create_function(env, "readFile", NAPI_AUTO_LENGTH, read_file, NULL, &f);
  napi_set_named_property(env, exports, "readFile", f);
  napi_create_function(env, "preadFd", NAPI_AUTO_LENGTH, pread_fd, NULL, &f);
  napi_set_named_property(env, exports, "preadFd", f);
  napi_create_function(env, "readTaskFiles", NAPI_AUTO_LENGTH, read_task_files, NULL, &f);
  napi_set_named_property(env, exports, "readTaskFiles", f);
  napi_create_function(env, "preadFds", NAPI_AUTO_LENGTH, pread_fds, NULL, &f);
  napi_set_named_property(env, exports, "preadFds", f);
  napi_create_function(env, "readTaskFilesAsync", NAPI_AUTO_LENGTH, read_task_files_async, NULL, &f);
  napi_set_named_property(env, exports, "readTaskFilesAsync", f);
  napi_create_function(env, "preadFdsAsync", NAPI_AUTO_LENGTH, pread_fds_async, NULL, &f);
  napi_set_named_property(env, exports, "preadFdsAsync", f);
  return exports;
}
