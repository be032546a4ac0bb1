#!/usr/bin/env python
"""Rebuild the example inputs in this folder from Biopython's source distribution.

    pip download --no-binary :all: --no-deps biopython==1.88 -d /tmp/bp
    python data/make_examples.py /tmp/bp/biopython-1.88.tar.gz

Writes pPCP1.fna (FASTA), pPCP1.gff3 (its CDS annotation as GFF3) and pPCP1.faa
(the record's own protein translations, named by protein_id).
"""
import sys
import tarfile
from io import StringIO
from pathlib import Path

from Bio import SeqIO

MEMBER = "biopython-1.88/Tests/GenBank/NC_005816.gb"


def main(sdist: str) -> None:
    here = Path(__file__).parent
    with tarfile.open(sdist) as tar:
        text = tar.extractfile(MEMBER).read().decode()
    record = SeqIO.read(StringIO(text), "genbank")
    seqid = record.id
    (here / "pPCP1.fna").write_text(f">{seqid} {record.description}\n"
                                    + "\n".join(str(record.seq)[i:i + 70] for i in range(0, len(record.seq), 70)) + "\n")
    lines = ["##gff-version 3", f"##sequence-region {seqid} 1 {len(record.seq)}"]
    for feature in record.features:
        if feature.type != "CDS":
            continue
        tag = feature.qualifiers["locus_tag"][0]
        strand = "+" if feature.location.strand == 1 else "-"
        for part in feature.location.parts:
            lines.append("\t".join([seqid, "GenBank", "CDS", str(part.start + 1), str(part.end), ".", strand, "0",
                                    f"ID=cds-{tag};locus_tag={tag}"]))
    (here / "pPCP1.gff3").write_text("\n".join(lines) + "\n")
    proteins = []
    for feature in record.features:
        if feature.type == "CDS" and "translation" in feature.qualifiers:
            name = feature.qualifiers["protein_id"][0]
            product = feature.qualifiers.get("product", [""])[0]
            seq = feature.qualifiers["translation"][0]
            proteins.append(f">{name} {product}\n" + "\n".join(seq[i:i + 60] for i in range(0, len(seq), 60)))
    (here / "pPCP1.faa").write_text("\n".join(proteins) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
