#!/usr/bin/env bash
# Builds the libFuzzer target for the TractionSafety limits loader and runs it for a bounded time.
#   scripts/fuzz-smoke.sh [seconds]   (default 60)
# Crashing inputs are written to Fuzz/regressions/crash-* ; rename them to *.bin and commit them:
# LimitsLoaderTests.fuzzRegressionInputs replays every Fuzz/regressions/*.bin.
# How it is built (no SwiftPM, no swift-crypto): Fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
build=.build/fuzz
mkdir -p "$build" "$build/corpus" Fuzz/regressions
sources=$(find Sources/TractionSafety -name '*.swift' ! -path '*/Crypto/*' | sort)
swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name TractionSafety \
  $sources Fuzz/CryptoStub.swift Fuzz/FuzzHarness.swift -o "$build/fuzz-limits-loader" 2>"$build/compile.log" \
  || { cat "$build/compile.log"; exit 1; }
# Seed: the committed corpus (never modified by the run); new inputs go to .build/fuzz/corpus.
"$build/fuzz-limits-loader" "$build/corpus" Fuzz/corpus \
  -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix=Fuzz/regressions/ -print_final_stats=1 2>&1 | tee "$build/last-run.log" | grep -E "^#|Done|ERROR|stat::" | tail -20
