"""Writes the Gmsh test fixtures with the real gmsh program (PyPI `gmsh` 4.15).

Run:  python3 make_fixtures.py   (in this folder)

- box_tet4.msh / box_tet10.msh: box [0,2]x[0,1]x[0,1], volume group "block",
  surface groups "left" (x=0), "right" (x=2), "bottom" (z=0), "top" (z=1).
- box_hex8.msh / box_hex20.msh / box_hex27.msh: the same box, transfinite 2x2x2 hexahedra.
- cylinder_tet10.msh: cylinder radius 1, height 2 (axis z), volume "disc",
  surfaces "bottom", "top", "outer".
All files: MSH 4.1 ASCII.
"""
import gmsh


def box(name, order, hexes, incomplete=False):
    gmsh.initialize()
    gmsh.option.setNumber("General.Terminal", 0)
    gmsh.model.add(name)
    v = gmsh.model.occ.addBox(0, 0, 0, 2, 1, 1)
    gmsh.model.occ.synchronize()
    faces = {}
    for dim, tag in gmsh.model.getBoundary([(3, v)], oriented=False):
        x, y, z = gmsh.model.occ.getCenterOfMass(dim, tag)
        if abs(x) < 1e-9: faces.setdefault("left", []).append(tag)
        elif abs(x - 2) < 1e-9: faces.setdefault("right", []).append(tag)
        elif abs(z) < 1e-9: faces.setdefault("bottom", []).append(tag)
        elif abs(z - 1) < 1e-9: faces.setdefault("top", []).append(tag)
    gmsh.model.addPhysicalGroup(3, [v], name="block")
    for k, tags in faces.items():
        gmsh.model.addPhysicalGroup(2, tags, name=k)
    if hexes:
        for c in gmsh.model.getEntities(1):
            gmsh.model.mesh.setTransfiniteCurve(c[1], 3)
        for s in gmsh.model.getEntities(2):
            gmsh.model.mesh.setTransfiniteSurface(s[1])
            gmsh.model.mesh.setRecombine(2, s[1])
        gmsh.model.mesh.setTransfiniteVolume(v)
    else:
        gmsh.option.setNumber("Mesh.MeshSizeMin", 0.7); gmsh.option.setNumber("Mesh.MeshSizeMax", 0.7)
    gmsh.option.setNumber("Mesh.SecondOrderIncomplete", 1 if incomplete else 0)
    gmsh.model.mesh.generate(3)
    if order > 1:
        gmsh.model.mesh.setOrder(order)
    gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
    gmsh.option.setNumber("Mesh.Binary", 0)
    gmsh.write(name + ".msh")
    gmsh.finalize()


def cylinder():
    gmsh.initialize()
    gmsh.option.setNumber("General.Terminal", 0)
    gmsh.model.add("cylinder")
    v = gmsh.model.occ.addCylinder(0, 0, 0, 0, 0, 2, 1)
    gmsh.model.occ.synchronize()
    groups = {}
    for dim, tag in gmsh.model.getBoundary([(3, v)], oriented=False):
        x, y, z = gmsh.model.occ.getCenterOfMass(dim, tag)
        key = "bottom" if abs(z) < 1e-9 else ("top" if abs(z - 2) < 1e-9 else "outer")
        groups.setdefault(key, []).append(tag)
    gmsh.model.addPhysicalGroup(3, [v], name="disc")
    for k, tags in groups.items():
        gmsh.model.addPhysicalGroup(2, tags, name=k)
    gmsh.option.setNumber("Mesh.MeshSizeMin", 0.6); gmsh.option.setNumber("Mesh.MeshSizeMax", 0.6)
    gmsh.model.mesh.generate(3)
    gmsh.model.mesh.setOrder(2)
    gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
    gmsh.option.setNumber("Mesh.Binary", 0)
    gmsh.write("cylinder_tet10.msh")
    gmsh.finalize()


box("box_tet4", 1, False)
box("box_tet10", 2, False)
box("box_hex8", 1, True)
box("box_hex20", 2, True, incomplete=True)
box("box_hex27", 2, True)
cylinder()
