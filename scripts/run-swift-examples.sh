#!/usr/bin/env bash
# Builds and runs every Swift example under Examples/ at its small size (--small: the coarse disc),
# release build; fails on the first that does not exit 0 or prints nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for example in DefaultDisc DegeneratedDisc LogarithmicRamp PullForceSweep; do
  swift build -c release --product "$example" > /dev/null
  start=$(date +%s%N)
  (cd "$out" && "$OLDPWD/.build/release/$example" --small > "$out/$example.txt")
  [ -s "$out/$example.txt" ] || { echo "run-swift-examples: $example printed nothing" >&2; exit 1; }
  printf 'run-swift-examples: %-16s ok (%d ms)\n' "$example" $(( ($(date +%s%N) - start) / 1000000 ))
  sed 's/^/  /' "$out/$example.txt"
done
