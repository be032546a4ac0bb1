"""Secondary-structure output formats that PSIPRED, S4PRED and NetSurfP users already read.

- ``ss2``: PSIPRED's VFORMAT, one file per protein: index (4 columns), residue,
  state, then P(C) P(H) P(E) as ``%6.3f``.
- ``horiz``: PSIPRED's HFORMAT, one file per protein: blocks of 60 residues with
  Conf/Pred/AA lines and a position ruler, laid out as psipass2 writes them.
- ``csv``: one row per residue with NetSurfP-2/3's column names, in their order
  (``id, seq, n, [rsa, asa,] q3, p[q3_H], p[q3_E], p[q3_C], q8, p[q8_G] ... p[q8_C],
  [phi, psi,] disorder``); the bracketed columns need labels that the training data
  lacks and are not written. ``disorder`` comes only from models with a disorder head.
- ``fas`` / ``fas8``: per protein ``>ID`` (upper-cased, as S4PRED writes it), the
  sequence and the 3-state (8-state) string, one line each (S4PRED's layout).

Writers take any object with ``id``, ``sequence``, ``p3`` (H E C), ``p8``
(G H I B E S T C), ``q3``, ``q8`` and ``confidence()``.
"""
from __future__ import annotations

import re
from typing import IO, Protocol

import numpy as np

SS3_ORDER = "HEC"
SS8_ORDER = "GHIBESTC"
CSV_COLUMNS = ["id", "seq", "n", "q3", "p[q3_H]", "p[q3_E]", "p[q3_C]", "q8"] + [f"p[q8_{s}]" for s in SS8_ORDER]
DISORDER_COLUMN = "disorder"
PER_PROTEIN_FORMATS = ("ss2", "horiz")
FORMATS = ("ss2", "horiz", "csv", "fas", "fas8")


class SSResult(Protocol):
    id: str
    sequence: str
    p3: np.ndarray
    p8: np.ndarray
    disorder: np.ndarray | None

    @property
    def q3(self) -> str: ...

    @property
    def q8(self) -> str: ...

    def confidence(self) -> np.ndarray: ...


#: "%.3f" and "%6.3f" of every multiple of 0.001 in [0, 1]: formatting by table lookup is
#: several times faster than formatting each float.
_P3 = np.array([f"{i / 1000:.3f}" for i in range(1001)], dtype=object)
_P6 = np.array([f"{i / 1000:6.3f}" for i in range(1001)], dtype=object)
_P3_FIELDS = np.frombuffer("".join("," + p for p in _P3).encode(), dtype=np.uint8).reshape(1001, 6)


def _formatted(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Probabilities as strings, rounded half to even like printf."""
    return table[np.rint(np.clip(values, 0.0, 1.0) * 1000).astype(np.int64)]


def write_ss2(handle: IO[str], pred: SSResult, program: str) -> None:
    handle.write(f"# PSIPRED VFORMAT ({program})\n\n")
    h, e, c = (_formatted(pred.p3[:, k], _P6) for k in range(3))
    lines = [
        f"{i + 1:4d} {aa} {state}  {pc} {ph} {pe}\n"
        for i, (aa, state, pc, ph, pe) in enumerate(zip(pred.sequence, pred.q3, c, h, e))
    ]
    handle.write("".join(lines))


def _ruler(block_start: int, length: int) -> str:
    """psipass2's ruler: a right-aligned number at every tenth position, as far as the sequence goes."""
    out = []
    i = 0
    while i < 56:
        pos = block_start + i + 5
        if pos > length:
            break
        if pos % 10 == 0:
            out.append(f"{pos:5d}")
            i += 5
        else:
            out.append(" ")
            i += 1
    return "".join(out)


def write_horiz(handle: IO[str], pred: SSResult, program: str) -> None:
    conf = "".join(str(int(c)) for c in pred.confidence())
    q3, seq, n = pred.q3, pred.sequence, len(pred.sequence)
    parts = [f"# PSIPRED HFORMAT ({program})\n"]
    for start in range(0, n // 60 * 60 + 1, 60):  # psipass2 writes n // 60 + 1 blocks
        end = min(n, start + 60)
        parts.append(f"\nConf: {conf[start:end]}\nPred: {q3[start:end]}\n  AA: {seq[start:end]}\n"
                     f"      {_ruler(start, n)}\n\n")
    handle.write("".join(parts))


def write_csv_header(handle: IO[str], disorder: bool = False) -> None:
    handle.write(",".join(CSV_COLUMNS + [DISORDER_COLUMN] * disorder) + "\n")


def write_csv_rows(handle: IO[str], pred: SSResult, disorder: bool = False) -> None:
    """One row per residue; ``disorder`` adds the disorder probability (the header must agree).

    Rows are assembled as byte matrices, one per run of residue numbers with the same
    number of digits (every other field has a fixed width), which is an order of
    magnitude faster than joining fields row by row.
    """
    n = len(pred.sequence)
    if n == 0:
        return
    eight = pred.p8
    if disorder:
        if pred.disorder is None:
            raise ValueError("this prediction has no disorder probabilities")
        eight = np.column_stack([pred.p8, pred.disorder])
    # Byte columns in row order; the residue number is filled in per run of equal width.
    prefix = np.frombuffer((_csv_field(pred.id) + ",").encode(), dtype=np.uint8)
    comma = np.full((n, 1), ord(","), dtype=np.uint8)
    columns = [np.broadcast_to(prefix, (n, len(prefix))), _letters(pred.sequence), comma,
               np.empty((n, 0), dtype=np.uint8), comma, _letters(pred.q3), _fixed_width(pred.p3), comma,
               _letters(pred.q8), _fixed_width(eight), np.full((n, 1), ord("\n"), dtype=np.uint8)]
    number_column = 3
    out = []
    first = 1
    while first <= n:
        digits = len(str(first))
        last = min(n, 10**digits - 1)
        numbers = np.arange(first, last + 1)
        places = 10 ** np.arange(digits - 1, -1, -1)
        rows = slice(first - 1, last)
        block = [c[rows] for c in columns]
        block[number_column] = (numbers[:, None] // places % 10 + ord("0")).astype(np.uint8)
        out.append(np.concatenate(block, axis=1).tobytes())
        first = last + 1
    handle.write(b"".join(out).decode())


def _letters(text: str) -> np.ndarray:
    return np.frombuffer(text.encode(), dtype=np.uint8).reshape(-1, 1)


def _fixed_width(values: np.ndarray) -> np.ndarray:
    """Rows of probabilities as ",%.3f" fields, (n, 6 x columns): every value in [0, 1]
    prints 5 characters."""
    indices = np.rint(np.clip(values, 0.0, 1.0) * 1000).astype(np.int64)
    return _P3_FIELDS[indices].reshape(len(values), -1)


def write_fas(handle: IO[str], pred: SSResult, eight_state: bool = False) -> None:
    handle.write(f">{pred.id.upper()}\n{pred.sequence}\n{pred.q8 if eight_state else pred.q3}\n")


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if re.search(r'[",\n]', text) else text


class SafeNames:
    """File names from FASTA ids: characters outside ``[A-Za-z0-9._-]`` become ``_``, a
    leading dot is escaped, and ids that collide get ``_2``, ``_3``, ..."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def __call__(self, ident: str) -> str:
        base = re.sub(r"[^A-Za-z0-9._-]", "_", ident)[:200] or "protein"
        if base.startswith("."):
            base = "_" + base[1:]
        name, k = base, 1
        while name.lower() in self._used:
            k += 1
            name = f"{base}_{k}"
        self._used.add(name.lower())
        return name
