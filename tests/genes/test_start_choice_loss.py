"""The training loss's start choice term: a softmax over the start codons of each annotated ORF."""
import numpy as np
import torch

from genoseq.genes.codes import encode_bases, genetic_code
from genoseq.genes.dataset import gene_loss, orf_groups, sample_windows, start_choice_loss, to_batch
from genoseq.genes.orfs import start_candidates
from genoseq.io.fasta import as_bytes
from tests.genes.test_distill import genome_with_label_scores

COMPLEMENT = bytes.maketrans(b"ACGT", b"TGCA")


def _starts_and_groups(seq: bytes, strand: int) -> tuple[list[int], list[int]]:
    codes = encode_bases(as_bytes(seq)[None, :])
    starts = start_candidates(codes, genetic_code(11))[0, strand]
    return np.flatnonzero(starts).tolist(), orf_groups(codes)[0, strand][starts].tolist()


def test_the_starts_of_one_orf_share_an_id_on_both_strands():
    seq = "CCATGAAAATGAAATAAATGCCC"  # ATG at 2 and 8 end at the TAA at 14; the ATG at 17 lies past it
    positions, groups = _starts_and_groups(seq, 0)
    assert positions == [2, 8, 17]
    assert groups[0] == groups[1] != groups[2]
    # the same ORFs read on the minus strand of the reverse complement
    rc = seq.translate(COMPLEMENT)[::-1]
    positions, groups = _starts_and_groups(rc, 1)
    assert positions == [5, 14, 20]  # 22 - 17, 22 - 8, 22 - 2
    assert groups[1] == groups[2] != groups[0]


def test_ids_differ_between_frames_strands_and_windows():
    codes = encode_bases(as_bytes("CCCATGCCC" * 4).reshape(2, 18))
    groups = orf_groups(codes)
    # no stops at all: one id per (window, strand, frame)
    assert len(np.unique(groups)) == 2 * 2 * 3


def test_choice_loss_is_the_softmax_within_each_orf_with_an_annotated_start():
    logits = torch.tensor([1.0, 2.0, 0.5, 3.0, -1.0], requires_grad=True)
    targets = torch.tensor([1.0, 0.0, 0.0, 0.0, 0.0])
    groups = torch.tensor([5, 5, 5, 9, 9])  # ORF 9 has no annotated start: it does not count
    loss = start_choice_loss(logits, targets, groups)
    assert torch.isclose(loss, torch.logsumexp(logits[:3], 0) - logits[0])
    loss.backward()
    assert logits.grad is not None and logits.grad[3:].abs().sum() == 0
    none = start_choice_loss(logits, torch.zeros(5), groups)
    assert none.item() == 0.0 and none.requires_grad


def test_the_term_favours_the_annotated_start_over_its_orf_neighbours():
    genome = genome_with_label_scores()
    batch = to_batch(*sample_windows([genome], np.random.default_rng(2), 2, 999)[:3], None, None, True, orfs=True)
    assert batch.start_orf is not None
    logits = torch.zeros(2, 9, 999)
    logits[:, 7:] = torch.where(batch.starts > 0, 4.0, 0.0)
    right, parts = gene_loss(logits, batch, choice_weight=1.0)
    logits[:, 7:] = torch.where(batch.start_mask & (batch.starts == 0), 4.0, 0.0)
    wrong, _ = gene_loss(logits, batch, choice_weight=1.0)
    assert parts["start_choice_loss"] < 0.5 < gene_loss(logits, batch, choice_weight=1.0)[1]["start_choice_loss"]
    unweighted, _ = gene_loss(logits, batch, choice_weight=0.0)
    assert wrong > unweighted  # the weight adds the term; 0 only reports it
