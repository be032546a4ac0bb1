#!/usr/bin/env python
"""Gene calls when the Shine-Dalgarno signal is gone: genoseq beside Prodigal on genomes whose
ribosome-binding sites were erased.

    python benchmarks/genes_no_sd.py [--data-root ../shared/data] [--genomes a,b,...] [--width 20]
        [--seed 1] [--with-original] [--model genes-default]
    python benchmarks/genes_no_sd.py --write-root runs/erased --genomes a,b,... [--ttg-share 0.4]

``--write-root DIR`` only writes the erased genomes as a data root (``DIR/genomes/<name>/`` with
the unchanged annotation and verified starts, and the MANIFEST), for ``tune_decoder.py --data-root
DIR``, e.g. scored out of sample: ``ARGS="--data-root DIR" bash benchmarks/tune_oof.sh ...``.

Leaderless genomes (many archaea, among them crenarchaea and haloarchaea) start translation
without a Shine-Dalgarno site, and no shared genome is of that kind. This benchmark makes
stand-ins: in each genome the ``--width`` bases upstream of every annotated start are replaced by
random bases of the genome's GC content, wherever no annotated CDS covers them (bases inside a
neighbouring gene are kept, so its coding sequence is not touched). Gene calls are then scored
against the unchanged annotation (``genoseq evaluate genes``' figures). It tests whether start
choice and gene calling hold up without the motif, not how a real leaderless genome's promoter
signals are used.

``--ttg-share F`` also recodes that share of the annotated ATG starts to TTG (where no other
annotated CDS covers the base): a stand-in for TTG-rich genomes such as some crenarchaea, testing
whether each genome's start-codon usage is learned rather than the training genomes' ATG habit.
``--width 0 --ttg-share F`` recodes without erasing. ``--erase-share F`` erases the sites of only that
share of the genes: a genome whose genes are a mixture of the two kinds (haloarchaea translate many
leaderless mRNAs beside Shine-Dalgarno-led ones). ``--promoter`` gives each erased gene an archaeal
TATA box (TTTAWA) 23-27 bases before its start, where a leaderless mRNA's promoter sits: a second
start signal for genome adaptation to find beside the Shine-Dalgarno site.

The default genomes are the tuning genomes whose annotations are not Prodigal's own calls
(training genomes: the network saw their sequence, but not with their sites erased).
"""
from __future__ import annotations

import argparse
import gzip
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from Bio.Seq import reverse_complement

from genoseq.datapaths import default_data_root
from genoseq.genes.dataset import read_manifest
from genoseq.genes.evaluate import evaluate_files
from genoseq.io.fasta import read_dna
from genoseq.io.gff3 import read_cds

sys.path.insert(0, str(Path(__file__).parent))
from genes_draft import genoseq_run, prodigal_run, run_all  # noqa: E402  (benchmarks/genes_draft.py)

GENOMES = ("bsubtilis_best7003,mgallisepticum_rlow,mtuberculosis_h37rv,rdenitrificans_och114,mmaripaludis_s2,"
           "macetivorans_c2a,malvi_atcc29626")


@dataclass(frozen=True)
class StandIn:
    """How a stand-in genome is made from a real one (the options of the same names)."""

    width: int = 20  # intergenic bases before a start to randomise
    seed: int = 1
    ttg_share: float = 0.0  # share of the annotated ATG starts made TTG
    erase_share: float = 1.0  # share of the genes whose sites are erased
    promoter: bool = False  # a TATA box before each erased gene


def erase_sites(folder: Path, out: Path, stand_in: StandIn) -> int:
    """Write the genome of ``folder`` to ``out`` as ``stand_in`` says: the intergenic ``width``
    bases before ``erase_share`` of the annotated starts randomised, ``ttg_share`` of the annotated
    ATG starts made TTG, and with ``promoter`` a TATA box before each erased gene (a leaderless
    mRNA's promoter). Returns how many bases were replaced."""
    width, ttg_share, erase_share = stand_in.width, stand_in.ttg_share, stand_in.erase_share
    rng = random.Random(stand_in.seed)
    recode = random.Random(stand_in.seed + 1)
    pick = random.Random(stand_in.seed + 2)
    seqs = {r.id: bytearray(r.sequence.upper(), "ascii") for r in read_dna(folder / "genome.fna.gz")}
    genes = read_cds(folder / "annotation.gff3.gz")
    depth = {k: np.zeros(len(v), dtype=np.int16) for k, v in seqs.items()}  # annotated CDSs per base
    for f in genes:
        for s, e in f.parts:
            depth[f.seqid][s - 1:e] += 1
    if ttg_share:
        # the start codon's first base, where no other annotated CDS covers it: ATG -> TTG
        # (on the minus strand CAT -> CAA)
        for f in genes:
            seq = seqs[f.seqid]
            if f.strand == "+":
                i, codon, new = f.start - 1, b"ATG", ord("T")
                at = seq[i:i + 3]
            else:
                i, codon, new = f.end - 1, b"CAT", ord("A")
                at = seq[i - 2:i + 1]
            if bytes(at) == codon and depth[f.seqid][i] == 1 and recode.random() < ttg_share:
                seq[i] = new
    gc = sum(v.count(b"G") + v.count(b"C") for v in seqs.values()) / sum(len(v) for v in seqs.values())
    replaced = 0
    for f in genes:
        if erase_share < 1.0 and pick.random() >= erase_share:
            continue
        seq, cover = seqs[f.seqid], depth[f.seqid]
        span = range(f.start - 1 - width, f.start - 1) if f.strand == "+" else range(f.end, f.end + width)
        for i in span:
            if 0 <= i < len(seq) and not cover[i]:
                seq[i] = ord(rng.choice("GC" if rng.random() < gc else "AT"))
                replaced += 1
        if stand_in.promoter:
            # an archaeal TATA box (TTTAWA) whose last base lies 23-27 bases before the start codon,
            # written 5' to 3' on the gene's strand (reverse complement on the minus strand)
            box = "TTTA" + pick.choice("AT") + "A"
            gap = pick.randint(23, 27)
            if f.strand == "+":
                at, text = f.start - 1 - gap - len(box), box
            else:
                at, text = f.end + gap, reverse_complement(box)
            if at >= 0 and at + len(text) <= len(seq) and not cover[at:at + len(text)].any():
                seq[at:at + len(text)] = text.encode()
    out.write_text("".join(f">{k}\n{v.decode()}\n" for k, v in seqs.items()))
    return replaced


def write_root(source: Path, target: Path, names: list[str], stand_in: StandIn) -> None:
    """The erased genomes of ``names`` as a data root's genomes folder (see the module docstring)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "MANIFEST.tsv", target / "MANIFEST.tsv")
    for name in names:
        (target / name).mkdir(exist_ok=True)
        plain = target / name / "genome.fna"
        print(f"# {name}: {erase_sites(source / name, plain, stand_in):,} bases erased", flush=True)
        with open(plain, "rb") as src, gzip.open(target / name / "genome.fna.gz", "wb", compresslevel=1) as dst:
            shutil.copyfileobj(src, dst)
        plain.unlink()
        for extra in ("annotation.gff3.gz", "verified_starts.gff"):
            if (source / name / extra).exists():
                shutil.copy(source / name / extra, target / name / extra)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-root", default=str(default_data_root()))
    ap.add_argument("--genomes", default=GENOMES)
    ap.add_argument("--width", type=int, default=20, help="bases upstream of each start to erase [%(default)s]")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ttg-share", type=float, default=0.0,
                    help="also make this share of the annotated ATG starts TTG (a TTG-rich genome) [%(default)s]")
    ap.add_argument("--erase-share", type=float, default=1.0,
                    help="erase the sites of only this share of the genes, chosen at random: a genome mixing "
                         "genes with and without a Shine-Dalgarno site, as haloarchaea do [%(default)s]")
    ap.add_argument("--promoter", action="store_true",
                    help="give each erased gene a TATA box (TTTAWA) 23-27 bases before its start, as a leaderless "
                         "mRNA's promoter sits (use a --width of 35 or more)")
    ap.add_argument("--with-original", action="store_true", help="also run the unchanged genomes")
    ap.add_argument("--model", default="genes-default")
    ap.add_argument("--write-root", metavar="DIR", help="only write the erased genomes as a data root in DIR")
    args = ap.parse_args()
    root = Path(args.data_root) / "genomes"
    manifest = read_manifest(args.data_root).set_index("short_name")
    stand_in = StandIn(args.width, args.seed, args.ttg_share, args.erase_share, args.promoter)
    if args.write_root:
        write_root(root, Path(args.write_root) / "genomes", args.genomes.split(","), stand_in)
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.genomes.split(","):
            table = str(int(manifest.loc[name, "genetic_code"]))
            erased = Path(tmp) / f"{name}.erased.fna"
            print(f"# {name}: {erase_sites(root / name, erased, stand_in):,} bases erased", flush=True)
            variants = {"sites erased": erased}
            if args.with_original:
                variants["original"] = Path(tmp) / f"{name}.fna"
                variants["original"].write_text("".join(f">{r.id}\n{r.sequence}\n"
                                                        for r in read_dna(root / name / "genome.fna.gz")))
            for variant, fasta in variants.items():
                runs = {"genoseq": genoseq_run(fasta, fasta.with_suffix(".genoseq"), table, args.model)}
                if shutil.which("prodigal"):
                    runs["prodigal 2.6.3"] = prodigal_run(fasta, fasta.with_suffix(".prodigal.gff"), "-g", table)
                for tool, gff in run_all(runs):
                    e = evaluate_files(gff, root / name / "annotation.gff3.gz")
                    rows.append({"genome": name, "variant": variant, "tool": tool, "sensitivity": e.sensitivity,
                                 "exact starts": e.start_exact, "precision": e.precision})
    df = pd.DataFrame(rows)
    print(df.to_markdown(index=False, floatfmt=".4f"))
    print(f"\nMean of {df.genome.nunique()} genomes:\n")
    mean = df.groupby(["variant", "tool"], sort=False)[["sensitivity", "exact starts", "precision"]].mean()
    print(mean.reset_index().to_markdown(index=False, floatfmt=".4f"))


if __name__ == "__main__":
    main()
