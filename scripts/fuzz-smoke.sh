#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for a bounded time.
#   scripts/fuzz-smoke.sh [seconds-per-target] [target ...]
#     seconds-per-target  default 60 (CI passes 30: 4 × 30 s = 2 min of fuzzing)
#     target              limits-loader | gmsh | matrix-market | model-file (default: all four)
# Targets (how each is built, no SwiftPM: Fuzz/README.md):
#   limits-loader  TractionSafety's LimitsLoader (+ envelope), seed Fuzz/corpus,              crashes → Fuzz/regressions/
#   gmsh           FiniteElements' GmshReader.parse,            seed Fuzz/corpus-gmsh,         crashes → Fuzz/regressions-gmsh/
#   matrix-market  SparseLinearAlgebra's MatrixMarket.read/readDense, seed Fuzz/corpus-matrixmarket, crashes → Fuzz/regressions-matrixmarket/
#   model-file     SpineModel's Model.parse + validate() and the JSON writer round trip, seed Fuzz/corpus-modelfile + Examples/models, crashes → Fuzz/regressions-modelfile/
# Rename a crash to *.bin, fix the bug and commit it: the unit tests replay every *.bin there.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(limits-loader gmsh matrix-market model-file)
build=.build/fuzz
mkdir -p "$build/modules"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -package-name SpineTraction)   # `package` access across the modules, as SwiftPM does
lapack=(-I Sources/CLAPACK -I Sources/CMetis)

compile() {  # compile <log> swiftc-args...
  local log="$1"; shift
  swiftc "$@" 2>"$log" || { cat "$log"; exit 1; }
}

sparse_library() {  # SparseLinearAlgebra as an instrumented static library (shared by gmsh and matrix-market)
  [ -f "$build/libSparseLinearAlgebra.a" ] && [ -z "$(find Sources/SparseLinearAlgebra -newer "$build/libSparseLinearAlgebra.a" -name '*.swift')" ] && return
  compile "$build/compile-sparse.log" "${flags[@]}" -module-name SparseLinearAlgebra "${lapack[@]}" \
    -emit-module -emit-module-path "$build/modules/SparseLinearAlgebra.swiftmodule" -emit-library -static \
    -o "$build/libSparseLinearAlgebra.a" $(find Sources/SparseLinearAlgebra -name '*.swift' | sort)
}

library() {  # library <module> <source dir or file...>: an instrumented static library + module, rebuilt when a source is newer
  local module="$1"; shift
  local lib="$build/lib$module.a"
  [ -f "$lib" ] && [ -z "$(find "$@" -newer "$lib" -name '*.swift')" ] && return
  compile "$build/compile-$module.log" "${flags[@]}" -module-name "$module" -I "$build/modules" "${lapack[@]}" \
    -emit-module -emit-module-path "$build/modules/$module.swiftmodule" -emit-library -static \
    -o "$lib" $(find "$@" -name '*.swift' ! -path 'Sources/TractionSafety/Crypto/*' | sort)
}

model_stack() {  # SpineModel and everything below it, in dependency order (crypto: Fuzz/README.md)
  sparse_library
  library FiniteElements Sources/FiniteElements
  library Biomechanics Sources/Biomechanics
  library Crypto Fuzz/CryptoStub.swift Fuzz/ModelFile/CryptoSHA256Stub.swift
  library TractionSafety Sources/TractionSafety Fuzz/CryptoStub.swift
  library SpineModel Sources/SpineModel
}

run() {  # run <binary> <seed corpus> <artifact dir> <max_len> [seconds]
  local binary="$1" seed="$2" artifacts="$3" maxlen="$4" seconds="${5:-$seconds}" name
  name=$(basename "$binary")
  mkdir -p "$build/corpus-$name" "$artifacts"
  echo "== $name: ${seconds} s (seed $seed)"
  # Seed: the committed corpus (never modified by the run); new inputs go to .build/fuzz/corpus-<name>.
  "$binary" "$build/corpus-$name" "$seed" -max_total_time="$seconds" -max_len="$maxlen" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 2>&1 | tee "$build/last-run-$name.log" | grep -E "^#|Done|ERROR|stat::" | tail -8
}

for target in "${targets[@]}"; do
  case "$target" in
    limits-loader)
      compile "$build/compile-limits.log" "${flags[@]}" -module-name TractionSafety \
        $(find Sources/TractionSafety -name '*.swift' ! -path '*/Crypto/*' | sort) Fuzz/CryptoStub.swift Fuzz/FuzzHarness.swift \
        -o "$build/fuzz-limits-loader"
      run "$build/fuzz-limits-loader" Fuzz/corpus Fuzz/regressions 8192 ;;
    gmsh)
      sparse_library
      compile "$build/compile-gmsh.log" "${flags[@]}" -module-name FiniteElements -I "$build/modules" "${lapack[@]}" \
        $(find Sources/FiniteElements -name '*.swift' | sort) Fuzz/Gmsh/GmshHarness.swift \
        -L "$build" -lSparseLinearAlgebra -o "$build/fuzz-gmsh"
      run "$build/fuzz-gmsh" Fuzz/corpus-gmsh Fuzz/regressions-gmsh 16384 ;;
    matrix-market)
      sparse_library
      compile "$build/compile-mm.log" "${flags[@]}" -module-name MatrixMarketFuzz -I "$build/modules" "${lapack[@]}" \
        Fuzz/MatrixMarket/MatrixMarketHarness.swift -L "$build" -lSparseLinearAlgebra -o "$build/fuzz-matrix-market"
      run "$build/fuzz-matrix-market" Fuzz/corpus-matrixmarket Fuzz/regressions-matrixmarket 8192 ;;
    model-file)
      # Model.parse + validate() (the whole schema layer, never a simulation) and the JSON writer round trip.
      model_stack
      compile "$build/compile-modelfile.log" "${flags[@]}" -module-name ModelFileFuzz -I "$build/modules" "${lapack[@]}" \
        Fuzz/ModelFile/ModelFileHarness.swift -L "$build" \
        -lSpineModel -lTractionSafety -lCrypto -lBiomechanics -lFiniteElements -lSparseLinearAlgebra -llapack -lblas -lmetis \
        -o "$build/fuzz-model-file"
      seeds="$build/seed-model-file"; rm -rf "$seeds"; mkdir -p "$seeds"
      cp Fuzz/corpus-modelfile/* "$seeds/"; cp Examples/models/*.json "$seeds/"   # same names: one copy each
      run "$build/fuzz-model-file" "$seeds" Fuzz/regressions-modelfile 16384 ;;
    *) echo "unknown target '$target': expected limits-loader, gmsh, matrix-market or model-file" >&2; exit 64 ;;
  esac
done
