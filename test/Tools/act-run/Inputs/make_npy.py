"""Writes the .npy inputs of the act-run tests into the folder argv[1]."""

import os
import sys

import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(1)
special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -10.0, -3.0, 3.0, 6.0,
                    20.0, 1e-40, -1e-40, 3e38, -3e38], dtype=np.float32)
x = np.concatenate([special, rng.uniform(-12, 12, 5000).astype(np.float32)])
np.save(os.path.join(out, "x.npy"), x)
# Powers of two: dy * f'(x) then has the ULP error of f'(x) (DESIGN.md sec. 5
# bounds f'), plus none from the scaling.
dy = rng.choice([-1.0, 1.0], x.size) * 2.0 ** rng.integers(-3, 4, x.size)
np.save(os.path.join(out, "dy.npy"), dy.astype(np.float32))
np.save(os.path.join(out, "x2d.npy"), x[:5000].reshape(50, 100))
np.save(os.path.join(out, "x_f16.npy"), x.astype(np.float16))
np.save(os.path.join(out, "x_f64.npy"), x.astype(np.float64))
np.save(os.path.join(out, "short.npy"), x[:10])
np.save(os.path.join(out, "empty.npy"), np.zeros(0, dtype=np.float32))
np.save(os.path.join(out, "fortran.npy"), np.asfortranarray(x[:12].reshape(3, 4)))
with open(os.path.join(out, "x.npy"), "rb") as f:
    data = f.read()
with open(os.path.join(out, "truncated.npy"), "wb") as f:
    f.write(data[: len(data) - 7])
with open(os.path.join(out, "garbage.npy"), "wb") as f:
    f.write(b"this is not a numpy file at all")
with open(os.path.join(out, "zero.npy"), "wb") as f:
    pass


def raw_npy(name, shape_text, payload=b""):
    """A version-1 .npy file with a hand-written shape and payload."""
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % shape_text
    header += " " * (118 - len(header)) + "\n"
    with open(os.path.join(out, name), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little"))
        f.write(header.encode() + payload)


# A header claiming 10^15 elements over 16 bytes of data, and one whose
# element count overflows 64 bits: errors, not allocations.
raw_npy("huge.npy", "(1000000000000000,)", b"\0" * 16)
raw_npy("overflow.npy", "(4294967296, 4294967296, 4294967296)", b"\0" * 16)
