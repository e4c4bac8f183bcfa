#!/usr/bin/env bash
# The main job: install what is missing, build in release mode, then run
#  1. the L4-L5 motion segment of a 70 kg patient (disc between a held and a rigid vertebra, seven
#     ligaments, facets) under 3 professional table cycles at 40 % body weight on a split table:
#     nucleus pressure, imbibed fluid, distraction and per-ligament peak strain with its margins
#     (`spinetraction run --example motion-segment`, output motion-segment-results/);
#  2. the bare L4-L5 disc (biphasic nucleus + fibre-reinforced annulus, osmotic swelling) preloaded
#     to lying, then intermittent traction (`run --example disc`, output disc-results/).
# Extra arguments go to both runs (e.g. --quiet).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh
swift build -c release --product spinetraction
.build/release/spinetraction run --example motion-segment --out motion-segment-results "$@"
echo
exec .build/release/spinetraction run --example disc --out disc-results "$@"
