#!/usr/bin/env bash
# The main job: install what is missing, build in release mode, run the default simulation.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh
swift build -c release --product spinetraction
exec .build/release/spinetraction "$@"
