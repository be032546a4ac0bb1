#!/usr/bin/env python
"""The adaptation library for small inputs: build it, evaluate it, ship it.

    python benchmarks/adaptation_library.py [--model models/genes_v6.pt] [--window 30000]
        [--windows 25] [--genomes G1,G2] [--write]

1. Each of the 13 tuning genomes (11 training, 2 validation; never a test genome) is scored by
   ``--model`` and decoded whole; what adapting to it learns (dicodon, upstream, motif and
   start-codon tables and its start model) is its library entry
   (:class:`genoseq.genes.library.AdaptationLibrary`).
2. Evaluation: ``--windows`` windows of ``--window`` bases of each of ``--genomes`` (seeded),
   each decoded as an input of its own, scored by ``--model``, once without the library and
   once with a library that leaves the window's own genome out. Sensitivity, exact starts and
   precision of the genes wholly inside the windows are printed, per genome and as a mean.
   The network has seen the training genomes, so both arms are flattered alike there; the two
   validation genomes are out of sample.
3. ``--write`` saves the library of all 13 beside the registered genes-default model
   (``models/genes_v6_library.npz`` for ``genes_v6.pt``; a new network needs a new library, as its
   first-pass genes differ), records its file and sha256 in the model's settings
   (``adaptation_library``) and exports the ONNX file again (a release step).
"""
from __future__ import annotations

import argparse
import ast
import dataclasses
import sys
from pathlib import Path

import pandas as pd

from genoseq.datapaths import default_data_root
from genoseq.genes.api import GenePredictor
from genoseq.genes.dataset import DEFAULT_EXCLUDED, DEFAULT_TEST, DEFAULT_VALIDATION
from genoseq.genes.library import AdaptationLibrary, LibraryGenome
from genoseq.nn.checkpoint import sha256_file

sys.path.insert(0, str(Path(__file__).parent))
from start_prior import genome_adaptation, print_windows, rewrite_genes_default, window_figures, windows_of  # noqa: E402
from tune_decoder import cached_scores  # noqa: E402  (benchmarks/tune_decoder.py)

WINDOW_GENOMES = ("mgallisepticum_rlow,mthermautotrophicus_dh,bsubtilis_best7003,hinfluenzae_rd_kw20,"
                  "nmeningitidis_mc58,rdenitrificans_och114,mtuberculosis_h37rv,macetivorans_c2a,spyogenes_m1_gas")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-root", default=str(default_data_root()))
    ap.add_argument("--model", default="models/genes_v6.pt")
    ap.add_argument("--genomes", default=WINDOW_GENOMES, help="genomes whose windows are evaluated")
    ap.add_argument("--window", type=int, default=30_000)
    ap.add_argument("--windows", type=int, default=25, help="windows per genome (0: no evaluation)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--cache", default="runs/score_cache", help="network scores of whole genomes")
    ap.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE",
                    help="decoder settings for the evaluation, e.g. library_genes=50")
    ap.add_argument("--write", action="store_true", help="ship the library with the registered genes-default model")
    args = ap.parse_args()
    root = Path(args.data_root) / "genomes"
    manifest = pd.read_csv(root / "MANIFEST.tsv", sep="\t").set_index("short_name")
    options = {name: ast.literal_eval(value) for name, value in (item.split("=", 1) for item in args.set)}
    if options and args.write:
        raise SystemExit("--set is for evaluations; --write ships the code's default settings")
    base = GenePredictor.load(args.model, "cpu", precision="fp32", **options)
    genomes = []
    # the tuning genomes: every shared genome but the test genomes and the excluded one (never these)
    tuning = [g for g in manifest.index if g not in DEFAULT_TEST + DEFAULT_EXCLUDED]
    assert set(DEFAULT_VALIDATION) <= set(tuning) and len(tuning) == 13, tuning
    for genome in tuning:
        table = int(manifest.loc[genome, "genetic_code"])
        scored = cached_scores(base, root / genome / "genome.fna.gz", Path(args.cache))
        genomes.append(LibraryGenome(genome, table, genome_adaptation(base, scored, table)))
        print(f"# {genome}: table {table}", flush=True)
    rows = []
    for genome in (args.genomes.split(",") if args.windows else []):
        table = int(manifest.loc[genome, "genetic_code"])
        windows = windows_of(base, root, genome, args.window, args.windows, args.seed)
        others = AdaptationLibrary([g for g in genomes if g.name != genome])
        for label, library in (("own statistics", None), ("library (leave-one-out)", others)):
            predictor = dataclasses.replace(base, library=library)
            rows.append({"genome": genome, "small inputs": label, **window_figures(predictor, windows, table)})
        print(f"# {genome}: {len(windows)} windows", flush=True)
    print_windows(rows, "small inputs", args.window, args.windows, args.seed)
    if args.write:
        from genoseq.nn.registry import resolve_model

        model_file = resolve_model("genes-default", "genes").file
        target = model_file.with_name(f"{model_file.stem}_library.npz")  # genes_v6.pt -> genes_v6_library.npz
        AdaptationLibrary(genomes).save(target)
        rewrite_genes_default(adaptation_library={"file": target.name, "sha256": sha256_file(target)})


if __name__ == "__main__":
    main()
