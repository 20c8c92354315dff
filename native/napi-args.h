/*
 * What every native module of procspec does with its arguments: throw a
 * TypeError naming the call, and take a Buffer's memory. Included by each
 * C file of native/ (each builds into a module of its own).
 */
#ifndef PROCSPEC_NAPI_ARGS_H
#define PROCSPEC_NAPI_ARGS_H
#include <node_api.h>
#include <stdbool.h>

/* Throws a TypeError with `msg`; returns NULL for the function to return. */
static inline napi_value fail(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

/* The memory of Buffer `v` into data and len: 0, or -1 when v is not a Buffer. */
static inline int buffer_arg(napi_env env, napi_value v, char **data, size_t *len) {
  bool is;
  if (napi_is_buffer(env, v, &is) != napi_ok || !is) return -1;
  void *d;
  if (napi_get_buffer_info(env, v, &d, len) != napi_ok) return -1;
  *data = d;
  return 0;
}

#endif
