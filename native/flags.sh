# The compiler flags of every build of procspec's native modules (sourced by
# native/build.sh and native/prebuild.sh). Node-API 3 is the lowest version
# the sources need (napi_fatal_exception, napi_add_env_cleanup_hook;
# napi_get_uv_event_loop is 2): a module built against it loads in every
# Node from 20 on. libuv is reached through native/uv-abi.h (see there).
# The output has no build id, no debug information and no symbol table, and
# paths are mapped, so the same compiler makes the same bytes from the same
# sources wherever the checkout is.
NAPI_VERSION=3
native_flags() { # sets NATIVE_FLAGS; $1: the folder whose paths are mapped away (may hold spaces)
  NATIVE_FLAGS=(-std=gnu11 -O2 -Wall -Werror=implicit-function-declaration -pthread -shared -fPIC -fvisibility=hidden
    "-DNAPI_VERSION=$NAPI_VERSION" "-ffile-prefix-map=$1=." -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--as-needed -s)
}
