"""most_upstream_starts: does an annotation start its genes at the ORF's most upstream start codon?"""
from genoseq.genes.codes import genetic_code
from genoseq.genes.evaluate import most_upstream_starts
from genoseq.io.gff3 import CDSFeature

#            stop  ATG  GTG  ccc  ATG  aaa  ccc  TAA
PLUS = "CCC" "TAA" "ATG" "GTG" "CCC" "ATG" "AAA" "CCC" "TAA" "GGG"


def reverse_complement(seq: str) -> str:
    return seq.translate(str.maketrans("ACGT", "TGCA"))[::-1]


def test_counts_starts_at_the_orfs_most_upstream_start_codon():
    code = genetic_code(11)
    seqs = {"c": PLUS, "r": reverse_complement(PLUS)}
    n = len(PLUS)
    longest = CDSFeature("c", "+", "a", [(7, 27)])  # ATG right after the stop
    inner = CDSFeature("c", "+", "b", [(16, 27)])  # the second ATG: GTG and ATG lie upstream
    minus_longest = CDSFeature("r", "-", "c", [(n - 27 + 1, n - 6)])
    minus_inner = CDSFeature("r", "-", "d", [(n - 27 + 1, n - 15)])
    assert most_upstream_starts([longest, inner], seqs, code) == (1, 2)
    assert most_upstream_starts([minus_longest, minus_inner], seqs, code) == (1, 2)
    # a GTG start with an ATG further upstream in frame is not the ORF's longest version
    gtg = CDSFeature("c", "+", "e", [(10, 27)])
    assert most_upstream_starts([gtg], seqs, code) == (0, 1)


def test_orfs_running_off_the_edge_and_pseudo_genes_are_not_counted():
    code = genetic_code(11)
    open_left = CDSFeature("c", "+", "a", [(1, 12)])  # no stop upstream before the sequence begins
    pseudo = CDSFeature("c", "+", "b", [(7, 27)], pseudo=True)
    assert most_upstream_starts([open_left, pseudo], {"c": "ATG" + PLUS[3:]}, code) == (0, 0)
