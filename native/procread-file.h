/*
 * One file, read until the end by the calling thread: readFile (open, read,
 * close) and preadFd (pread on a kept descriptor, from offset 0); read_on
 * reads into a buffer for the batches of the parts after this one too.
 *
 * Part of native/procread.c, the one translation unit of the procread module:
 * it #includes its parts once each, in order, after the system headers;
 * their functions are static and use those of the parts before them.
 */

/*
 * Reads fd until the end into buf, which holds `n` bytes already: at file
 * offset n with pread (a kept descriptor, re-read from 0), else from the
 * current offset. Returns the total length, -errno, or -ENOBUFS when buf is
 * full before the end.
 */
/*
 * Most bytes asked for by one read(): the kernel refuses a read of a sysctl
 * file whose count is KMALLOC_MAX_SIZE (4 MiB on x86-64) or more with ENOMEM
 * (fs/proc/proc_sysctl.c, proc_sys_call_handler), and a buffer grown by a
 * long file, or a batch's arena, can be that large. The same as
 * MAX_READ_ASK in runtime/reading/read.ts.
 */
#define MAX_READ_ASK ((size_t)1 << 20)

static ssize_t read_on(int fd, char *buf, size_t n, size_t cap, int positional, int single) {
  for (;;) {
    if (n == cap) return -ENOBUFS;
    size_t ask = cap - n < MAX_READ_ASK ? cap - n : MAX_READ_ASK;
    ssize_t r = positional ? pread(fd, buf + n, ask, (off_t)n) : read(fd, buf + n, ask);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (r == 0) return (ssize_t)n;
    n += (size_t)r;
    /* A file printed in one piece is whole once a read returns less than asked for. */
    if (single && (size_t)r < ask) return (ssize_t)n;
  }
}

static ssize_t read_all(int fd, char *buf, size_t cap, int positional, int single) {
  return read_on(fd, buf, 0, cap, positional, single);
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
