/*
 * Runs: the batches of one call read by the calling thread and the helper
 * threads the module keeps (the pool), handed to a callback in order;
 * readTaskFilesEach and preadFdsEach. readProcessesEach
 * (procread-pids.h) adds batches to a run while it lists the pids.
 *
 * Part of native/procread.c, the one translation unit of the procread module:
 * it #includes its parts once each, in order, after the system headers;
 * their functions are static and use those of the parts before them.
 */

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
