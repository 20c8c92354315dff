/*
 * Optional native primitives for generic netlink (taskstats, cgroupstats):
 * Node has no API for AF_NETLINK sockets. Only the system calls live here;
 * messages are built and parsed in TypeScript (runtime/accounting/netlink.ts).
 * When this module is not built, the taskstats APIs throw ProcfsError
 * 'unsupported'.
 *
 *   open() -> fd | -errno            NETLINK_GENERIC, nonblocking, close-on-exec, bound (port id from the kernel)
 *   send(fd, buf: Uint8Array) -> bytes sent | -errno   (to the kernel, port 0)
 *   recv(fd, buf: Uint8Array) -> datagram length | -errno
 *        (the datagram's full length, MSG_TRUNC: larger than buf.length means it was cut)
 *   setRcvBuf(fd, bytes, force: boolean) -> 0 | -errno   (SO_RCVBUF, or SO_RCVBUFFORCE past rmem_max)
 *   getRcvBuf(fd) -> bytes | -errno   (what the kernel granted: twice the request, capped)
 *   close(fd) -> 0 | -errno
 *   watch(fd, callback(status)) -> handle   uv_poll_t on the loop: callback(0) when readable,
 *        callback(-errno) on a poll error; never blocks the loop, no thread
 *   unwatch(handle)                         stops and frees the watcher
 *   refWatch(handle, ref: boolean)          whether the watcher keeps the process alive
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include "napi-args.h"
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "uv-abi.h"

static int get_int(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok ? 0 : -1;
}

static int get_bytes(napi_env env, napi_value v, void **data, size_t *len) {
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, len, data, &ab, &off) != napi_ok || type != napi_uint8_array) return -1;
  return 0;
}

static napi_value nl_open(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_GENERIC);
  if (fd < 0) return number(env, -errno);
  struct sockaddr_nl sa;
  memset(&sa, 0, sizeof sa);
  sa.nl_family = AF_NETLINK;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    int e = errno;
    close(fd);
    return number(env, -e);
  }
  return number(env, fd);
}

static napi_value nl_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  void *data;
  size_t len;
  if (argc != 2 || get_int(env, argv[0], &fd) || get_bytes(env, argv[1], &data, &len)) return fail(env, "send(fd, Uint8Array)");
  struct sockaddr_nl sa;
  memset(&sa, 0, sizeof sa);
  sa.nl_family = AF_NETLINK;
  ssize_t r;
  do r = sendto(fd, data, len, 0, (struct sockaddr *)&sa, sizeof sa);
  while (r < 0 && errno == EINTR);
  return number(env, r < 0 ? -errno : r);
}

static napi_value nl_recv(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  void *data;
  size_t len;
  if (argc != 2 || get_int(env, argv[0], &fd) || get_bytes(env, argv[1], &data, &len)) return fail(env, "recv(fd, Uint8Array)");
  ssize_t r;
  do r = recv(fd, data, len, MSG_TRUNC);
  while (r < 0 && errno == EINTR);
  return number(env, r < 0 ? -errno : r);
}

static napi_value nl_set_rcvbuf(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd, bytes;
  bool force;
  if (argc != 3 || get_int(env, argv[0], &fd) || get_int(env, argv[1], &bytes) || napi_get_value_bool(env, argv[2], &force) != napi_ok) {
    return fail(env, "setRcvBuf(fd, bytes, force)");
  }
  int v = bytes;
  int r = setsockopt(fd, SOL_SOCKET, force ? SO_RCVBUFFORCE : SO_RCVBUF, &v, sizeof v);
  return number(env, r < 0 ? -errno : 0);
}

static napi_value nl_get_rcvbuf(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (argc != 1 || get_int(env, argv[0], &fd)) return fail(env, "getRcvBuf(fd)");
  int v = 0;
  socklen_t l = sizeof v;
  int r = getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &l);
  return number(env, r < 0 ? -errno : v);
}

static napi_value nl_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (argc != 1 || get_int(env, argv[0], &fd)) return fail(env, "close(fd)");
  return number(env, close(fd) < 0 ? -errno : 0);
}

/* A readability watcher: the uv handle, and the JavaScript callback it calls. */
struct watcher {
  uv_poll_t *poll; /* libuv's, sized at run time (uv-abi.h) */
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  int stopped;
  int closed;    /* uv has closed the handle */
  int finalized; /* the JavaScript handle was collected */
  int env_gone;  /* the environment is being torn down: no more Node-API calls */
};

/* The memory goes when both uv and the JavaScript handle are done with it. */
static void on_closed(uv_handle_t *h) {
  struct watcher *w = uv_handle_get_data(h);
  /* Let go of the callback only now: stop() may run inside it (unwatch from the callback), as psi.c does. */
  if (!w->env_gone) {
    napi_delete_reference(w->env, w->callback);
    napi_async_destroy(w->env, w->context);
  }
  w->closed = 1;
  free(w->poll);
  w->poll = NULL;
  if (w->finalized) free(w);
}

static void on_poll(uv_poll_t *p, int status, int events) {
  (void)events;
  struct watcher *w = uv_handle_get_data(UV_HANDLE(p));
  if (w->stopped) return;
  napi_handle_scope scope;
  napi_open_handle_scope(w->env, &scope);
  napi_value cb, recv, arg, out;
  napi_get_reference_value(w->env, w->callback, &cb);
  napi_get_global(w->env, &recv);
  napi_create_int32(w->env, status, &arg);
  /* make_callback runs promise jobs afterwards; an exception thrown by the callback becomes 'uncaughtException'. */
  if (napi_make_callback(w->env, w->context, recv, cb, 1, &arg, &out) != napi_ok) {
    bool pending = false;
    napi_value err;
    napi_is_exception_pending(w->env, &pending);
    if (pending && napi_get_and_clear_last_exception(w->env, &err) == napi_ok) napi_fatal_exception(w->env, err);
  }
  napi_close_handle_scope(w->env, scope);
}

static void close_poll(struct watcher *w) {
  w->stopped = 1;
  uv_poll_stop(w->poll);
  uv_close(UV_HANDLE(w->poll), on_closed);
}

/*
 * The environment is going away (the process exits with a watch still
 * open, unref'd): close the handle now, while its loop is still there, and
 * make no Node-API call on the environment after this.
 */
static void on_env_gone(void *arg) {
  struct watcher *w = arg;
  w->env_gone = 1;
  if (!w->stopped) close_poll(w);
}

static void stop(struct watcher *w) {
  if (w->stopped) return;
  if (!w->env_gone) napi_remove_env_cleanup_hook(w->env, on_env_gone, w);
  close_poll(w);
}

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  struct watcher *w = data;
  w->finalized = 1;
  if (w->closed) free(w);
  else stop(w);
}

static struct watcher *get_watcher(napi_env env, napi_value v) {
  void *data = NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok) return NULL;
  return data;
}

static napi_value nl_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  napi_valuetype t;
  if (argc != 2 || get_int(env, argv[0], &fd) || napi_typeof(env, argv[1], &t) != napi_ok || t != napi_function) return fail(env, "watch(fd, callback)");
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return fail(env, "watch: no event loop");
  struct watcher *w = calloc(1, sizeof *w);
  if (w != NULL) w->poll = procspec_new_poll();
  if (w == NULL || w->poll == NULL) {
    free(w);
    return fail(env, "watch: out of memory");
  }
  int r = uv_poll_init(loop, w->poll, fd);
  if (r < 0) {
    free(w->poll);
    free(w);
    return number(env, r);
  }
  uv_handle_set_data(UV_HANDLE(w->poll), w);
  w->env = env;
  napi_value name;
  napi_create_string_utf8(env, "procspec:netlink", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->context);
  napi_create_reference(env, argv[1], 1, &w->callback);
  napi_add_env_cleanup_hook(env, on_env_gone, w);
  r = uv_poll_start(w->poll, UV_READABLE, on_poll);
  napi_value handle;
  napi_create_external(env, w, finalize_handle, NULL, &handle);
  if (r < 0) {
    stop(w);
    return number(env, r);
  }
  return handle;
}

static napi_value nl_unwatch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct watcher *w = argc == 1 ? get_watcher(env, argv[0]) : NULL;
  if (w == NULL) return fail(env, "unwatch(handle)");
  stop(w);
  return NULL;
}

static napi_value nl_ref_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct watcher *w = argc == 2 ? get_watcher(env, argv[0]) : NULL;
  bool ref;
  if (w == NULL || napi_get_value_bool(env, argv[1], &ref) != napi_ok) return fail(env, "refWatch(handle, ref)");
  if (!w->stopped) {
    if (ref) uv_ref(UV_HANDLE(w->poll));
    else uv_unref(UV_HANDLE(w->poll));
  }
  return NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  static const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {
    {"open", nl_open}, {"send", nl_send}, {"recv", nl_recv}, {"setRcvBuf", nl_set_rcvbuf}, {"getRcvBuf", nl_get_rcvbuf},
    {"close", nl_close}, {"watch", nl_watch}, {"unwatch", nl_unwatch}, {"refWatch", nl_ref_watch},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}
