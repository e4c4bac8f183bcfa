#!/usr/bin/env bash
# `limits compute` per patient (Benchmarks/results/limits.md): the wall time of one command per
# example patient, for two builds of `spinetraction` given as OLD and NEW, interleaved (old, new,
# old, new, … REPEATS times per patient). The lumbar patients use the committed surrogate, the
# cervical one full solves (--exact: there is no cervical surrogate); EXACT=1 solves the lumbar
# ones fully too (their force, ramp-up rate, hold and cycles limits: tens of seconds each). Prints per run the wall
# time, the CPU time (user + sys), the load average before the run (/proc/loadavg, 1/5/15 min),
# the limit line and whether the documents of OLD and NEW are byte-identical.
#
#   Benchmarks/limits-compute.sh OLD_BINARY NEW_BINARY [PATIENT ...]
#   REPEATS=3 EXACT=0 (environment, optional); PATIENT: a name under Examples/patients/ without .json
#   (default: limits-healthy limits-osteopenic limits-degenerated limits-cervical)
set -euo pipefail
old=$1; new=$2; shift 2
patients=("$@")
[ $# -eq 0 ] && patients=(limits-healthy limits-osteopenic limits-degenerated limits-cervical)
repeats=${REPEATS:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() {  # label binary patient → one line; the document in $work/<label>-<patient>.json
  local label=$1 bin=$2 patient=$3 load args
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  if grep -q '"cervical"' "$root/Examples/patients/$patient.json"; then
    args=(--session "$root/Examples/patients/limits-session-cervical.json" --exact)
  elif [ "${EXACT:-0}" = 1 ]; then
    args=(--session "$root/Examples/patients/limits-session.json" --exact)
  else
    args=(--session "$root/Examples/patients/limits-session.json" --surrogate "$root/Examples/limits/limits-surrogate.json")
  fi
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$bin" limits compute "$root/Examples/patients/$patient.json" "${args[@]}" \
    --output "$work/$label-$patient.json" > "$work/log" 2>&1
  read -r wall user sys < "$work/time"
  printf "%-22s %-4s load %-15s wall %7.2f s  cpu %7.2f s  %s\n" "$patient" "$label" "$load" "$wall" "$(echo "$user + $sys" | bc)" \
    "$(grep -m1 -E '^force limit|BLOCKED|blocked' "$work/log" | cut -c1-90)"
}

for patient in "${patients[@]}"; do
  for ((k = 0; k < repeats; k++)); do
    run old "$old" "$patient"
    run new "$new" "$patient"
  done
  if cmp -s "$work/old-$patient.json" "$work/new-$patient.json"; then echo "    documents: byte-identical"
  else echo "    documents: differ"; fi
done
