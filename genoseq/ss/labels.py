"""DSSP state alphabets and per-residue targets."""
from __future__ import annotations

import numpy as np

#: 8-state DSSP alphabet in the order of the model's 8-state outputs (NetSurfP column order).
SS8 = "GHIBESTC"
#: 3-state alphabet in the order of the model's 3-state outputs.
SS3 = "HEC"
#: The usual reduction: G, H, I -> H; B, E -> E; S, T, C -> C.
SS8_TO_SS3 = np.array([SS3.index(s) for s in "HHHEECCC"], dtype=np.int64)
IGNORE = -100  # torch's default ignore_index

_SS8_TABLE = np.full(256, -1, dtype=np.int64)
for _i, _s in enumerate(SS8):
    _SS8_TABLE[ord(_s)] = _i
_SS8_TABLE[ord("-")] = _SS8_TABLE[ord(" ")] = SS8.index("C")  # DSSP blank = coil


def ss8_targets(ss8: str, resolved: str | None = None) -> np.ndarray:
    """8-state class indices of a DSSP string; unresolved residues get :data:`IGNORE`."""
    codes = _SS8_TABLE[np.frombuffer(ss8.encode("ascii"), dtype=np.uint8)]
    if (codes < 0).any():
        raise ValueError(f"not a DSSP 8-state string: {ss8[:30]!r}")
    if resolved is not None:
        mask = np.frombuffer(resolved.encode("ascii"), dtype=np.uint8) == ord("0")
        codes = codes.copy()
        codes[mask] = IGNORE
    return codes


def ss3_from_ss8(targets8: np.ndarray) -> np.ndarray:
    """3-state targets from 8-state ones (IGNORE kept)."""
    out = np.full_like(targets8, IGNORE)
    ok = targets8 >= 0
    out[ok] = SS8_TO_SS3[targets8[ok]]
    return out
