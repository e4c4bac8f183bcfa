#!/usr/bin/env bash
# Motion-segment session benchmark (Benchmarks/results/motion-segment.md): the example L4-L5
# motion segment of a 70 kg patient, free swelling, a 60 s lying preload, then CYCLES cycles of
# 10 s ramp up / 60 s hold / 10 s ramp down / 30 s rest (15 cycles = the 28.5-min session), on the
# coarse (2 × 8 × 2) and/or standard (2 × 16 × 6) mesh, for two builds of `spinetraction` given as
# OLD and NEW, interleaved (old, new, old, new, … REPEATS times). Prints per run the wall time, the
# CPU time (user + sys of the process), the run report's timing line and the load average
# before the run (/proc/loadavg, 1/5/15 min).
#
#   Benchmarks/motion-segment-session.sh OLD_BINARY NEW_BINARY [coarse|standard ...]
#   CYCLES=15 REPEATS=1 SPINETRACTION_THREADS=2 (environment, optional)
set -euo pipefail
old=$1; new=$2; shift 2
meshes=("$@")
[ $# -eq 0 ] && meshes=(coarse standard)
cycles=${CYCLES:-15}
repeats=${REPEATS:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$root" "$work" "$cycles" <<'PY'
import json, sys
root, work, cycles = sys.argv[1], sys.argv[2], int(sys.argv[3])
m = json.load(open(f'{root}/Examples/models/motion-segment.json'))
p = m.pop('protocol'); m.pop('bodyMassKg', None); p['intermittent']['cycles'] = cycles
json.dump(p, open(f'{work}/protocol.json', 'w'))
m['outputs']['times'] = {'every': 10}
for name, (r, a, h) in {'coarse': (2, 8, 2), 'standard': (2, 16, 6)}.items():
    m['mesh']['generate']['ellipticCylinder']['divisions'] = {'radial': r, 'around': a, 'height': h}
    json.dump(m, open(f'{work}/session-{name}.json', 'w'))
PY

run() {  # label binary mesh → one line
  local label=$1 bin=$2 mesh=$3 out load
  out=$(mktemp -d -p "$work")/o
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$bin" run "$work/session-$mesh.json" --protocol "$work/protocol.json" \
    --body-mass 70 --out "$out" > "$work/log" 2>&1
  read -r wall user sys < "$work/time"
  printf "%-8s %-4s load %-15s wall %8.2f s  cpu %8.2f s\n" "$mesh" "$label" "$load" "$wall" "$(echo "$user + $sys" | bc)"
  grep -E "^biphasic model:|^linear solver" "$work/log" | sed 's/^/    /'
  grep -E "largest|^ALL|^LF|^ISL|^SSL" "$work/log" | head -6 | sed 's/^/    /'
}

for mesh in "${meshes[@]}"; do
  for ((k = 0; k < repeats; k++)); do
    run old "$old" "$mesh"
    run new "$new" "$mesh"
  done
done
