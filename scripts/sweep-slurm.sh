#!/usr/bin/env bash
# A population sweep as a Slurm job array on the local one-node cluster (scripts/slurm-local.sh):
# one array task per shard, each running the release `spinetraction sweep` on its shard, then
# `sweep merge` and a check that the CSV has one row per patient of the population.
#
#   scripts/sweep-slurm.sh POPULATION.json SHARDS OUTDIR [METHOD [SURROGATE]]
#
#   POPULATION.json   population file (Examples/populations/)
#   SHARDS            number of shards N = array tasks (0..N-1)
#   OUTDIR            sweep output directory; the merged table is OUTDIR/limits.csv, task logs OUTDIR/logs/
#   METHOD            exact (default) or surrogate-if-available
#   SURROGATE         surrogate file for surrogate-if-available (default Examples/limits/limits-surrogate.json)
#
# A rerun into the same OUTDIR resumes: complete shards are kept, killed ones compute only their
# missing patients. Environment: SPINETRACTION (binary; default .build/release/spinetraction, built
# when missing), SWEEP_TIME_LIMIT (per-task time limit, default 60 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { echo "usage: $0 POPULATION.json SHARDS OUTDIR [exact|surrogate-if-available]" >&2; exit 64; }
population="$(realpath "$1")"; shards="$2"; out="$3"; method="${4:-exact}"
surrogate_option=""
if [ "$method" = "surrogate-if-available" ]; then
  surrogate="$(realpath "${5:-Examples/limits/limits-surrogate.json}")"
  [ -f "$surrogate" ] || { echo "SURROGATE: no such file: ${5:-Examples/limits/limits-surrogate.json}" >&2; exit 64; }
  surrogate_option="--surrogate \"$surrogate\""
fi
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "SHARDS: expected an integer ≥ 1, got '$shards'" >&2; exit 64; }
[ -f "$population" ] || { echo "POPULATION: no such file: $1" >&2; exit 64; }

bin="${SPINETRACTION:-.build/release/spinetraction}"
if [ ! -x "$bin" ]; then
  swift build -c release --product spinetraction
fi
bin="$(realpath "$bin")"

scripts/slurm-local.sh
mkdir -p "$out/logs"
out="$(realpath "$out")"

start=$(date +%s.%N)
# --wait: sbatch returns when every task has ended, non-zero when any failed.
set +e
job="$(sbatch --parsable --wait --job-name=spinetraction-sweep --array="0-$((shards - 1))" --ntasks=1 --cpus-per-task=1 \
  --time="${SWEEP_TIME_LIMIT:-60}" --output="$out/logs/shard-%a.out" --error="$out/logs/shard-%a.err" \
  --wrap="export OPENBLAS_NUM_THREADS=\$SLURM_CPUS_PER_TASK; exec \"$bin\" sweep \"$population\" --shard \"\$SLURM_ARRAY_TASK_ID/$shards\" --out \"$out\" --method $method $surrogate_option")"
status=$?
set -e
end=$(date +%s.%N)
echo "job ${job%%;*}: $shards array tasks ended with status $status in $(awk "BEGIN { printf \"%.1f\", $end - $start }") s"
if [ $status -ne 0 ]; then
  echo "a shard failed; its log:" >&2
  grep -l . "$out"/logs/shard-*.err 2>/dev/null | head -3 | while read -r f; do echo "== $f" >&2; tail -5 "$f" >&2; done
  exit 1
fi
grep -h '^shard ' "$out"/logs/shard-*.out || true

"$bin" sweep merge "$out" --out "$out/limits.csv"
patients="$(grep -o '"patients"[[:space:]]*:[[:space:]]*[0-9]*' "$population" | grep -o '[0-9]*$')"
rows=$(( $(wc -l < "$out/limits.csv") - 1 ))
if [ "$rows" -ne "$patients" ]; then
  echo "row check FAILED: $rows rows in $out/limits.csv, population has $patients patients" >&2
  exit 1
fi
echo "row check: $rows rows = $patients patients in $out/limits.csv"
