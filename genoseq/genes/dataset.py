"""Training data for the gene model: annotated genomes -> random labelled windows."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from genoseq.errors import InputError
from genoseq.genes import DISTILL_STARTS
from genoseq.genes.codes import codon_codes, encode_bases, genetic_code, reverse_codon_codes
from genoseq.genes.encode import encode_batch, reverse_complement_bytes
from genoseq.genes.labels import IGNORE, RC_CHANNELS, cds_positions, contig_labels, reverse_complement_labels
from genoseq.genes.model import GeneNet, GeneNetConfig
from genoseq.genes.orfs import start_candidates
from genoseq.io.fasta import as_bytes, read_dna
from genoseq.io.gff3 import CDSFeature, read_cds

# Roles of the shared genomes (config/config.yaml gives the same roles; a test keeps them equal).
# None of these four is a RAST re-annotation; together they span GC 31-64 %.
#: Validation: picks network checkpoints and tunes the decoder (genetic code 4; an archaeon).
DEFAULT_VALIDATION = ("mgallisepticum_rlow", "mthermautotrophicus_dh")
#: Test: accuracy is reported here; never trained or tuned on.
DEFAULT_TEST = ("ecoli_k12_mg1655", "bjaponicum_usda110")
#: Never trained on: Shigella flexneri is the same species as the E. coli test genome.
DEFAULT_EXCLUDED = ("sflexneri_2a_301",)
#: Genomes with experimentally verified start codons (``verified_starts.gff``): the training
#: genomes' sets may tune the decoder; E. coli's is reported only.
VERIFIED_TUNING = ("mtuberculosis_h37rv", "rdenitrificans_och114")
VERIFIED_TEST = ("ecoli_k12_mg1655",)


#: start-target value of a base whose start label is not learned (:meth:`AnnotatedGenome.forget_starts`)
START_UNKNOWN = 2


@dataclass
class AnnotatedGenome:
    """A genome's contigs (ASCII bytes) and per-base targets."""

    name: str
    table: int
    seqs: list[np.ndarray]
    coding: list[np.ndarray]
    starts: list[np.ndarray]  # uint8 (2, L): 1 a gene starts here, 0 none, START_UNKNOWN not learned
    soft: list[np.ndarray] | None = None  # a teacher network's float16 (9, L) scores per contig, for distillation
    weight: list[np.ndarray] | None = None  # float16 (L,) coding-loss weight per base (:class:`GeneEmphasis`)

    @property
    def size(self) -> int:
        return sum(len(s) for s in self.seqs)

    def forget_starts(self) -> None:
        """Keep the coding targets but learn no start sites from this genome (for annotations
        whose starts are another gene finder's calls rather than curated)."""
        for starts in self.starts:
            starts[:] = START_UNKNOWN


@dataclass(frozen=True)
class GeneEmphasis:
    """Extra weight in the coding loss for the bases of the genes gene finders miss most: short
    genes (at most ``short_length`` bases) and AT-rich atypical ones (G+C more than ``atypical_z``
    standard deviations below the genome's mean gene), e.g. horizontally transferred. A gene
    that is both gets both factors. Factors of 1 leave the loss as it was."""

    short_factor: float = 1.0
    atypical_factor: float = 1.0
    short_length: int = 400
    atypical_z: float = 1.0

    @property
    def active(self) -> bool:
        return self.short_factor != 1.0 or self.atypical_factor != 1.0


def emphasis_weights(seqs: list[np.ndarray], features: list[list[CDSFeature]], emphasis: GeneEmphasis) -> list[np.ndarray]:
    """float16 per-base coding-loss weights of each contig (1 outside emphasised genes)."""
    genes = [(ci, f, cds_positions(f)) for ci, feats in enumerate(features) for f in feats if not f.pseudo]
    genes = [(ci, f, pos[(pos >= 0) & (pos < len(seqs[ci]))]) for ci, f, pos in genes]
    genes = [(ci, f, pos) for ci, f, pos in genes if len(pos)]
    gc = np.array([np.isin(seqs[ci][pos], np.frombuffer(b"GCgc", np.uint8)).mean() for ci, _, pos in genes])
    z = (gc - gc.mean()) / (gc.std() or 1.0) if len(gc) else gc
    weights = [np.ones(len(seq), dtype=np.float16) for seq in seqs]
    for (ci, _, pos), zi in zip(genes, z):
        factor = (emphasis.short_factor if len(pos) <= emphasis.short_length else 1.0) * \
            (emphasis.atypical_factor if zi < -emphasis.atypical_z else 1.0)
        if factor != 1.0:
            weights[ci][pos] = np.maximum(weights[ci][pos], np.float16(factor))
    return weights


def load_annotated_genome(fasta: str | Path, gff: str | Path, table: int = 11, name: str = "",
                          emphasis: GeneEmphasis | None = None) -> AnnotatedGenome:
    """Read a FASTA + GFF3 pair and build per-base targets for every contig (and, with an active
    ``emphasis``, per-base coding-loss weights)."""
    code = genetic_code(table)
    features = read_cds(gff)
    by_seqid: dict[str, list] = {}
    for feat in features:
        by_seqid.setdefault(feat.seqid, []).append(feat)
    genome = AnnotatedGenome(name or Path(fasta).name.split(".")[0], table, [], [], [])
    seen, ids = set(), []
    for record in read_dna(fasta):
        seq = as_bytes(record.sequence).copy()
        labels = contig_labels(len(seq), by_seqid.get(record.id, []), encode_bases(seq), code)
        genome.seqs.append(seq)
        genome.coding.append(labels.coding)
        genome.starts.append(labels.starts)
        seen.add(record.id)
        ids.append(record.id)
    missing = set(by_seqid) - seen
    if missing and len(missing) == len(by_seqid):
        raise InputError(f"{gff}: no seqid matches a FASTA id of {fasta} (e.g. {sorted(missing)[0]!r})")
    if emphasis is not None and emphasis.active:
        genome.weight = emphasis_weights(genome.seqs, [by_seqid.get(i, []) for i in ids], emphasis)
    return genome


def prodigal_annotated(manifest: pd.DataFrame) -> list[str]:
    """The genomes whose reference gene calls are Prodigal's own (RASTtk re-annotations; the
    MANIFEST's ``annotation`` column names Prodigal). They are fine to train on, but scoring a
    decoder against them rewards agreeing with Prodigal, so tuning and reporting leave them out."""
    table = manifest.reset_index() if "short_name" not in manifest.columns else manifest
    named = table["annotation"].fillna("").str.contains("prodigal", case=False)
    return table.loc[named, "short_name"].tolist()


def read_manifest(data_root: str | Path) -> pd.DataFrame:
    """The genomes' MANIFEST.tsv (short_name, genetic_code, ...)."""
    path = Path(data_root) / "genomes" / "MANIFEST.tsv"
    if not path.exists():
        raise InputError(f"{path}: not found (set --data-root to the folder holding genomes/)")
    return pd.read_csv(path, sep="\t")


def load_genomes(data_root: str | Path, names: list[str], emphasis: GeneEmphasis | None = None) -> list[AnnotatedGenome]:
    manifest = read_manifest(data_root).set_index("short_name")
    genomes = []
    for name in names:
        if name not in manifest.index:
            raise InputError(f"genome {name!r} is not in {data_root}/genomes/MANIFEST.tsv")
        folder = Path(data_root) / "genomes" / name
        genomes.append(
            load_annotated_genome(folder / "genome.fna.gz", folder / "annotation.gff3.gz",
                                  int(manifest.loc[name, "genetic_code"]), name, emphasis)
        )
    return genomes


@dataclass
class WindowBatch:
    x: torch.Tensor  # (B, C, L) float
    coding: torch.Tensor  # (B, L) int64, -1 ignored
    starts: torch.Tensor  # (B, 2, L) float targets
    start_mask: torch.Tensor  # (B, 2, L) bool: candidate start codons
    soft: torch.Tensor | None = None  # (B, 9, L) teacher scores; NaN past a contig's end
    start_orf: torch.Tensor | None = None  # (B, 2, L) int64: the ORF (stop) each candidate start shares
    weight: torch.Tensor | None = None  # (B, L) float coding-loss weights (GeneEmphasis)


def orf_groups(codes: np.ndarray) -> np.ndarray:
    """int64 (B, 2, L): for every base of a batch of windows (B, L), on each strand, an id shared by
    the bases of one frame that lie between the same two stop codons, so every start codon of an
    ORF (every start that ends at the same stop) has the same id, unique across the batch.
    Stops are the standard code's (TGA splits the ORFs of code-4 genomes; see :func:`to_batch`)."""
    code = genetic_code(11)
    b, n = codes.shape
    out = np.empty((b, 2, n), dtype=np.int64)
    for strand, codons in enumerate((codon_codes(codes), reverse_codon_codes(codes))):
        stops = code.is_stop[codons]
        for frame in range(3):
            in_frame = stops[:, frame::3]
            # stops of this frame before each base (plus strand: the ORF's 5' side; minus strand,
            # read backwards: its 3' side); either way, one count per ORF
            before = np.cumsum(in_frame, axis=1) - in_frame
            out[:, strand, frame::3] = ((np.arange(b)[:, None] * 2 + strand) * 3 + frame) * (n + 1) + before
    return out


def sample_windows(
    genomes: list[AnnotatedGenome], rng: np.random.Generator, batch_size: int, length: int, rc_prob: float = 0.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Random windows (start aligned to a multiple of 3), genomes weighted by sqrt(size):
    bases, coding classes, start targets and, when every genome has them, teacher scores and
    coding-loss weights."""
    weights = np.sqrt([g.size for g in genomes])
    picks = rng.choice(len(genomes), size=batch_size, p=weights / weights.sum())
    seqs = np.full((batch_size, length), ord("N"), dtype=np.uint8)
    coding = np.full((batch_size, length), IGNORE, dtype=np.int8)
    starts = np.zeros((batch_size, 2, length), dtype=np.uint8)
    with_soft = all(g.soft is not None for g in genomes)
    soft = np.full((batch_size, len(RC_CHANNELS), length), np.nan, dtype=np.float16) if with_soft else None
    weight = np.ones((batch_size, length), dtype=np.float16) if all(g.weight is not None for g in genomes) else None
    for row, gi in enumerate(picks):
        genome = genomes[gi]
        sizes = np.array([len(s) for s in genome.seqs], dtype=np.float64)
        ci = rng.choice(len(sizes), p=sizes / sizes.sum())
        n = len(genome.seqs[ci])
        begin = 3 * int(rng.integers(0, max(1, (n - length) // 3 + 1)))
        end = min(n, begin + length)
        seqs[row, : end - begin] = genome.seqs[ci][begin:end]
        coding[row, : end - begin] = genome.coding[ci][begin:end]
        starts[row, :, : end - begin] = genome.starts[ci][:, begin:end]
        if soft is not None:
            soft[row, :, : end - begin] = genome.soft[ci][:, begin:end]  # type: ignore[index]
        if weight is not None:
            weight[row, : end - begin] = genome.weight[ci][begin:end]  # type: ignore[index]
        if rng.random() < rc_prob:
            seqs[row] = reverse_complement_bytes(seqs[row])
            coding[row], starts[row] = reverse_complement_labels(coding[row], starts[row])
            if soft is not None:
                soft[row] = soft[row, RC_CHANNELS, ::-1]
            if weight is not None:
                weight[row] = weight[row, ::-1]
    return seqs, coding, starts, soft, weight


def to_batch(seqs: np.ndarray, coding: np.ndarray, starts: np.ndarray, soft: np.ndarray | None,
             weight: np.ndarray | None, phase_channel: bool, orfs: bool = False) -> WindowBatch:
    """Network input and targets of sampled windows; ``orfs``: also the ORF of every start
    (:func:`orf_groups`, for the loss's start choice term). Start candidates and stops are the
    standard code's for every genome: a simplification for the few code-4 windows."""
    codes = encode_bases(seqs)
    mask = start_candidates(codes, genetic_code(11)) & (starts != START_UNKNOWN)
    return WindowBatch(
        torch.from_numpy(encode_batch(seqs, phase_channel)),
        torch.from_numpy(coding.astype(np.int64)),
        torch.from_numpy((starts == 1).astype(np.float32)),
        torch.from_numpy(mask),
        None if soft is None else torch.from_numpy(soft),
        torch.from_numpy(orf_groups(codes)) if orfs else None,
        None if weight is None else torch.from_numpy(weight.astype(np.float32)),
    )


def start_choice_loss(logits: torch.Tensor, targets: torch.Tensor, groups: torch.Tensor) -> torch.Tensor:
    """Mean over ORFs with an annotated start of -log P(that start | the ORF's start codons), P a
    softmax of the start logits over the ORF's starts: the choice the decoder makes among one ORF's
    starts, which per-codon cross-entropy learns only alongside whether the ORF is a gene at all.
    ``logits``, ``targets`` (0/1) and ``groups`` (ORF ids) are flat, one entry per start codon."""
    ids, index = torch.unique(groups, return_inverse=True)
    n = len(ids)
    top = torch.full((n,), -torch.inf, device=logits.device).scatter_reduce(0, index, logits.detach(), "amax")
    shifted = torch.exp(logits - top[index])
    every = torch.zeros(n, device=logits.device).index_add(0, index, shifted)
    right = torch.zeros(n, device=logits.device).index_add(0, index, shifted * targets)
    scored = right > 0
    if not bool(scored.any()):
        return logits.sum() * 0.0
    return (torch.log(every[scored]) - torch.log(right[scored])).mean()


#: Start-site distillation (:data:`genoseq.genes.DISTILL_STARTS`): "logit" matches the teacher's
#: start logits (Huber loss, times this scale). The decoder adds start logits to gene scores as
#: they are, so a start codon the teacher gives -12 and the student -8 is 4 points x the decoder's
#: start weight off; "probability" (binary cross-entropy against the teacher's start
#: probabilities) barely feels that, its gradient vanishing for unlikely starts.
LOGIT_DISTILL_SCALE = 0.1


def gene_loss(logits: torch.Tensor, batch: WindowBatch, start_weight: float = 1.0,
              distill_weight: float = 0.0, distill_start: str = "probability",
              choice_weight: float = 0.0) -> tuple[torch.Tensor, dict]:
    """Cross-entropy on the 7 coding classes + masked BCE on start codons (+ ``choice_weight`` x
    :func:`start_choice_loss` when the batch carries ORF ids); with teacher scores in the batch
    and ``distill_weight`` > 0, that share of the loss is the same two terms against the
    teacher's (KL divergence on the coding classes; start sites as ``distill_start`` says:
    "probability" or "logit", see :data:`LOGIT_DISTILL_SCALE`)."""
    logits = logits.float()
    if batch.weight is None:
        coding_loss = F.cross_entropy(logits[:, :7], batch.coding, ignore_index=IGNORE)
    else:  # a weighted mean over the bases that have a target
        per_base = F.cross_entropy(logits[:, :7], batch.coding, ignore_index=IGNORE, reduction="none")
        weight = batch.weight * (batch.coding != IGNORE)
        coding_loss = (per_base * weight).sum() / weight.sum().clamp_min(1e-6)
    start_logits = logits[:, 7:9][batch.start_mask]
    start_loss = F.binary_cross_entropy_with_logits(start_logits, batch.starts[batch.start_mask])
    with torch.no_grad():
        valid = batch.coding != IGNORE
        acc = (logits[:, :7].argmax(1) == batch.coding)[valid].float().mean().item()
    total = coding_loss + start_weight * start_loss
    parts = {"coding_loss": coding_loss.item(), "start_loss": start_loss.item(), "acc": acc}
    if batch.start_orf is not None:
        choice = start_choice_loss(start_logits, batch.starts[batch.start_mask], batch.start_orf[batch.start_mask])
        total = total + choice_weight * choice
        parts["start_choice_loss"] = choice.item()
    if batch.soft is not None and distill_weight > 0:
        soft = batch.soft.float()
        inside = torch.isfinite(soft[:, 0])  # (B, L): bases of a contig, not padding
        teacher_logp = soft[:, :7].permute(0, 2, 1)[inside]
        student_logp = torch.log_softmax(logits[:, :7], dim=1).permute(0, 2, 1)[inside]
        soft_coding = F.kl_div(student_logp, teacher_logp, log_target=True, reduction="batchmean")
        start_sites = batch.start_mask & inside[:, None, :]
        student_start, teacher_start = logits[:, 7:9][start_sites], soft[:, 7:9][start_sites]
        if distill_start == "logit":
            soft_start = LOGIT_DISTILL_SCALE * F.smooth_l1_loss(student_start, teacher_start, beta=1.0)
        else:
            soft_start = F.binary_cross_entropy_with_logits(student_start, torch.sigmoid(teacher_start))
        soft_total = soft_coding + start_weight * soft_start
        total = (1 - distill_weight) * total + distill_weight * soft_total
        parts.update(soft_coding_loss=soft_coding.item(), soft_start_loss=soft_start.item())
    return total, {"loss": total.item(), **parts}


class GeneTrainingTask:
    """The gene family's :class:`~genoseq.nn.train.TrainingTask`."""

    family = "genes"
    monitor = "val_loss"
    monitor_mode = "min"

    def __init__(
        self, train: list[AnnotatedGenome], valid: list[AnnotatedGenome], config: GeneNetConfig,
        batch_size: int = 32, window: int = 3000, n_valid_windows: int = 256,
        model: GeneNet | None = None, distill_weight: float = 0.0, distill_start: str = "probability",
        choice_weight: float = 0.0,
    ):
        """``model``: a network to continue from (its architecture replaces ``config``);
        ``distill_weight``: the loss share of the training genomes' teacher scores
        (:attr:`AnnotatedGenome.soft`; ``distill_start``: see :func:`gene_loss`); ``choice_weight``:
        that of the start choice within ORFs (:func:`start_choice_loss`, always reported for the
        validation genomes). Validation always scores against the annotation."""
        if distill_start not in DISTILL_STARTS:
            raise InputError(f"distill_start must be one of {', '.join(DISTILL_STARTS)}")
        if model is not None:
            config = model.config
        if window % config.step_bases:
            raise InputError(f"--window must be a multiple of {config.step_bases} (bases per GRU step)")
        self.train, self.config = train, config
        self.batch_size, self.window = batch_size, window
        self.distill_weight, self.distill_start = distill_weight, distill_start
        if choice_weight < 0:
            raise InputError("the start choice loss weight must be >= 0")
        self.choice_weight = choice_weight
        self.model = model if model is not None else GeneNet(config)
        self.model_config = config.to_dict()
        valid_rng = np.random.default_rng(12345)
        self.valid_batches = []
        for _ in range(max(1, n_valid_windows // batch_size) if valid else 0):
            seqs, coding, starts, _, _ = sample_windows(valid, valid_rng, batch_size, window)
            self.valid_batches.append(to_batch(seqs, coding, starts, None, None, config.phase_channel, orfs=True))

    def train_batches(self, rng: np.random.Generator) -> Iterator[WindowBatch]:
        while True:
            yield to_batch(*sample_windows(self.train, rng, self.batch_size, self.window), self.config.phase_channel,
                           orfs=self.choice_weight > 0)

    def loss(self, model, batch: WindowBatch, device):
        batch = _to_device(batch, device)
        return gene_loss(model(batch.x), batch, distill_weight=self.distill_weight, distill_start=self.distill_start,
                         choice_weight=self.choice_weight)

    def validate(self, model, device) -> dict[str, float]:
        if not self.valid_batches:
            return {"val_loss": float("nan")}
        sums: dict[str, float] = {}
        for batch in self.valid_batches:
            on_device = _to_device(batch, device)
            _, parts = gene_loss(model(on_device.x), on_device, choice_weight=self.choice_weight)
            for k, v in parts.items():
                sums[f"val_{k}"] = sums.get(f"val_{k}", 0.0) + v / len(self.valid_batches)
        return sums


def _to_device(batch: WindowBatch, device) -> WindowBatch:
    def move(t: torch.Tensor) -> torch.Tensor:
        return t.to(device, non_blocking=True)

    return WindowBatch(move(batch.x), move(batch.coding), move(batch.starts), move(batch.start_mask),
                       None if batch.soft is None else move(batch.soft),
                       None if batch.start_orf is None else move(batch.start_orf),
                       None if batch.weight is None else move(batch.weight))
