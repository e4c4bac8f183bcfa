#!/usr/bin/env bash
# Busy-machine benchmark (Benchmarks/results/busy-machine.md): bp05, the default disc and one
# factorization of the 30k u–p matrix, (a) alone, (b) beside two busy loops (`yes > /dev/null`),
# for two builds of `spinetraction` given as OLD and NEW, interleaved (old a, new a, old b, new b).
# Case (c), two simulations at once in one process, is BusyMachine's --copies 2 (see the results).
#
#   Benchmarks/busy-machine.sh OLD_BINARY NEW_BINARY [bp05|disc|factor30k ...]
set -euo pipefail
old=$1; new=$2; shift 2
cases=("${@:-bp05 disc factor30k}")
[ $# -eq 0 ] && cases=(bp05 disc factor30k)
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
[ -f "$work/poro30k.mtx" ] || "$new" generate poro --size 30k -o "$work/poro30k.mtx" > /dev/null

run() {  # binary case → seconds (wall of the whole run; for factor30k the numeric factorization); a fresh
         # output directory per run (a run directory written by another build is refused, not overwritten)
  local bin=$1 c=$2 t0 t1
  case $c in
    bp05) t0=$(date +%s.%N); "$bin" run "$root/Examples/models/biphasic-unconfined.json" --out "$(mktemp -d -p "$work")/o" --quiet > /dev/null
          t1=$(date +%s.%N); echo "$t1 - $t0" | bc ;;
    disc) t0=$(date +%s.%N); "$bin" disc --out "$(mktemp -d -p "$work")/o" > /dev/null
          t1=$(date +%s.%N); echo "$t1 - $t0" | bc ;;
    factor30k) "$bin" solve "$work/poro30k.mtx" | awk '/^factor s/ {print $3}' ;;
  esac
}

busy() { yes > /dev/null & b1=$!; yes > /dev/null & b2=$!; }
calm() { kill "$b1" "$b2"; wait "$b1" "$b2" 2>/dev/null || true; }

for c in "${cases[@]}"; do
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  oa=$(run "$old" "$c"); na=$(run "$new" "$c")
  busy; ob=$(run "$old" "$c"); nb=$(run "$new" "$c"); calm
  printf "%-10s load %-15s old quiet %8.3f s  new quiet %8.3f s  old busy %8.3f s (%.1fx)  new busy %8.3f s (%.1fx)\n" \
    "$c" "$load" "$oa" "$na" "$ob" "$(echo "$ob / $oa" | bc -l)" "$nb" "$(echo "$nb / $na" | bc -l)"
done
