#!/usr/bin/env bash
# npm run bench: the parser benchmark, the process-table benchmark, procspec serve
# against node_exporter (bench/exporter.ts), and
# with BENCH_BASELINE=/path/to/other/checkout (its dist/ built) this build
# against that one (bench/against-build.ts). The refresh mode keeps two files
# per process open: with 10,000 processes that needs more descriptors than
# the usual soft limit, so the run asks for 65536 when prlimit may grant it.
set -euo pipefail
cd "$(dirname "$0")/.."
# What is measured is the package as it ships: the JavaScript tsc builds into
# dist/ (the sources run through tsx carry its transform's helpers, 5-15%
# slower on the process table). The benchmark scripts themselves run with tsx.
npm run -s build
node=(node --expose-gc --import tsx)
run() {
  if command -v prlimit >/dev/null && prlimit --nofile=65536:65536 true 2>/dev/null; then
    prlimit --nofile=65536:65536 "${node[@]}" "$@"
  else
    "${node[@]}" "$@"
  fi
}
run bench/parsers.ts
run bench/processes.ts
run bench/exporter.ts
run bench/exporter-groups.ts
if [[ -n "${BENCH_BASELINE:-}" ]]; then
  # A relative path is taken from where npm was started (npm runs this from the package root).
  run bench/against-build.ts
fi
