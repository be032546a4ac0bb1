#!/usr/bin/env python
"""Keep a GPU session's fold networks in the repository, where later sessions find them.

    python benchmarks/keep_folds.py runs/gpu benchmarks/folds

``runs/gpu`` is what ``benchmarks/gpu_folds.sh`` wrote (unpacked from the device call's
``folds.tar``): ``folds.txt`` and ``fold_*/best.pt``. The fold networks are what the decoder is
tuned with (``benchmarks/tune_oof.sh``, ``benchmarks/start_prior.py``): each scores the training
genomes it never saw. ``runs/`` is scratch and does not outlive a session (session 12's were lost
that way), so the best checkpoints are copied, without optimizer state, with ``folds.txt`` and each
fold's ``metrics.csv`` (its epochs: which one ``best.pt`` is). The
target's ``folds.txt`` keeps its other folds, so folds trained in different sessions add up.
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from genoseq.nn.registry import save_slim


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", type=Path, help="gpu_folds.sh's runs/gpu")
    ap.add_argument("target", type=Path, help="the folder to commit, e.g. benchmarks/folds")
    args = ap.parse_args()
    folds = args.source / "folds.txt"
    if not folds.exists():
        raise SystemExit(f"{folds}: not found (is {args.source} gpu_folds.sh's runs/gpu?)")
    args.target.mkdir(parents=True, exist_ok=True)
    new = [line for line in folds.read_text().splitlines() if line.strip()]
    names = {line.split(":")[0] for line in new}
    kept_file = args.target / "folds.txt"
    old = kept_file.read_text().splitlines() if kept_file.exists() else []
    kept = [line for line in old if line.strip() and line.split(":")[0] not in names]
    kept_file.write_text("".join(f"{line}\n" for line in kept + new))
    for line in new:
        name = line.split(":")[0]
        (args.target / name).mkdir(exist_ok=True)
        save_slim(args.source / name / "best.pt", "genes", args.target / name / "best.pt")
        if (args.source / name / "metrics.csv").exists():
            shutil.copy(args.source / name / "metrics.csv", args.target / name / "metrics.csv")
        print(f"{args.target / name / 'best.pt'}: {(args.target / name / 'best.pt').stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
