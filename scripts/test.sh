#!/usr/bin/env bash
# The test job: install what is missing, then run every test of the package.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system-packages.sh
scripts/install-python-references.sh
swift build --build-tests
swift test --skip-build
