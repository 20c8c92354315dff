#!/usr/bin/env bash
# Builds the optional native reader (native/procread.c) against Node's own
# headers. procspec works without it (node:fs is used instead), so a machine
# without a C compiler or headers only loses speed: this script never fails
# the install.
cd "$(dirname "$0")/.."
out=native/build/procread.node
inc="$(node -p 'require("path").join(process.execPath, "..", "..", "include", "node")')"
[ -f "$inc/node_api.h" ] || inc=/usr/include/node
if command -v cc >/dev/null && [ -f "$inc/node_api.h" ]; then
  mkdir -p native/build
  if cc -O2 -Wall -shared -fPIC -I"$inc" -o "$out" native/procread.c 2>native/build/log.txt; then
    echo "native reader built: $out"
    exit 0
  fi
  echo "native reader not built (see native/build/log.txt): procspec reads through node:fs"
else
  echo "native reader not built (no cc or Node headers): procspec reads through node:fs"
fi
exit 0
