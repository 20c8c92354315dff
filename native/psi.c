/*
 * Optional native watcher for pressure stall (PSI) triggers: waits for
 * POLLPRI on a pressure file descriptor that already holds a trigger, on
 * Node's own event loop (a libuv uv_poll_t with UV_PRIORITIZED: epoll, no
 * thread, no spinning), and calls back into JavaScript on the loop thread.
 * JavaScript opens the file, writes the trigger, reads the values and closes
 * the descriptor; this module only polls. Without it, watchPressure() says
 * it needs this module (runtime/accounting/pressure-triggers.ts).
 *
 *   watch(fd: number, callback: (outcome: number) => void) -> handle
 *   stop(handle) -> undefined        stop polling; call before closing fd
 *   ref(handle, on: boolean)         whether the watch keeps the loop alive
 *
 * outcome: 0 the trigger fired (POLLPRI); 1 POLLERR, the trigger is gone
 * (its cgroup was removed or its pressure files were turned off); a
 * negative number, -errno, when libuv reported an error. After an outcome
 * other than 0 the watch has stopped polling by itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include "napi-args.h"
#include <poll.h>
#include <stdlib.h>
#include "uv-abi.h"

#define OUTCOME_FIRED 0
#define OUTCOME_GONE 1

struct watch {
  uv_poll_t *poll; /* libuv's, sized at run time (uv-abi.h) */
  napi_env env;
  /* The JavaScript callback, held strongly until stop(). */
  napi_ref callback;
  napi_async_context async;
  int fd;
  int polling;
};

/* What JavaScript holds: cleared by stop(), freed when the handle is collected. */
struct box {
  struct watch *w;
};

static void report(struct watch *w, int outcome) {
  napi_env env = w->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, arg, ret;
  if (napi_get_reference_value(env, w->callback, &cb) == napi_ok && cb != NULL &&
      napi_get_global(env, &recv) == napi_ok /* make_callback wants an object */ && napi_create_int32(env, outcome, &arg) == napi_ok) {
    /* napi_make_callback runs the microtasks and nextTicks the callback queued, as any I/O callback. */
    if (napi_make_callback(env, w->async, recv, cb, 1, &arg, &ret) == napi_pending_exception) {
      napi_value err;
      if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  struct watch *w = uv_handle_get_data(UV_HANDLE(handle));
  int outcome;
  /*
   * A removed cgroup's file polls as POLLERR|POLLPRI, which libuv passes on
   * as UV_PRIORITIZED (POLLERR alone it passes as UV_EBADF); ask the file
   * itself. epoll has already consumed a fired trigger's event, so this
   * poll() sees only POLLERR (the kernel fires at most once per window).
   */
  struct pollfd p = {.fd = w->fd, .events = POLLPRI, .revents = 0};
  int n;
  do n = poll(&p, 1, 0);
  while (n < 0 && errno == EINTR);
  if (n > 0 && (p.revents & POLLERR)) outcome = OUTCOME_GONE;
  else if (status < 0) outcome = status; /* libuv errors are -errno */
  else if (events & UV_PRIORITIZED) outcome = OUTCOME_FIRED;
  else return;
  if (outcome != OUTCOME_FIRED && w->polling) {
    /* epoll is level-triggered: a gone trigger would be reported on every loop turn. */
    uv_poll_stop(w->poll);
    w->polling = 0;
  }
  report(w, outcome);
}

static void on_close(uv_handle_t *handle) {
  struct watch *w = uv_handle_get_data(handle);
  napi_delete_reference(w->env, w->callback);
  napi_async_destroy(w->env, w->async);
  free(w->poll);
  free(w);
}

static void finalize_box(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

static napi_value watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 2) return fail(env, "watch: 2 arguments (fd, callback)");
  int32_t fd;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) return fail(env, "watch: fd must be a descriptor number");
  napi_valuetype t;
  if (napi_typeof(env, argv[1], &t) != napi_ok || t != napi_function) return fail(env, "watch: callback must be a function");
  struct uv_loop_s *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return fail(env, "watch: no event loop");

  struct watch *w = calloc(1, sizeof *w);
  struct box *b = calloc(1, sizeof *b);
  uv_poll_t *ph = procspec_new_poll();
  if (w == NULL || b == NULL || ph == NULL) {
    free(w);
    free(b);
    free(ph);
    napi_throw_error(env, "ENOMEM", "watch: out of memory");
    return NULL;
  }
  w->env = env;
  w->fd = fd;
  w->poll = ph;
  napi_value name;
  napi_create_string_utf8(env, "procspec.pressureTrigger", NAPI_AUTO_LENGTH, &name);
  if (napi_async_init(env, NULL, name, &w->async) != napi_ok) {
    free(w->poll);
    free(w);
    free(b);
    return fail(env, "watch: napi_async_init failed");
  }
  int rc = uv_poll_init(loop, w->poll, fd);
  if (rc == 0) {
    uv_handle_set_data(UV_HANDLE(w->poll), w);
    rc = uv_poll_start(w->poll, UV_PRIORITIZED | UV_DISCONNECT, on_poll);
    if (rc != 0) {
      /* The handle was initialised: it must be closed; on_close frees w. */
      napi_create_reference(env, argv[1], 0, &w->callback);
      uv_close(UV_HANDLE(w->poll), on_close);
      free(b);
    }
  } else {
    napi_async_destroy(env, w->async);
    free(w->poll);
    free(w);
    free(b);
  }
  if (rc != 0) {
    napi_throw_error(env, uv_err_name(rc), uv_strerror(rc));
    return NULL;
  }
  w->polling = 1;
  napi_create_reference(env, argv[1], 1, &w->callback);
  b->w = w;
  napi_value handle;
  if (napi_create_external(env, b, finalize_box, NULL, &handle) != napi_ok) {
    uv_close(UV_HANDLE(w->poll), on_close);
    free(b);
    return fail(env, "watch: napi_create_external failed");
  }
  return handle;
}

static struct box *get_box(napi_env env, napi_value v) {
  void *data = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external) return NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok) return NULL;
  return data;
}

/*
 * Stops polling and closes the handle. uv_close() stops the poll and takes
 * the descriptor out of epoll right away, so the caller may close the fd as
 * soon as this returns; the handle's memory is freed on the next loop turn.
 */
static napi_value stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct box *b = argc == 1 ? get_box(env, argv[0]) : NULL;
  if (b == NULL) return fail(env, "stop: a handle from watch()");
  struct watch *w = b->w;
  if (w != NULL) {
    b->w = NULL;
    w->polling = 0;
    /* Let the callback go now: nothing is reported after stop(). */
    napi_reference_unref(env, w->callback, NULL);
    uv_close(UV_HANDLE(w->poll), on_close);
  }
  return NULL;
}

static napi_value ref(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct box *b = argc == 2 ? get_box(env, argv[0]) : NULL;
  bool on;
  if (b == NULL || napi_get_value_bool(env, argv[1], &on) != napi_ok) return fail(env, "ref: (handle, boolean)");
  if (b->w != NULL) {
    if (on) uv_ref(UV_HANDLE(b->w->poll));
    else uv_unref(UV_HANDLE(b->w->poll));
  }
  return NULL;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value f;
  napi_create_function(env, "watch", NAPI_AUTO_LENGTH, watch, NULL, &f);
  napi_set_named_property(env, exports, "watch", f);
  napi_create_function(env, "stop", NAPI_AUTO_LENGTH, stop, NULL, &f);
  napi_set_named_property(env, exports, "stop", f);
  napi_create_function(env, "ref", NAPI_AUTO_LENGTH, ref, NULL, &f);
  napi_set_named_property(env, exports, "ref", f);
  return exports;
}
