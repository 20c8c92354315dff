#!/usr/bin/env bash
# Builds the optional native modules (native/*.c: the batch reader of the
# process table, and the kernel interfaces Node has no API for) against
# Node's own headers, one native/build/<name>.node per source. procspec works
# without them (node:fs is used instead, and the APIs that need one say they
# are unavailable), so a machine without a C compiler or headers only loses
# those: this script never fails the install.
cd "$(dirname "$0")/.."
inc="$(node -p 'require("path").join(process.execPath, "..", "..", "include", "node")')"
[ -f "$inc/node_api.h" ] || inc=/usr/include/node
if ! command -v cc >/dev/null || [ ! -f "$inc/node_api.h" ]; then
  echo "native modules not built (no cc or Node headers): procspec reads through node:fs"
  exit 0
fi
mkdir -p native/build
for src in native/*.c; do
  name="$(basename "$src" .c)"
  out="native/build/$name.node"
  if cc -O2 -Wall -pthread -shared -fPIC -I"$inc" -o "$out" "$src" 2>"native/build/$name.log"; then
    echo "native module built: $out"
  else
    echo "native module $name not built (see native/build/$name.log)"
  fi
done
exit 0
