/*
 * Optional native reader for the process table: reads many /proc files in
 * one call from JavaScript, so that each file costs only its system calls
 * (open, read until the end, close; or pread on a kept descriptor), as in C.
 * The text lands in one caller-owned buffer; JavaScript parses it. When this
 * module is not built, procspec reads through node:fs instead.
 *
 *   readPaths(paths: string[], from: number, single: Uint8Array, arena: Buffer,
 *             ends: Int32Array, errs: Int32Array) -> next index
 *   preadFds(fds: Int32Array, from: number, single: Uint8Array, arena: Buffer,
 *            ends: Int32Array, errs: Int32Array) -> next index
 *
 * Files are read in order from `from`; file i's text ends at ends[i] (it
 * starts where file i-1's ended, or 0 for the first one of the call);
 * errs[i] is 0 or the errno. A call stops early, returning the index of the
 * first file not read, when the arena has no room left: the caller grows it
 * and calls again from there. single[i] set: the kernel prints the file in
 * one piece, so a short read is the end (no final empty read).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <string.h>
#include <unistd.h>

/* Reads fd from offset 0 into buf[0..cap); returns the length, -errno on error, or -ENOBUFS when full. */
static ssize_t read_all(int fd, char *buf, size_t cap, int positional, int single) {
  size_t n = 0;
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

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

static napi_value read_paths(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 6) return fail(env, "readPaths: 6 arguments");
  struct args a;
  if (napi_get_array_length(env, argv[0], &a.count) != napi_ok) return fail(env, "readPaths: paths must be an array");
  if (get_args(env, argv, &a) != 0) return fail(env, "readPaths: bad arguments");
  size_t at = 0;
  char path[4096];
  for (uint32_t i = a.from; i < a.count; i++) {
    napi_value p;
    size_t plen;
    if (napi_get_element(env, argv[0], i, &p) != napi_ok || napi_get_value_string_utf8(env, p, path, sizeof path, &plen) != napi_ok) {
      return fail(env, "readPaths: paths must be strings");
    }
    if (plen >= sizeof path - 1) return fail(env, "readPaths: path too long");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      a.errs[i] = errno;
      a.ends[i] = (int32_t)at;
      continue;
    }
    ssize_t n = read_all(fd, a.arena + at, a.cap - at, 0, a.single[i]);
    close(fd);
    if (n == -ENOBUFS) return result(env, i);
    if (n < 0) {
      a.errs[i] = (int32_t)-n;
      a.ends[i] = (int32_t)at;
      continue;
    }
    at += (size_t)n;
    a.errs[i] = 0;
    a.ends[i] = (int32_t)at;
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
    if (n < 0) {
      a.errs[i] = (int32_t)-n;
      a.ends[i] = (int32_t)at;
      continue;
    }
    at += (size_t)n;
    a.errs[i] = 0;
    a.ends[i] = (int32_t)at;
  }
  return result(env, a.count);
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value f;
  napi_create_function(env, "readPaths", NAPI_AUTO_LENGTH, read_paths, NULL, &f);
  napi_set_named_property(env, exports, "readPaths", f);
  napi_create_function(env, "preadFds", NAPI_AUTO_LENGTH, pread_fds, NULL, &f);
  napi_set_named_property(env, exports, "preadFds", f);
  return exports;
}
