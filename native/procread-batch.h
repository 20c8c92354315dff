/*
 * Batches: many files read in order into a buffer of their own (see
 * procread.c), and readTaskFilesAsync and preadFdsAsync, which read one
 * batch in libuv's thread pool. The helper-thread runs (procread-run.h)
 * read the same batches on other threads.
 *
 * Part of native/procread.c, the one translation unit of the procread module:
 * it #includes its parts once each, in order, after the system headers;
 * their functions are static and use those of the parts before them.
 */

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
