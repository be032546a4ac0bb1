#!/usr/bin/env python
"""Rebuild the example inputs in this folder.

    pip download --no-binary :all: --no-deps biopython==1.88 -d /tmp/bp
    python data/make_examples.py /tmp/bp/biopython-1.88.tar.gz

writes pPCP1.fna (FASTA), pPCP1.gff3 (its CDS annotation as GFF3) and pPCP1.faa
(the record's own protein translations, named by protein_id), from Biopython's
source distribution.

    python data/make_examples.py --ep ../shared/data/enhancers

writes the enhancer-promoter example in ep/: the chr22 rows of the K562 CRISPR
benchmark, of the genome-wide K562 landscape and of its gene promoter table.
"""
import gzip
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


EP_SLICES = {  # output name -> file of the shared enhancers folder, and its chromosome column
    "chr22_pairs.tsv.gz": ("crispr_combined_K562_training.GRCh38.tsv.gz", "chrom"),
    "chr22_landscape.tsv.gz": ("k562_landscape/K562_DHS_elements_ENCODE_uniform.hg38.tsv.gz", "chr"),
    "chr22_genes.tsv.gz": ("k562_landscape/K562_gene_promoter_activity_ENCODE_uniform.hg38.tsv.gz", "chr"),
}


def ep_example(enhancers: str) -> None:
    """One development chromosome (chr22) of the shared enhancer data, rows kept as they are."""
    out = Path(__file__).parent / "ep"
    out.mkdir(exist_ok=True)
    for name, (source, column) in EP_SLICES.items():
        with gzip.open(Path(enhancers) / source, "rt") as handle:
            header = handle.readline()
            index = header.rstrip("\n").split("\t").index(column)
            rows = [line for line in handle if line.split("\t", index + 1)[index] == "chr22"]
        with gzip.GzipFile(out / name, "wb", mtime=0) as target:  # mtime 0: the same bytes every time
            target.write((header + "".join(rows)).encode())


if __name__ == "__main__":
    if sys.argv[1] == "--ep":
        ep_example(sys.argv[2])
    else:
        main(sys.argv[1])
