#!/usr/bin/env bash
# Installs the independent Python readers that some tests use as references, when missing:
# meshio (reads our VTU files back) and jsonschema (validates the example models against
# Schemas/model.schema.json). Tests that need them are skipped, with the reason printed,
# where they cannot be installed.
set -uo pipefail
command -v python3 >/dev/null 2>&1 || exit 0
missing=()
for m in meshio jsonschema; do python3 -c "import $m" 2>/dev/null || missing+=("$m"); done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Python reference readers: ${missing[*]}" >&2
python3 -m pip install --quiet "${missing[@]}" 2>/dev/null \
  || python3 -m pip install --quiet --break-system-packages "${missing[@]}" \
  || echo "warning: could not install ${missing[*]}; the tests that read back through them will be skipped" >&2
exit 0
