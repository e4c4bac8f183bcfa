#!/usr/bin/env bash
# The main job: install what is missing, build in release mode, run the default simulation:
# the embedded L4-L5 disc (biphasic nucleus + fibre-reinforced annulus, osmotic swelling) preloaded
# to lying, then intermittent traction. Extra arguments go to `spinetraction run --example disc`
# (e.g. --out DIR; default disc-results).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh
swift build -c release --product spinetraction
exec .build/release/spinetraction run --example disc "$@"
