#!/usr/bin/env bash
# Builds procspec's native modules with this machine's C compiler, one
# native/build/<name>.node per native/*.c, for a platform the package has no
# prebuilt binary for (prebuilds/, made by native/prebuild.sh), or to try a
# change to the sources. Nothing runs this at install: procspec works without
# the modules (node:fs is used instead, and the APIs that need one say they
# are unavailable), and runtime/reading/native-load.ts, which loads the
# modules, prefers a matching prebuilt binary over native/build/
# (PROCSPEC_NATIVE=build loads native/build/ only).
#
# Headers: Node-API's own (the npm package node-api-headers, a dev
# dependency) when installed, else those of the running Node; either way the
# modules ask for Node-API 3 only (native/flags.sh). CC picks the compiler.
cd "$(dirname "$0")/.."
. native/flags.sh
native_flags "$PWD"
cc="${CC:-cc}"
inc="$(node -p 'try { require("path").join(require.resolve("node-api-headers/package.json"), "..", "include") } catch { "" }' 2>/dev/null)"
[ -n "$inc" ] && [ -f "$inc/node_api.h" ] || inc="$(node -p 'require("path").join(process.execPath, "..", "..", "include", "node")')"
[ -f "$inc/node_api.h" ] || inc=/usr/include/node
if ! command -v "$cc" >/dev/null || [ ! -f "$inc/node_api.h" ]; then
  echo "native modules not built (no $cc or Node-API headers): procspec uses prebuilt binaries or reads through node:fs"
  exit 0
fi
mkdir -p native/build
status=0
for src in native/*.c; do
  name="$(basename "$src" .c)"
  out="native/build/$name.node"
  if "$cc" "${NATIVE_FLAGS[@]}" -I"$inc" -o "$out" "$src" 2>"native/build/$name.log"; then
    echo "native module built: $out"
  else
    echo "native module $name not built (see native/build/$name.log)"
    status=1
  fi
done
# Fails only when asked to (PROCSPEC_BUILD_STRICT=1): a missing module is a fallback, not an error.
[ "${PROCSPEC_BUILD_STRICT:-0}" = 1 ] && exit $status
exit 0
