"""Knowledge distillation of the gene network: teacher scores as soft targets."""
import numpy as np
import torch

from genoseq.genes.codes import encode_bases, genetic_code
from genoseq.genes.dataset import AnnotatedGenome, WindowBatch, gene_loss, sample_windows, to_batch
from genoseq.genes.labels import IGNORE, contig_labels
from genoseq.io.fasta import as_bytes
from genoseq.io.gff3 import CDSFeature


def genome_with_label_scores(length: int = 900) -> AnnotatedGenome:
    """A random contig with a + and a - gene, and 'teacher scores' that are its labels:
    near-one-hot coding log-probabilities and start logits of +/- 8."""
    rng = np.random.default_rng(0)
    seq = rng.choice(np.frombuffer(b"ACGT", dtype=np.uint8), size=length)
    seq[30:33], seq[327:330] = as_bytes("ATG"), as_bytes("TAA")  # the + gene: start, stop
    seq[600:603], seq[894:897] = as_bytes("TTA"), as_bytes("CAT")  # the - gene: stop, start
    features = [CDSFeature("c", "+", "a", [(31, 330)]), CDSFeature("c", "-", "b", [(601, 897)])]
    labels = contig_labels(length, features, encode_bases(seq), genetic_code(11))
    coding = np.where(labels.coding == IGNORE, 0, labels.coding)
    logp = np.log(np.full((7, length), 1e-3) + np.eye(7)[:, coding] * (1 - 7e-3))
    soft = np.concatenate([logp, np.where(labels.starts > 0, 8.0, -8.0)]).astype(np.float16)
    return AnnotatedGenome("toy", 11, [seq], [labels.coding], [labels.starts], [soft])


def test_soft_targets_follow_the_reverse_complement_as_the_labels_do():
    genome = genome_with_label_scores()
    for rc_prob in (0.0, 1.0):
        seqs, coding, starts, soft, _ = sample_windows([genome], np.random.default_rng(1), 4, 999, rc_prob=rc_prob)
        inside = np.isfinite(soft[:, 0].astype(np.float32))
        assert inside.sum(axis=1).tolist() == [900] * 4  # the padding past the contig is NaN
        labelled = inside & (coding != IGNORE)
        assert np.array_equal(soft[:, :7].argmax(axis=1)[labelled], coding[labelled])
        assert np.array_equal(soft[:, 7:] > 0, (starts > 0) & inside[:, None, :])
        assert starts.sum() == 8  # each window holds both genes' start codons


def test_distillation_loss_is_smallest_at_the_teachers_scores():
    genome = genome_with_label_scores()
    batch = to_batch(*sample_windows([genome], np.random.default_rng(2), 2, 999), phase_channel=True)
    assert batch.soft is not None
    teacher = torch.nan_to_num(batch.soft.float())  # logits equal to the teacher's scores
    _, parts = gene_loss(teacher, batch, distill_weight=1.0)
    assert abs(parts["soft_coding_loss"]) < 1e-3
    noisy = teacher + torch.randn(teacher.shape, generator=torch.Generator().manual_seed(0))
    total_noisy, noisy_parts = gene_loss(noisy, batch, distill_weight=1.0)
    assert noisy_parts["soft_coding_loss"] > parts["soft_coding_loss"] + 2e-3
    assert noisy_parts["soft_start_loss"] > parts["soft_start_loss"]
    assert torch.isfinite(total_noisy)
    # without teacher scores, or with weight 0, the loss is the annotation's alone
    plain = WindowBatch(batch.x, batch.coding, batch.starts, batch.start_mask)
    assert gene_loss(noisy, plain)[1]["loss"] == gene_loss(noisy, batch, distill_weight=0.0)[1]["loss"]


def test_logit_distillation_separates_unlikely_starts_that_probabilities_do_not():
    """The decoder adds start logits to gene scores as they are: a student at -6 where the
    teacher says -8 is 2 points off. Matching logits feels that; matching probabilities barely does."""
    genome = genome_with_label_scores()
    batch = to_batch(*sample_windows([genome], np.random.default_rng(3), 2, 999), phase_channel=True)
    assert batch.soft is not None
    teacher = torch.nan_to_num(batch.soft.float())
    student = teacher.clone()
    unlikely = batch.start_mask & (teacher[:, 7:9] < 0)
    student[:, 7:9][unlikely] = -6.0  # the teacher's non-starts (-8) made less unlikely
    losses = {}
    for mode in ("logit", "probability"):
        at_teacher = gene_loss(teacher.clone().requires_grad_(), batch, distill_weight=1.0, distill_start=mode)[1]
        logits = student.clone().requires_grad_()
        total, parts = gene_loss(logits, batch, distill_weight=1.0, distill_start=mode)
        total.backward()
        losses[mode] = (parts["soft_start_loss"] - at_teacher["soft_start_loss"], logits.grad[:, 7:9][unlikely].abs().mean())
    assert losses["logit"][0] > 0 and losses["probability"][0] > 0
    assert losses["logit"][1] > 10 * losses["probability"][1]  # the gradient that pulls -6 back to -8
