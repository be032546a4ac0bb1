"""Extra coding-loss weight for short and AT-rich atypical training genes (GeneEmphasis)."""
import numpy as np
import torch

from genoseq.genes.dataset import AnnotatedGenome, GeneEmphasis, emphasis_weights, gene_loss, sample_windows, to_batch
from genoseq.io.gff3 import CDSFeature


def _contig(rng: np.random.Generator) -> tuple[np.ndarray, list[CDSFeature]]:
    """A GC-rich contig with a long gene, a short one and a long AT-rich one."""
    seq = rng.choice(np.frombuffer(b"GCGCGCAT", np.uint8), size=6000)
    seq[3000:4200] = rng.choice(np.frombuffer(b"ATATATGC", np.uint8), size=1200)
    genes = [CDSFeature("c", "+", "long", [(1, 1500)]), CDSFeature("c", "-", "short", [(1801, 2100)]),
             CDSFeature("c", "+", "atypical", [(3001, 4200)]), CDSFeature("c", "+", "long2", [(4501, 5700)])]
    return seq, genes


def test_short_and_atypical_genes_get_their_factors_and_nothing_else_changes():
    seq, genes = _contig(np.random.default_rng(0))
    (weight,) = emphasis_weights([seq], [genes], GeneEmphasis(short_factor=3, atypical_factor=2))
    assert weight.dtype == np.float16 and len(weight) == len(seq)
    assert (weight[1800:2100] == 3).all()  # the short gene (on the minus strand)
    assert (weight[3000:4200] == 2).all()  # AT-rich against the genome's genes
    assert (weight[:1500] == 1).all() and (weight[4500:5700] == 1).all() and (weight[1500:1800] == 1).all()
    assert not GeneEmphasis().active and GeneEmphasis(short_factor=2).active


def test_the_weighted_coding_loss_is_a_weighted_mean_and_ones_change_nothing():
    rng = np.random.default_rng(1)
    seq, genes = _contig(rng)
    coding = np.zeros(len(seq), dtype=np.int8)
    coding[:1500] = 1 + np.arange(1500) % 3
    genome = AnnotatedGenome("g", 11, [seq], [coding], [np.zeros((2, len(seq)), np.uint8)])
    plain = to_batch(*sample_windows([genome], np.random.default_rng(2), 2, 999, rc_prob=0.0), True)
    assert plain.weight is None
    genome.weight = [np.ones(len(seq), np.float16)]
    ones = to_batch(*sample_windows([genome], np.random.default_rng(2), 2, 999, rc_prob=0.0), True)
    logits = torch.randn(2, 9, 999, generator=torch.Generator().manual_seed(0))
    assert torch.isclose(gene_loss(logits, plain)[1]["coding_loss"] * torch.ones(()),
                         gene_loss(logits, ones)[1]["coding_loss"] * torch.ones(()), rtol=1e-5)
    heavy = to_batch(*sample_windows([genome], np.random.default_rng(2), 2, 999, rc_prob=0.0), True)
    heavy.weight = torch.ones_like(ones.weight)
    heavy.weight[0] = 0.0  # only the second window counts
    second = to_batch(*[a[1:] if a is not None else None for a in
                        sample_windows([genome], np.random.default_rng(2), 2, 999, rc_prob=0.0)], True)
    expected = gene_loss(logits[1:], second)[1]["coding_loss"]
    assert abs(gene_loss(logits, heavy)[1]["coding_loss"] - expected) < 1e-5


def test_the_weights_follow_windows_onto_the_reverse_strand():
    seq, genes = _contig(np.random.default_rng(3))
    weight = emphasis_weights([seq], [genes], GeneEmphasis(short_factor=3))
    genome = AnnotatedGenome("g", 11, [seq], [np.zeros(len(seq), np.int8)], [np.zeros((2, len(seq)), np.uint8)],
                             weight=weight)
    fwd = sample_windows([genome], np.random.default_rng(4), 1, 6000, rc_prob=0.0)[4]
    rev = sample_windows([genome], np.random.default_rng(4), 1, 6000, rc_prob=1.0)[4]
    np.testing.assert_array_equal(rev[0], fwd[0, ::-1])
    assert (fwd[0, 1800:2100] == 3).all()
