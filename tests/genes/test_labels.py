import numpy as np

from genoseq.genes.codes import encode_bases, genetic_code
from genoseq.genes.encode import reverse_complement_bytes
from genoseq.genes.labels import IGNORE, contig_labels, reverse_complement_labels
from genoseq.io.fasta import as_bytes
from genoseq.io.gff3 import CDSFeature

SEQ = "CC" + "ATGAAATAA" + "GG" + "TTATTTCAT" + "AAATGAA"  # + gene at 3..11, - gene at 14..22 (1-based)


def labels_for(seq, features):
    b = as_bytes(seq)
    return contig_labels(len(b), features, encode_bases(b), genetic_code(11))


def test_plus_and_minus_codon_positions_and_starts():
    plus = CDSFeature("s", "+", "a", [(3, 11)])
    minus = CDSFeature("s", "-", "b", [(14, 22)])
    lab = labels_for(SEQ, [plus, minus])
    assert lab.coding[2:11].tolist() == [1, 2, 3] * 3
    assert lab.coding[13:22].tolist() == [6, 5, 4] * 3  # counted from the 5' end at 22
    assert lab.coding[:2].tolist() == [0, 0]
    assert lab.starts[0].nonzero()[0].tolist() == [2]
    assert lab.starts[1].nonzero()[0].tolist() == [21]


def test_reverse_complement_labels_match_relabelled_reverse_complement():
    b = as_bytes(SEQ)
    lab = labels_for(SEQ, [CDSFeature("s", "+", "a", [(3, 11)]), CDSFeature("s", "-", "b", [(14, 22)])])
    rc_seq = reverse_complement_bytes(b).tobytes().decode()
    n = len(b)
    rc_lab = labels_for(rc_seq, [CDSFeature("s", "-", "a", [(n - 10, n - 2)]), CDSFeature("s", "+", "b", [(n - 21, n - 13)])])
    coding, starts = reverse_complement_labels(lab.coding, lab.starts)
    assert np.array_equal(coding, rc_lab.coding)
    assert np.array_equal(starts, rc_lab.starts)


def test_pseudo_and_conflicts_are_ignored():
    seq = "ATGAAAAAAAAATAA" + "A" * 20
    real = CDSFeature("s", "+", "a", [(1, 15)])
    shifted = CDSFeature("s", "+", "b", [(2, 13)])  # overlaps in another frame
    pseudo = CDSFeature("s", "+", "p", [(20, 30)], pseudo=True)
    lab = labels_for(seq, [real, shifted, pseudo])
    assert (lab.coding[1:13] == IGNORE).all()
    assert (lab.coding[19:30] == IGNORE).all()
    assert lab.coding[0] == 1
