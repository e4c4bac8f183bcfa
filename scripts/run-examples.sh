#!/usr/bin/env bash
# Runs `spinetraction run` on every model file in Examples/models/ (release build) and fails on
# the first that does not succeed. The numbers each example writes are checked against closed
# forms by the SpineModel tests; this proves the command-line path end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/spinetraction
[ -x "$bin" ] || swift build -c release --product spinetraction
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for model in Examples/models/*.json; do
  name=$(basename "$model" .json)
  start=$(date +%s%N)
  "$bin" run "$model" --out "$out/$name" --quiet
  [ -s "$out/$name/results.json" ] || { echo "run-examples: $model wrote no results.json" >&2; exit 1; }
  printf 'run-examples: %-34s ok (%d ms)\n' "$name" $(( ($(date +%s%N) - start) / 1000000 ))
done
echo "run-examples: every one of the $(ls Examples/models/*.json | wc -l) example models ran"
