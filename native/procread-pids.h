/*
 * The pid folders of a procfs root, listed with getdents: listPids,
 * listPidsAt, and readProcessesEach, which reads the files of the pids in
 * a run (procread-run.h) while the root is still being listed.
 *
 * Part of native/procread.c, the one translation unit of the procread module:
 * it #includes its parts once each, in order, after the system headers;
 * their functions are static and use those of the parts before them.
 */

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
