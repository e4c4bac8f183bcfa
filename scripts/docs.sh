#!/usr/bin/env bash
# Builds the DocC documentation of every public module (swift-docc-plugin) into .build/plugins/Swift-DocC/outputs/ (reusing the debug build);
# fails on a catalog that does not build. CI runs it; open the .doccarchive folders in Xcode or
# serve them with `swift package --disable-sandbox preview-documentation --target NAME`.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(SparseLinearAlgebra FiniteElements Biomechanics SpineModel TractionSafety)
args=()
for t in "${targets[@]}"; do args+=(--target "$t"); done
swift package --disable-sandbox generate-documentation "${args[@]}" > /tmp/spinetraction-docs.log 2>&1 || { tail -40 /tmp/spinetraction-docs.log; echo "docs: generate-documentation failed" >&2; exit 1; }
grep -qE '(^|: )error:' /tmp/spinetraction-docs.log && { grep -E '(^|: )error:' /tmp/spinetraction-docs.log | head -20; echo "docs: a catalog failed to build" >&2; exit 1; }
archives=$(grep -c "\.doccarchive$" /tmp/spinetraction-docs.log || true)
[ "$archives" -ge "${#targets[@]}" ] || { tail -40 /tmp/spinetraction-docs.log; echo "docs: $archives archives for ${#targets[@]} modules" >&2; exit 1; }
echo "docs: built $archives catalogs into .build/plugins/Swift-DocC/outputs/ ($(grep -c 'warning:' /tmp/spinetraction-docs.log || true) DocC warnings, listed in /tmp/spinetraction-docs.log)"
