/*
 * The few libuv calls psi.c and taskstats.c make, declared here instead of
 * including <uv.h>: the modules are built against Node-API's headers alone
 * (the npm package node-api-headers), which carry no uv.h, so that one binary
 * serves every Node version from 20 on.
 *
 * Node-API hands out the loop (napi_get_uv_event_loop, Node-API 2) and Node
 * exports libuv's functions to addons. libuv keeps its ABI within a major
 * version, and every Node from 20 on embeds libuv 1.x (1.46 in Node 20). So
 * only what libuv 1.x fixes is relied on: these functions' signatures and
 * the enum values below. Handles stay opaque: their memory is sized by
 * uv_handle_size() at run time and their data pointer goes through
 * uv_handle_get_data/uv_handle_set_data (libuv 1.19), so no struct layout is
 * compiled in. Values as in libuv 1.x's include/uv.h.
 */
#ifndef PROCSPEC_UV_ABI_H
#define PROCSPEC_UV_ABI_H
#include <stddef.h>
#include <stdlib.h>

typedef struct uv_loop_s uv_loop_t;
typedef struct uv_handle_s uv_handle_t;
typedef struct uv_poll_s uv_poll_t;

/* uv_handle_type: UV_UNKNOWN_HANDLE 0, then ASYNC, CHECK, FS_EVENT, FS_POLL, HANDLE, IDLE, NAMED_PIPE, POLL. */
enum { PROCSPEC_UV_POLL = 8 };

/* uv_poll_event */
enum { UV_READABLE = 1, UV_WRITABLE = 2, UV_DISCONNECT = 4, UV_PRIORITIZED = 8 };

typedef void (*uv_poll_cb)(uv_poll_t *handle, int status, int events);
typedef void (*uv_close_cb)(uv_handle_t *handle);

size_t uv_handle_size(int type);
void *uv_handle_get_data(const uv_handle_t *handle);
void uv_handle_set_data(uv_handle_t *handle, void *data);
int uv_poll_init(uv_loop_t *loop, uv_poll_t *handle, int fd);
int uv_poll_start(uv_poll_t *handle, int events, uv_poll_cb cb);
int uv_poll_stop(uv_poll_t *handle);
void uv_close(uv_handle_t *handle, uv_close_cb close_cb);
void uv_ref(uv_handle_t *handle);
void uv_unref(uv_handle_t *handle);
const char *uv_err_name(int err);
const char *uv_strerror(int err);

/* A new poll handle's memory (uninitialised; uv_poll_init fills it), or NULL. */
static inline uv_poll_t *procspec_new_poll(void) {
  return (uv_poll_t *)malloc(uv_handle_size(PROCSPEC_UV_POLL));
}

#define UV_HANDLE(p) ((uv_handle_t *)(p))

#endif
