#!/usr/bin/env bash
# Side-by-side benchmark: our `spinetraction solve` vs CHOLMOD (scikit-sparse),
# PARDISO (pypardiso) and SuperLU (scipy) on the same generated Matrix Market
# files, in one run, with the dgemm ceiling measured in the same run.
#
#   scripts/bench-side-by-side.sh                       # full table (elasticity 30k/100k, Poisson 30k, u–p 30k)
#   scripts/bench-side-by-side.sh --matrices elast_small,th_small --repeats 1
#   scripts/bench-side-by-side.sh --solvers cholmod,pardiso   # peers only
# Other options: python3 scripts/bench_side_by_side.py --help
set -euo pipefail
cd "$(dirname "$0")/.."

# Peers' system libraries (CHOLMOD 5.12 and METIS from Debian; OpenBLAS serving libblas.so.3).
scripts/install-system-packages.sh
peers=(libsuitesparse-dev libmetis-dev libopenblas0-pthread)
missing=()
for p in "${peers[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
fi

# Python peers: scikit-sparse 0.4.16 (0.5 needs CHOLMOD ≥ 5.2's API, Debian 12 has 5.12 of SuiteSparse 5),
# pypardiso (ships the MKL runtime), scipy (SuperLU).
if ! python3 -c "import scipy, pypardiso, sksparse.cholmod" 2>/dev/null; then
  python3 -m pip install --quiet scipy pypardiso "scikit-sparse==0.4.16"
fi

swift build -c release --product spinetraction

# Pin every solver to the same thread count; OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE slow
# OpenBLAS on this processor, so they are unset here only (the Python driver also
# strips them from each child's environment).
export OMP_NUM_THREADS="${THREADS:-2}" OPENBLAS_NUM_THREADS="${THREADS:-2}" MKL_NUM_THREADS="${THREADS:-2}"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
  python3 scripts/bench_side_by_side.py --threads "${THREADS:-2}" "$@"
