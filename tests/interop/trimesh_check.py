"""Loads each file named on the command line with trimesh and prints, as JSON,
its triangle count, volume and whether trimesh sees it as watertight.

Used by trimesh.test.mjs to check files written by `model-studio convert` with
an independent reader. `force="mesh"` concatenates multi-part files (OBJ objects,
3MF build items) into one mesh, as our own statistics do for the whole model.
"""

import json
import sys

import trimesh


def describe(path):
    mesh = trimesh.load(path, force="mesh")
    return {
        "file": path,
        "triangles": int(len(mesh.faces)),
        "volume": float(mesh.volume),
        "watertight": bool(mesh.is_watertight),
        "winding_consistent": bool(mesh.is_winding_consistent),
    }


print(json.dumps([describe(path) for path in sys.argv[1:]]))
