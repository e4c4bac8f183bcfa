#!/usr/bin/env bash
# Generates the inventory of third-party components (SOUP / SBOM) as CycloneDX 1.5 JSON:
#   <out>/tractionsafety.cdx.json  the controller module (TractionSafety: Foundation + swift-crypto)
#   <out>/spinetraction.cdx.json   the library and the `spinetraction` CLI
# Usage: scripts/sbom.sh [out-dir] [binary]
#   out-dir  default .build/sbom (a build folder: the inventory is generated, never committed)
#   binary   a built `spinetraction` whose linked system libraries are listed (default: the first of
#            .build/release/spinetraction, .build/debug/spinetraction; built with `swift build
#            --product spinetraction` when neither exists)
# Sources of truth: Swift packages and versions from the resolved graph
# (`swift package show-dependencies --format json`); system libraries from `ldd` of the binary,
# each mapped to its Debian package and version with dpkg-query; the Swift runtime as the toolchain
# version (`swift --version`). A package of the graph whose module has no symbol in the binary
# (test-only, or a dependency of an unused product) is listed with scope "excluded".
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-.build/sbom}"
binary="${2:-}"
if [ -z "$binary" ]; then
  for b in .build/release/spinetraction .build/debug/spinetraction; do [ -x "$b" ] && { binary="$b"; break; }; done
fi
if [ -z "$binary" ]; then swift build --product spinetraction >/dev/null; binary=.build/debug/spinetraction; fi
mkdir -p "$out"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

swift package show-dependencies --format json > "$work/deps.json"
swift --version 2>&1 | head -1 > "$work/swift-version.txt"
nm "$binary" 2>/dev/null | awk '{ print $NF }' > "$work/symbols.txt" || true

# One line per linked library outside the Swift toolchain: "<soname> <package> <version> <arch>".
debian() {  # debian <library path>
  local real pkg
  real=$(readlink -f "$1")
  pkg=$(dpkg-query -S "$real" 2>/dev/null | head -1 | sed 's/: .*//') || true
  [ -z "$pkg" ] && pkg=$(dpkg-query -S "$1" 2>/dev/null | head -1 | sed 's/: .*//') || true
  [ -z "$pkg" ] && { echo "sbom: no Debian package owns $1 ($real)" >&2; exit 1; }
  pkg="${pkg%%,*}"   # "a, b: path" when several packages own a path: the first
  echo "$(basename "$1") ${pkg%%:*} $(dpkg-query -W -f='${Version} ${Architecture}' "$pkg")"
}
: > "$work/library-system.txt"
ldd "$binary" | awk '/=> \// { print $3 }' | grep -v '/swift/' | sort -u | while read -r lib; do debian "$lib"; done \
  | sort -u -k2,2 > "$work/library-system.txt"
# The controller module links no LAPACK, BLAS or METIS: only the Swift runtime and what it needs.
: > "$work/controller-system.txt"
for soname in libc.so.6 libm.so.6 libstdc++.so.6 libgcc_s.so.1; do
  lib=$(ldd "$binary" | awk -v s="$soname" '$1 == s { print $3 }')
  [ -n "$lib" ] && debian "$lib"
done | sort -u -k2,2 > "$work/controller-system.txt"

python3 - "$work" "$out" "$binary" <<'PY'
import json, sys, datetime, pathlib
work, out, binary = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
root = json.loads((work / "deps.json").read_text())
swift_version = (work / "swift-version.txt").read_text().strip()
# Swift module of each package, to check in the binary's symbols whether it is linked.
# A Swift symbol names its module as <length><name> (e.g. "6Crypto"), not preceded by a digit.
import re
modules = {"swift-crypto": "Crypto", "swift-asn1": "SwiftASN1", "swift-argument-parser": "ArgumentParser",
           "swift-property-based": "PropertyBased"}
symbols = (work / "symbols.txt").read_text()
linked = {p for p, m in modules.items() if re.search(rf"\$s(.*\D)?{len(m)}{m}", symbols)}
library_packages = linked
controller_packages = {"swift-crypto"}   # the TractionSafety target's only package dependency (Package.swift)

def walk(node, parent=None):
    for d in node.get("dependencies", []):
        yield d, parent or node["identity"]
        yield from walk(d, d["identity"])

packages = {}
for d, parent in walk(root):
    url = d["url"].removesuffix(".git")
    host_path = url.split("://", 1)[-1]
    packages[d["identity"]] = {
        "type": "library", "name": d["identity"], "version": d["version"],
        "purl": f"pkg:swift/{host_path}@{d['version']}",
        "externalReferences": [{"type": "vcs", "url": d["url"]}],
        "properties": [{"name": "spinetraction:requiredBy", "value": parent}],
    }
    if d["identity"] == "swift-crypto":
        packages[d["identity"]]["description"] = "Swift Crypto; contains a vendored copy of BoringSSL (CCryptoBoringSSL), compiled from source"

def system(path):
    rows = []
    for line in (work / path).read_text().splitlines():
        soname, package, version, arch = line.split()
        rows.append({"type": "library", "name": package, "version": version,
                     "purl": f"pkg:deb/debian/{package}@{version}?arch={arch}",
                     "properties": [{"name": "spinetraction:soname", "value": soname}]})
    return rows

toolchain = {"type": "platform", "name": "swift-toolchain", "version": swift_version.split("Swift version ")[-1].split(" ")[0],
             "description": swift_version + " (Swift runtime, Foundation, Dispatch: linked dynamically from the toolchain)"}

def bom(name, description, swift_names, system_rows):
    comps = [toolchain]
    for ident, comp in sorted(packages.items()):
        if ident in swift_names:
            comps.append(comp)
        elif name == "SpineTraction":
            c = dict(comp); c["scope"] = "excluded"
            c["description"] = "in the resolved package graph but not linked into the binary (no symbols of its module)"
            comps.append(c)
    comps += system_rows
    return {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
            "metadata": {"timestamp": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
                         "component": {"type": "library", "name": name, "version": "0.1.0", "description": description},
                         "properties": [{"name": "spinetraction:linkedBinary", "value": binary}]},
            "components": comps}

out.mkdir(parents=True, exist_ok=True)
(out / "tractionsafety.cdx.json").write_text(json.dumps(
    bom("TractionSafety", "Controller module: Foundation + swift-crypto", controller_packages, system("controller-system.txt")), indent=2) + "\n")
(out / "spinetraction.cdx.json").write_text(json.dumps(
    bom("SpineTraction", "Library and spinetraction CLI", library_packages, system("library-system.txt")), indent=2) + "\n")
for f in ("tractionsafety.cdx.json", "spinetraction.cdx.json"):
    d = json.loads((out / f).read_text())
    print(f"{out / f}: " + ", ".join(f"{c['name']} {c['version']}" for c in d["components"]))
PY
