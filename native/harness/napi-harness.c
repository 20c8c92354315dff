/*
 * Loads a procspec native module outside Node and runs its registration:
 * the test's stand-in for a Node of another platform (an arm64 module under
 * qemu-aarch64, a musl module on this x86-64 machine). It dlopens the module
 * (so its libc, its relocations and its symbol versions are checked by that
 * platform's dynamic loader), prints the Node-API version the module asks
 * for, then calls napi_register_module_v1 with a stand-in Node-API that
 * prints each function the module registers. Every other napi_* and uv_*
 * function the module refers to is a stub that fails (stubs.h, written by
 * the test from the modules' undefined symbols); registration uses none.
 *
 *   napi-harness MODULE.node   -> "node-api N" and one "export NAME" per function
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef void *napi_env;
typedef void *napi_value;
typedef int napi_status;

#define EXPORTED __attribute__((visibility("default")))

EXPORTED napi_status napi_create_function(napi_env env, const char *name, size_t len, void *cb, void *data, napi_value *out) {
  (void)env, (void)len, (void)cb, (void)data;
  *out = (napi_value)name;
  return 0;
}

EXPORTED napi_status napi_set_named_property(napi_env env, napi_value object, const char *name, napi_value value) {
  (void)env, (void)object, (void)value;
  printf("export %s\n", name);
  return 0;
}

EXPORTED napi_status napi_add_env_cleanup_hook(napi_env env, void (*fn)(void *), void *arg) {
  (void)env, (void)fn, (void)arg;
  return 0;
}

#include "stubs.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: napi-harness MODULE.node\n");
    return 2;
  }
  void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  int32_t (*version)(void) = (int32_t(*)(void))dlsym(h, "node_api_module_get_api_version_v1");
  napi_value (*init)(napi_env, napi_value) = (napi_value(*)(napi_env, napi_value))dlsym(h, "napi_register_module_v1");
  if (init == NULL) {
    fprintf(stderr, "no napi_register_module_v1\n");
    return 1;
  }
  printf("node-api %d\n", version != NULL ? (int)version() : -1);
  static int exports_object;
  return init((napi_env)&exports_object, (napi_value)&exports_object) == (napi_value)&exports_object ? 0 : 1;
}
