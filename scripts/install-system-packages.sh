#!/usr/bin/env bash
# Installs the Debian packages SpineTraction builds and runs against, when missing:
# LAPACK/BLAS headers and link names, OpenBLAS serving them, METIS for nested dissection;
# Slurm (slurmctld, slurmd, sbatch) and munge for population sweeps as job arrays
# (scripts/slurm-local.sh configures and starts them; installing does not start a cluster).
set -euo pipefail
packages=(liblapack-dev libblas-dev libopenblas0-pthread libmetis-dev slurm-wlm munge)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
fi
