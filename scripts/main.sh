#!/usr/bin/env bash
# The main job: install what is missing, build in release mode, then
#  1. compare the three ways to decompress a spine on the L4-L5 motion segment of the default
#     patient (Examples/patients/default.json: 70 kg, 175 cm, T-score 0, Pfirrmann II; coarse mesh):
#     a professional table session (15 cycles at 50 % body weight, split table), a home inversion
#     table (60°, 3 min) and self-manipulation (thrusts of 5–30 N·m axial moment, 5 a day for 14
#     days), with screening, published bands and the stature comparison — the table is printed and
#     comparison.json, report.md and SVG plots are written (`spinetraction compare`, output
#     comparison/);
#  2. the bare L4-L5 disc under intermittent traction with its one-line comparison against Wilke
#     et al. 1999 and Ramos & Martin 1994 (`run --example disc`, output disc-results/; a few seconds).
# Extra arguments go to both runs (e.g. --quiet).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh
swift build -c release --product spinetraction
.build/release/spinetraction compare --patient Examples/patients/default.json --mesh coarse --sweep --out comparison "$@"
echo
exec .build/release/spinetraction run --example disc --out disc-results "$@"
