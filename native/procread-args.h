/*
 * procread's arguments and results (shared by the parts after this one): the
 * file names of a batch, the flags and descriptors of typed arrays, the
 * errors thrown, and Int32Arrays made from C arrays.
 *
 * Part of native/procread.c, the one translation unit of the procread module:
 * it #includes its parts once each, in order, after the system headers;
 * their functions are static and use those of the parts before them.
 */

/* The file names of a batch (1 to 16, each shorter than 63 bytes) into names; returns their count, or 0 when arr is not that. */
static uint32_t get_names(napi_env env, napi_value arr, char names[16][64], size_t namelen[16]) {
  uint32_t n;
  if (napi_get_array_length(env, arr, &n) != napi_ok || n == 0 || n > 16) return 0;
  for (uint32_t j = 0; j < n; j++) {
    napi_value f;
    if (napi_get_element(env, arr, j, &f) != napi_ok || napi_get_value_string_utf8(env, f, names[j], 64, &namelen[j]) != napi_ok || namelen[j] >= 63) {
      return 0;
    }
  }
  return n;
}

/* Throws "<call>: <why>": an Error when memory ran out, else a TypeError (the arguments are wrong). */
static napi_value failed_with(napi_env env, const char *call, const char *why) {
  char msg[128];
  snprintf(msg, sizeof msg, "%s: %s", call, why);
  if (strcmp(why, "out of memory") == 0) {
    napi_throw_error(env, NULL, msg);
    return NULL;
  }
  return fail(env, msg);
}

/* The flags of `count` files from Uint8Array v into *data; -1 when v is not that. */
static int single_arg(napi_env env, napi_value v, size_t count, void **data) {
  size_t len, off;
  napi_typedarray_type type;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &len, data, &ab, &off) != napi_ok || type != napi_uint8_array || len < count) return -1;
  return 0;
}

/* The descriptors of Int32Array v into *data and *len; -1 when v is not that. */
static int fds_arg(napi_env env, napi_value v, int32_t **data, size_t *len) {
  size_t off;
  napi_typedarray_type type;
  napi_value ab;
  void *d;
  if (napi_get_typedarray_info(env, v, &type, len, &d, &ab, &off) != napi_ok || type != napi_int32_array || *len > 0x7fffffff) return -1;
  *data = d;
  return 0;
}

/* data[0, count) in a new Int32Array (a copy); NULL when it cannot be made. */
static napi_value int32_array(napi_env env, const int32_t *data, uint32_t count) {
  void *mem;
  napi_value ab, arr;
  if (napi_create_arraybuffer(env, (size_t)count * 4, &mem, &ab) != napi_ok) return NULL;
  memcpy(mem, data, (size_t)count * 4);
  if (napi_create_typedarray(env, napi_int32_array, count, ab, 0, &arr) != napi_ok) return NULL;
  return arr;
}
