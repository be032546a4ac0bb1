"""GFF3: read CDS features (training labels, evaluation) and write gene calls."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Mapping
from urllib.parse import quote, unquote

from genoseq.errors import InputError
from genoseq.io.fasta import open_text


@dataclass
class CDSFeature:
    """A coding sequence from an annotation; multi-part CDS have several parts.

    Coordinates are 1-based and inclusive, as in GFF3; ``parts`` is sorted
    along the genome. ``phase`` is the GFF3 phase of the part holding the
    5' end of the CDS (non-zero for 5'-partial CDS).
    """

    seqid: str
    strand: str
    id: str
    parts: list[tuple[int, int]] = field(default_factory=list)
    phase: int = 0
    pseudo: bool = False
    partial: bool = False
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def start(self) -> int:
        return self.parts[0][0]

    @property
    def end(self) -> int:
        return self.parts[-1][1]

    @property
    def stop_coordinate(self) -> int:
        """The genome coordinate of the 3' end (the last base of the stop codon)."""
        return self.end if self.strand == "+" else self.start

    @property
    def start_coordinate(self) -> int:
        """The genome coordinate of the 5' end (first base of the start codon)."""
        return self.start if self.strand == "+" else self.end

    @property
    def length(self) -> int:
        return sum(e - s + 1 for s, e in self.parts)


def parse_attributes(text: str) -> dict[str, str]:
    """Parse a GFF3 column-9 string into a dict (values percent-decoded)."""
    attrs: dict[str, str] = {}
    for item in text.strip().split(";"):
        if not item:
            continue
        key, _, value = item.partition("=")
        attrs[unquote(key.strip())] = unquote(value.strip())
    return attrs


def read_cds(path: str | Path) -> list[CDSFeature]:
    """Read every CDS of a GFF3 file (gzip allowed), joining parts that share an ID.

    Pseudo CDS (``pseudo=true`` or a parent pseudogene) are returned with
    ``pseudo=True`` so that callers can mask or skip them.
    """
    features: dict[tuple[str, str], CDSFeature] = {}
    pseudo_genes: set[str] = set()
    handle = open_text(path)
    n_lines = 0
    gff_header = False
    try:
        for lineno, line in enumerate(handle, 1):
            if line.startswith("##FASTA"):
                break
            gff_header = gff_header or line.startswith("##gff-version")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 9:
                raise InputError(f"{path}:{lineno}: not a GFF3 line (expected 9 tab-separated columns)")
            n_lines += 1
            seqid, _, ftype, start, end, _, strand, phase, attr_text = cols
            attrs = parse_attributes(attr_text)
            is_pseudo = attrs.get("pseudo", "").lower() == "true" or "pseudo" in ftype.lower()
            if ftype in ("gene", "pseudogene") and is_pseudo and "ID" in attrs:
                pseudo_genes.add(attrs["ID"])
            if ftype != "CDS":
                continue
            try:
                s, e = int(start), int(end)
            except ValueError:
                raise InputError(f"{path}:{lineno}: start/end are not integers") from None
            if strand not in "+-" or not strand:
                raise InputError(f"{path}:{lineno}: CDS without a strand")
            cid = attrs.get("ID") or f"{seqid}:{s}-{e}:{strand}"
            key = (seqid, cid)
            feat = features.get(key)
            if feat is None:
                feat = features[key] = CDSFeature(seqid, strand, cid, attributes=attrs)
            feat.parts.append((s, e))
            feat.pseudo = feat.pseudo or is_pseudo or attrs.get("Parent", "") in pseudo_genes
            feat.partial = feat.partial or attrs.get("partial", "").lower() in ("true", "10", "01", "11")
            # The 5'-most part's phase: first part on +, last part on -.
            part_phase = int(phase) if phase in ("0", "1", "2") else 0
            if strand == "+" and s <= min(p[0] for p in feat.parts):
                feat.phase = part_phase
            if strand == "-" and e >= max(p[1] for p in feat.parts):
                feat.phase = part_phase
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text GFF3 file") from None
    finally:
        handle.close()
    if n_lines == 0 and not gff_header:  # a GFF3 with a header and no features is a valid empty annotation
        raise InputError(f"{path}: no GFF3 features found")
    out = []
    for feat in features.values():
        feat.parts.sort()
        if feat.attributes.get("Parent", "") in pseudo_genes:
            feat.pseudo = True
        out.append(feat)
    out.sort(key=lambda f: (f.seqid, f.start, f.end))
    return out


_SAFE = " :/._-|()[]{}!@#$^*+?'\"<>~`"
_PLAIN = re.compile("[A-Za-z0-9" + re.escape(_SAFE) + "]*")


def escape(value: str) -> str:
    """Percent-encode characters that GFF3 reserves in column 9 (most values need none)."""
    value = str(value)
    return value if _PLAIN.fullmatch(value) else quote(value, safe=_SAFE)


def format_attributes(attrs: Mapping[str, object]) -> str:
    return ";".join(f"{escape(k)}={escape(str(v))}" for k, v in attrs.items())


def write_gff3_header(handle: IO[str], metadata: Mapping[str, object]) -> None:
    """Write the version pragma and the run's metadata as comment lines."""
    handle.write("##gff-version 3\n")
    for key, value in metadata.items():
        handle.write(f"# {key}: {value}\n")


@dataclass
class GFF3Row:
    """One feature line."""

    seqid: str
    source: str
    type: str
    start: int
    end: int
    score: float | None
    strand: str
    phase: int | None
    attributes: Mapping[str, object]

    def format(self) -> str:
        score = "." if self.score is None else f"{self.score:.1f}"
        phase = "." if self.phase is None else str(self.phase)
        return "\t".join(
            [self.seqid, self.source, self.type, str(self.start), str(self.end), score, self.strand, phase,
             format_attributes(self.attributes)]
        )


def write_sequence_region(handle: IO[str], seqid: str, length: int, circular: bool = False) -> None:
    """A ``##sequence-region`` pragma (and a region feature marking a circular replicon)."""
    handle.write(f"##sequence-region {seqid} 1 {length}\n")
    if circular:
        row = GFF3Row(seqid, "genoseq", "region", 1, length, None, "+", None,
                      {"ID": f"{seqid}_region", "Is_circular": "true"})
        handle.write(row.format() + "\n")
