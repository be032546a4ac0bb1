"""``genoseq-prodigal``: genoseq's gene finder behind Prodigal 2.6.3's command line, so that
tools and pipelines that call ``prodigal`` by name work when pointed at it.

Flags map onto ``genoseq predict-genes``: ``-i`` input (stdin by default), ``-o`` gene
coordinates (stdout by default) in ``-f`` gbk (Prodigal's default), gff or sco, ``-a``
proteins, ``-d`` genes, ``-g`` translation table, ``-c`` closed ends, ``-m`` mask runs of
N, ``-p single`` or ``meta`` (both learn the input's codon usage and start signals: on a
mixture of several genomes' contigs that beats scoring without them, see ``genoseq predict-genes
--help``), ``-q`` quiet. IDs are Prodigal's ``<contig number>_<gene
number>``. ``-n`` is accepted and changes nothing: the start model always scans every
motif. ``-s`` and ``-t`` (Prodigal's start file and training files) are refused.
"""
from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from genoseq import __version__

REFUSED = {
    "-s": "-s (every potential gene with its scores) has no genoseq equivalent",
    "-t": "-t (Prodigal's training files) has no genoseq equivalent: genoseq learns each input's signals itself",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, Prodigal-style exit status
        sys.stderr.write(f"genoseq-prodigal: error: {message}\n")
        sys.exit(1)


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="genoseq-prodigal", add_help=False,
                description="genoseq's gene finder behind Prodigal 2.6.3's flags: tools that call prodigal by "
                            "name work when pointed at genoseq-prodigal.")
    p.add_argument("-a", metavar="FILE", help="write protein translations to FILE")
    p.add_argument("-c", action="store_true", help="closed ends: no genes run off contig edges")
    p.add_argument("-d", metavar="FILE", help="write nucleotide sequences of genes to FILE")
    p.add_argument("-f", default="gbk", choices=("gbk", "gff", "sco"), help="output format (default gbk)")
    p.add_argument("-g", type=int, default=11, help="translation table (default 11)")
    p.add_argument("-h", action="help", help="show this help and exit")
    p.add_argument("-i", metavar="FILE", default="-", help="input FASTA (gzip allowed; default stdin)")
    p.add_argument("-m", action="store_true", help="treat runs of N as masked sequence")
    p.add_argument("-n", action="store_true", help="accepted for compatibility; the start model always scans motifs")
    p.add_argument("-o", metavar="FILE", default="-", help="gene coordinates (default stdout)")
    p.add_argument("-p", default="single", choices=("single", "meta"),
                   help="single: learn the input genome's signals (default); meta: no per-genome adaptation")
    p.add_argument("-q", action="store_true", help="quiet")
    p.add_argument("-v", action="version", version=f"genoseq-prodigal {__version__} (Prodigal 2.6.3 flags)")
    return p


def predict_genes_arguments(argv: list[str]) -> list[str]:
    """The ``genoseq`` arguments that do what Prodigal's ``argv`` asks."""
    for flag, why in REFUSED.items():
        if any(a == flag or (a.startswith(flag) and len(a) > 2 and not a.startswith("--")) for a in argv):
            raise SystemExit(f"genoseq-prodigal: error: {why}")
    args = parser().parse_args(argv)
    out = ["predict-genes", args.i, "--gff", args.o, "--format", args.f, "--proteins", args.a or "none",
           "--genes", args.d or "none", "--tracks", "none", "-g", str(args.g), "--prodigal-ids"]
    out += ["--closed"] * args.c + ["--mask"] * args.m + ["-q"] * args.q
    return out


def main(argv: list[str] | None = None) -> None:
    from genoseq.cli import main as genoseq_main

    genoseq_main(predict_genes_arguments(sys.argv[1:] if argv is None else argv), prog_name="genoseq-prodigal")


if __name__ == "__main__":
    main()
