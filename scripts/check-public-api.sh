#!/usr/bin/env bash
# Fails when a public declaration of the library's modules has `Unsafe…Pointer` in its signature:
# a researcher's API never takes pointers (kernels and scratch buffers are `package` or internal).
# Reads the symbol graphs that `swift package dump-symbol-graph` writes (public symbols only).
set -euo pipefail
cd "$(dirname "$0")/.."
swift package dump-symbol-graph --minimum-access-level public > /tmp/spinetraction-symbolgraph.log 2>&1 || { cat /tmp/spinetraction-symbolgraph.log; exit 1; }
dir=$(sed -n 's/^Files written to //p' /tmp/spinetraction-symbolgraph.log | tail -n 1)
[ -n "$dir" ] || dir=$(find .build -type d -name symbolgraph | head -n 1)
python3 - "$dir" <<'PY'
import json, sys, os, glob
modules = ["SparseLinearAlgebra", "FiniteElements", "Biomechanics", "SpineModel", "TractionSafety", "SpineTraction"]
bad, seen = [], 0
for m in modules:
    for path in glob.glob(os.path.join(sys.argv[1], f"{m}.symbols.json")) + glob.glob(os.path.join(sys.argv[1], f"{m}@*.symbols.json")):
        graph = json.load(open(path))
        for s in graph.get("symbols", []):
            if s.get("accessLevel") not in ("public", "open"): continue
            # Members a type inherits from standard-library protocol extensions (e.g. Collection's
            # withContiguousStorageIfAvailable) are not declared here: symbol graphs mark them
            # synthesized and give them no source location.
            if "::SYNTHESIZED::" in s.get("identifier", {}).get("precise", "") or "location" not in s: continue
            seen += 1
            text = "".join(f.get("spelling", "") for f in s.get("declarationFragments", []))
            # The C entry points of the controller module (@_cdecl, traction_safety.h) are a C API: pointers by design.
            if "Unsafe" in text and "@_cdecl" not in text:
                loc = s.get("location", {})
                bad.append(f'{m}: {".".join(s["pathComponents"])} — {text}  ({os.path.basename(loc.get("uri", "?"))}:{loc.get("position", {}).get("line", 0) + 1})')
print(f"check-public-api: {seen} public symbols read in {sys.argv[1]}")
if bad:
    print(f"check-public-api: {len(bad)} public declarations take unsafe pointers (make them package or internal):")
    for b in bad: print("  " + b)
    sys.exit(1)
print("check-public-api: no public declaration takes an unsafe pointer")
PY
