"""Write SS predictions in the formats the user picked, all-or-nothing."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from genoseq.errors import GenoseqError
from genoseq.io import ssfmt
from genoseq.io.atomic import OutputSet
from genoseq.ss.decode import SSPrediction

STREAM_FILES = {"csv": "ss.csv", "fas": "ss3.fas", "fas8": "ss8.fas"}


@dataclass
class SSSummary:
    proteins: int = 0
    residues: int = 0


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in ssfmt.FORMATS]
    if unknown or not formats:
        raise GenoseqError(f"unknown output format {','.join(unknown) or text!r} (choose from {', '.join(ssfmt.FORMATS)})")
    return list(dict.fromkeys(formats))


def write_ss_outputs(predictions: Iterable[SSPrediction], outdir: str, formats: list[str], outputs: OutputSet,
                     program: str, disorder: bool = False) -> SSSummary:
    """``outdir`` ``-`` sends the single stream format (csv, fas or fas8) to stdout; with
    ``disorder`` (a model with a disorder head) the CSV ends with NetSurfP's disorder column."""
    if outdir == "-":
        if len(formats) != 1 or formats[0] not in STREAM_FILES:
            raise GenoseqError("-o - (stdout) takes exactly one of the formats csv, fas, fas8")
        streams = {formats[0]: outputs.open("-")}
    else:
        streams = {f: outputs.open(Path(outdir) / STREAM_FILES[f]) for f in formats if f in STREAM_FILES}
    if "csv" in streams:
        ssfmt.write_csv_header(streams["csv"], disorder)
    names = ssfmt.SafeNames()
    summary = SSSummary()
    for pred in predictions:
        summary.proteins += 1
        summary.residues += len(pred.sequence)
        if "csv" in streams:
            ssfmt.write_csv_rows(streams["csv"], pred, disorder)
        if "fas" in streams:
            ssfmt.write_fas(streams["fas"], pred)
        if "fas8" in streams:
            ssfmt.write_fas(streams["fas8"], pred, eight_state=True)
        per_protein = [f for f in formats if f in ssfmt.PER_PROTEIN_FORMATS]
        if per_protein:
            name = names(pred.id)
            if "ss2" in per_protein:
                with outputs.open(Path(outdir) / f"{name}.ss2") as handle:
                    ssfmt.write_ss2(handle, pred, program)
            if "horiz" in per_protein:
                with outputs.open(Path(outdir) / f"{name}.horiz") as handle:
                    ssfmt.write_horiz(handle, pred, program)
    if summary.proteins == 0:
        raise GenoseqError("no protein sequences in the input")
    return summary
