/*
 * What every native module of procspec does with its arguments and results:
 * throw a TypeError naming the call, take a Buffer's memory or a path, and
 * return a number. Included by each C file of native/ (each builds into a
 * module of its own).
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

/* A path argument into buf (NUL-terminated): its length, or -1 when v is not a string shorter than size - 1 bytes. */
static inline long path_arg(napi_env env, napi_value v, char *buf, size_t size) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, buf, size, &len) != napi_ok || len >= size - 1) return -1;
  return (long)len;
}

/* x as a JavaScript number (a length, a count, or -errno). */
static inline napi_value number(napi_env env, double x) {
  napi_value v;
  napi_create_double(env, x, &v);
  return v;
}

#endif
