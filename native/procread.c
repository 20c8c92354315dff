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
 *   listPids(root), listPidsAt, readProcessesEach (procread-pids.h): the pid
 *     folders of a root, and the files of its processes read while it is listed.
 *   readTaskFilesEach, preadFdsEach (procread-run.h): many files,
 *     synchronously, by the calling thread and helper threads the module
 *     keeps, in batches handed to a callback in order.
 *   readTaskFilesAsync, preadFdsAsync (procread-batch.h): one batch in
 *     libuv's thread pool.
 *     A batch is many files, read in order (file j of folder d is index
 *     d * files.length + j, path "<dir>/<file>"), into a buffer of its own:
 *     file i's text ends at ends[i] (it starts where file i-1's ended, or 0),
 *     errs[i] is 0 or the errno.
 *
 * single set: the kernel prints the file in one piece, so a short read is
 * the end (no final empty read).
 *
 * This file is the module's one translation unit (native/build.sh and
 * native/prebuild.sh compile one .c per module): it includes its parts,
 * native/procread-*.h, once each and in this order, each using the static
 * functions of those before it, and registers the functions:
 *
 *   procread-args.h   arguments and results shared by the parts
 *   procread-file.h   one file (readFile, preadFd), and read_on for batches
 *   procread-batch.h  batches, and a batch in libuv's pool (*Async)
 *   procread-run.h    batches on the helper threads (*Each), the pool
 *   procread-pids.h   pid listing (listPids*, readProcessesEach)
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

#include "procread-args.h"
#include "procread-file.h"
#include "procread-batch.h"
#include "procread-run.h"
#include "procread-pids.h"

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
