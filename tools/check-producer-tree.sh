#!/bin/sh
# Parse every file of a producer fixture tree (producers/<name>/proc) with the
# spec its path selects, and print one line per file: ok, refused (with the
# parse error) or "no spec". Then run summary, ps and one top sample on it.
# Usage: tools/check-producer-tree.sh producers/linprocfs/proc   (after npm run build)
set -u
root=${1:?usage: $0 <producer proc tree>}
cli="node $(dirname "$0")/../bin/procspec.js"
ok=0; bad=0; none=0
for f in $(cd "$root" && find . -type f | sed 's|^\./||' | sort); do
	if out=$($cli parse --root "$root" "$root/$f" 2>&1 >/dev/null); then
		ok=$((ok + 1)); echo "ok       $f"
	else
		case $out in
		*"no spec matches"*) none=$((none + 1)); echo "no spec  $f" ;;
		*) bad=$((bad + 1)); echo "REFUSED  $f: ${out#procspec: }" ;;
		esac
	fi
done
echo "$ok parse, $bad refused, $none with no spec"
echo "--- summary"; $cli summary --root "$root" 2>&1
echo "--- ps";      $cli ps --root "$root" 2>&1
echo "--- top -n 1"; $cli top --root "$root" -n 1 2>&1
