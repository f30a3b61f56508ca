"""Writes the PTX of every gpu.binary object in an MLIR file (argv[1]) to
argv[2].N.ptx, undoing MLIR's string escapes."""
import re
import sys

text = open(sys.argv[1]).read()
count = 0
for m in re.finditer(r'assembly = "((?:[^"\\]|\\.)*)"', text):
    ptx = re.sub(r'\\([0-9A-Fa-f]{2})',
                 lambda h: chr(int(h.group(1), 16)), m.group(1))
    ptx = ptx.replace('\\\\', '\\').replace('\\"', '"')
    with open(f"{sys.argv[2]}.{count}.ptx", "w") as out:
        out.write(ptx)
    count += 1
print(f"{count} PTX module(s)")
