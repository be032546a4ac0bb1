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

def _lookup(alphabet: str, extra: dict[str, int] | None = None) -> np.ndarray:
    table = np.full(256, -1, dtype=np.int64)
    for i, state in enumerate(alphabet):
        table[ord(state)] = i
    for char, index in (extra or {}).items():
        table[ord(char)] = index
    return table


_TABLES = {SS8: _lookup(SS8, {"-": SS8.index("C"), " ": SS8.index("C")}),  # DSSP blank = coil
           SS3: _lookup(SS3)}


def state_indices(states: str, alphabet: str = SS8) -> np.ndarray:
    """Class indices of a state string in ``alphabet`` (:data:`SS8` or :data:`SS3`); -1 for other letters."""
    return _TABLES[alphabet][np.frombuffer(states.encode("ascii"), dtype=np.uint8)]


def ss8_targets(ss8: str, resolved: str | None = None) -> np.ndarray:
    """8-state class indices of a DSSP string; unresolved residues get :data:`IGNORE`."""
    codes = state_indices(ss8, SS8)
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
