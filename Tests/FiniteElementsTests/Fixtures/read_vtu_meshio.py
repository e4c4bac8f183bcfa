"""Reads a VTU file with meshio (an independent reader) and prints JSON:
{"points": [[x,y,z],...], "cells": {"hexahedron20": [[n0,...],...]}, "point_data": {...}, "cell_data": {...}}
Used by VTUTests when `python3 -c "import meshio"` works (pip install meshio)."""
import json
import sys

import meshio

m = meshio.read(sys.argv[1])
out = {
    "points": m.points.tolist(),
    "cells": {block.type: block.data.tolist() for block in m.cells},
    "point_data": {k: v.reshape(len(m.points), -1).tolist() for k, v in m.point_data.items()},
    "cell_data": {k: [a.reshape(len(a), -1).tolist() for a in v] for k, v in m.cell_data.items()},
}
json.dump(out, sys.stdout)
