#!/usr/bin/env bash
# `npm run prebuilds`: builds procspec's native modules for every platform the
# package carries binaries for, from the same sources and flags
# (native/flags.sh), against Node-API's headers (node-api-headers), into
# prebuilds/<target>/<name>.node, and writes prebuilds/MANIFEST: the digest
# of the sources, each target's compiler and each binary's sha256.
#
#   linux-x64        x86_64-linux-gnu-gcc   glibc
#   linux-x64-musl   musl-gcc (musl-tools)  musl; Linux's UAPI headers from
#                    linux-libc-dev through a folder holding only linux/, asm/
#                    and asm-generic/ (musl-gcc searches musl's headers alone,
#                    and glibc's folder would mix glibc's headers in)
#   linux-arm64      aarch64-linux-gnu-gcc  glibc (gcc-aarch64-linux-gnu)
#
# `--check` builds into a temporary folder instead and compares: the sources'
# digest must be the one recorded (else the binaries are stale), and every
# target whose compiler is here and says the same version as recorded must
# come out byte for byte the same; a target whose compiler is missing or
# another version is reported as not compared. Exit 1 on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."

. native/flags.sh
native_flags "$PWD"
check=0
[ "${1:-}" = --check ] && check=1

targets=(linux-x64 linux-x64-musl linux-arm64)
compiler() {
  case "$1" in
    linux-x64) echo x86_64-linux-gnu-gcc ;;
    linux-x64-musl) echo musl-gcc ;;
    linux-arm64) echo aarch64-linux-gnu-gcc ;;
  esac
}
version_of() { # the compiler's first --version line; musl's version after musl-gcc's (its libc.so says it when run)
  local v
  v="$("$1" --version 2>/dev/null | head -1)"
  if [ "$1" = musl-gcc ]; then
    for lib in /usr/lib/x86_64-linux-musl/libc.so /usr/lib/musl/lib/libc.so /usr/local/musl/lib/libc.so; do
      [ -x "$lib" ] && { v="$v, musl $("$lib" 2>&1 | sed -n 's/^Version //p')"; break; }
    done
  fi
  echo "$v"
}

inc="$(node -p 'require("path").join(require.resolve("node-api-headers/package.json"), "..", "include")')"
headers="$(node -p 'require("node-api-headers/package.json").version')"
sources="$(cat native/*.c native/*.h native/flags.sh | sha256sum | cut -d' ' -f1)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# The UAPI folder for musl-gcc.
mkdir -p "$tmp/uapi"
ln -s /usr/include/linux "$tmp/uapi/linux"
ln -s /usr/include/asm-generic "$tmp/uapi/asm-generic"
ln -s /usr/include/x86_64-linux-gnu/asm "$tmp/uapi/asm"

build_target() { # target outdir
  local t="$1" out="$2" cc extra=()
  cc="$(compiler "$t")"
  [ "$t" = linux-x64-musl ] && extra=(-isystem "$tmp/uapi")
  mkdir -p "$out"
  for src in native/*.c; do
    "$cc" "${NATIVE_FLAGS[@]}" -I"$inc" "${extra[@]}" -o "$out/$(basename "$src" .c).node" "$src"
  done
}

manifest=prebuilds/MANIFEST
if [ $check = 0 ]; then
  for t in "${targets[@]}"; do
    command -v "$(compiler "$t")" >/dev/null || { echo "prebuild: $(compiler "$t") is missing (apt-get install musl-tools gcc-aarch64-linux-gnu)" >&2; exit 1; }
  done
  for t in "${targets[@]}"; do build_target "$t" "$tmp/out/$t"; done
  rm -rf prebuilds
  mkdir prebuilds
  cp -r "$tmp/out/." prebuilds/
  {
    echo "# Written by native/prebuild.sh (npm run prebuilds); checked by native/prebuild.sh --check."
    echo "sources $sources"
    echo "node-api-headers $headers"
    echo "napi-version $NAPI_VERSION"
    for t in "${targets[@]}"; do echo "toolchain $t $(version_of "$(compiler "$t")")"; done
    (cd prebuilds && find . -name '*.node' | sort | sed 's|^\./||' | xargs sha256sum)
  } >"$manifest"
  for t in "${targets[@]}"; do
    for f in prebuilds/"$t"/*.node; do echo "$f $(stat -c %s "$f") bytes"; done
  done
  exit 0
fi

[ -f "$manifest" ] || { echo "prebuild check: $manifest is missing"; exit 1; }
status=0
recorded="$(sed -n 's/^sources //p' "$manifest")"
if [ "$recorded" = "$sources" ]; then
  echo "sources: as recorded ($sources)"
else
  echo "sources: changed since the binaries were built (recorded $recorded, now $sources): run npm run prebuild"
  status=1
fi
for t in "${targets[@]}"; do
  cc="$(compiler "$t")"
  want="$(sed -n "s/^toolchain $t //p" "$manifest")"
  if ! command -v "$cc" >/dev/null; then
    echo "$t: not compared ($cc is missing)"
    continue
  fi
  have="$(version_of "$cc")"
  if [ "$have" != "$want" ]; then
    echo "$t: not compared ($cc is \"$have\", the binaries were built with \"$want\")"
    continue
  fi
  build_target "$t" "$tmp/out/$t"
  if (cd "$tmp/out" && grep " $t/" "$OLDPWD/$manifest" | sha256sum --quiet -c -) && [ "$(ls "$tmp/out/$t" | wc -l)" = "$(grep -c " $t/" "$manifest")" ]; then
    if cmp -s <(cd "$tmp/out/$t" && sha256sum ./*.node) <(cd "prebuilds/$t" && sha256sum ./*.node); then
      echo "$t: reproduced byte for byte ($(ls "$tmp/out/$t" | wc -l) modules)"
    else
      echo "$t: rebuilt as recorded in $manifest, but prebuilds/$t/ holds other bytes"
      status=1
    fi
  else
    echo "$t: the rebuilt binaries differ from $manifest"
    status=1
  fi
done
exit $status
