"""``genoseq train genes``: fit the gene model on annotated genomes."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from genoseq.errors import GenoseqError
from genoseq.genes.dataset import (
    DEFAULT_EXCLUDED, DEFAULT_TEST, DEFAULT_VALIDATION, AnnotatedGenome, GeneEmphasis, GeneTrainingTask,
    load_annotated_genome,
    load_genomes, prodigal_annotated, read_manifest,
)
from genoseq.genes.model import GeneNetConfig, build_gene_net
from genoseq.nn.registry import load_module
from genoseq.nn.train import TrainSettings, fit

#: training window length (bases) when none is given, rounded down to whole GRU steps
DEFAULT_WINDOW = 3000


def default_training_genomes(data_root: str | Path) -> list[str]:
    """Every genome of the manifest except the validation, test and excluded ones."""
    held_out = set(DEFAULT_VALIDATION) | set(DEFAULT_TEST) | set(DEFAULT_EXCLUDED)
    return [n for n in read_manifest(data_root)["short_name"] if n not in held_out]


def train(
    settings: TrainSettings,
    data_root: str | Path | None = None,
    train_genomes: list[str] | None = None,
    valid_genomes: list[str] | None = None,
    pairs: list[tuple[str, str, int]] | None = None,
    valid_pairs: list[tuple[str, str, int]] | None = None,
    config: GeneNetConfig | None = None,
    batch_size: int = 32,
    window: int | None = None,
    init: str | None = None,
    teacher: str | None = None,
    distill_weight: float = 0.8,
    distill_start: str = "probability",
    no_starts_from: list[str] | None = None,
    choice_weight: float = 0.0,
    emphasis: GeneEmphasis | None = None,
    log=print,
) -> dict[str, float]:
    """Train a gene model; genomes come from ``data_root`` by name and/or explicit
    (fasta, gff3, table) ``pairs``. ``init`` continues from a trained network (its
    architecture replaces ``config``). With a ``teacher`` network, ``distill_weight`` of the
    loss is the teacher's scores on the training genomes (knowledge distillation, e.g. into
    a faster architecture; ``distill_start``: how start sites are matched, see
    :func:`genoseq.genes.dataset.gene_loss`); validation is against the annotation alone.
    ``no_starts_from``: training genomes whose start sites are not learned (their coding
    targets are), by name; "prodigal" names the data root's Prodigal-annotated ones.
    ``choice_weight``: the loss weight of start choice within ORFs
    (:func:`genoseq.genes.dataset.start_choice_loss`). ``emphasis``: extra coding-loss weight for
    the training genomes' short and AT-rich atypical genes (:class:`GeneEmphasis`). ``window``
    (bases) defaults to :data:`DEFAULT_WINDOW` rounded down to whole GRU steps. Returns the best
    validation metrics."""
    model = None
    if init:
        model, entry = load_module(init, "genes", build_gene_net)
        config = model.config
        log(f"starting from {entry.name}")
    config = config or GeneNetConfig()
    if window is not None and window % config.step_bases:
        raise GenoseqError(f"--window must be a multiple of {config.step_bases} (bases per GRU step)")
    if not valid_pairs and (data_root is None or valid_genomes == []):
        # best.pt and early stopping need genomes the network never trains on
        raise GenoseqError("no validation genome: hold out a whole genome with --valid-pair FASTA GFF3 TABLE "
                           "(or --valid-genomes with --data-root)")
    if window is None:  # about 3 kb in whole GRU steps
        window = DEFAULT_WINDOW - DEFAULT_WINDOW % config.step_bases
        log(f"training windows of {window:,} bp")
    train_set, valid_set = [], []
    log("reading and labelling the genomes ...")
    if data_root is not None:
        train_names = train_genomes if train_genomes is not None else default_training_genomes(data_root)
        valid_names = valid_genomes if valid_genomes is not None else list(DEFAULT_VALIDATION)
        train_set += load_genomes(data_root, train_names, emphasis)
        valid_set += load_genomes(data_root, valid_names)
    train_set += [load_annotated_genome(f, g, t, emphasis=emphasis) for f, g, t in pairs or []]
    valid_set += [load_annotated_genome(f, g, t) for f, g, t in valid_pairs or []]
    if not train_set:
        raise GenoseqError("no training genomes given")
    forget_starts(train_set, no_starts_from or [], data_root, log)
    if emphasis is not None and emphasis.active:
        log(f"coding loss x{emphasis.short_factor:g} on genes of <= {emphasis.short_length} bp, "
            f"x{emphasis.atypical_factor:g} on genes with G+C z < -{emphasis.atypical_z:g}")
    log(f"training on {len(train_set)} genome{'s' * (len(train_set) != 1)} ({sum(g.size for g in train_set):,} bp): "
        + ", ".join(g.name for g in train_set))
    log(f"validating on {len(valid_set)} genome{'s' * (len(valid_set) != 1)}: " + ", ".join(g.name for g in valid_set))
    if teacher:
        attach_teacher_scores(train_set, teacher, settings.device, log)
    task = GeneTrainingTask(train_set, valid_set, config, batch_size, window, model=model,
                            distill_weight=distill_weight if teacher else 0.0, distill_start=distill_start,
                            choice_weight=choice_weight)
    return fit(task, settings, log=log)


def forget_starts(genomes: list[AnnotatedGenome], names: list[str], data_root: str | Path | None,
                  log=print) -> None:
    """Drop the start targets of the ``genomes`` named in ``names`` ("prodigal": every genome
    the data root's MANIFEST says Prodigal annotated); unknown names are an error."""
    explicit = set(names) - {"prodigal"}
    wanted = set(explicit)
    if "prodigal" in names:
        if data_root is None:
            raise GenoseqError("'prodigal' in the genomes without start targets needs --data-root (its MANIFEST)")
        wanted |= set(prodigal_annotated(read_manifest(data_root)))
    by_name = {g.name: g for g in genomes}
    unknown = sorted(explicit - set(by_name))
    if unknown:
        raise GenoseqError(f"no training genome named {unknown[0]!r} (genomes without start targets)")
    dropped = sorted(wanted & set(by_name))
    for name in dropped:
        by_name[name].forget_starts()
    if dropped:
        log(f"start sites not learned from: {', '.join(dropped)}")


def attach_teacher_scores(genomes: list[AnnotatedGenome], teacher: str, device: str = "auto", log=print) -> None:
    """Score every contig of ``genomes`` with the ``teacher`` network (float32 arithmetic,
    its own window settings) and keep the scores, as float16, in :attr:`AnnotatedGenome.soft`."""
    import torch

    from genoseq.genes.api import GenePredictor
    from genoseq.genes.scoring import score_sequences

    predictor = GenePredictor.load(teacher, device=device, precision="fp32", engine="torch",
                                   threads=torch.get_num_threads())
    log(f"scoring the training genomes with the teacher {predictor.entry.name} ...")
    for genome in genomes:
        scored = score_sequences(predictor.scorer, ((i, seq) for i, seq in enumerate(genome.seqs)), predictor.windows)
        genome.soft = [scores.astype(np.float16) for _, _, scores in scored]
