"""Reads each 3MF file named on the command line with the 3MF Consortium's
lib3mf and prints, as JSON, its triangle count (over all mesh objects; our
writer places each object once) and how many warnings the reader raised.
"""

import json
import sys

import lib3mf


def describe(wrapper, path):
    model = wrapper.CreateModel()
    reader = model.QueryReader("3mf")
    reader.ReadFromFile(path)
    objects = model.GetMeshObjects()
    triangles = 0
    while objects.MoveNext():
        triangles += objects.GetCurrentMeshObject().GetTriangleCount()
    return {"file": path, "triangles": triangles, "warnings": reader.GetWarningCount()}


wrapper = lib3mf.get_wrapper()
print(json.dumps([describe(wrapper, path) for path in sys.argv[1:]]))
