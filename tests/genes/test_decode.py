import numpy as np

from genoseq.genes.codes import encode_bases, genetic_code
import pytest

from genoseq.errors import GenoseqError
from genoseq.genes.decode import (
    Candidates, DecoderSettings, choose_genes, decode_genes, start_evidence, start_margins, starts_per_stop,
    total_score,
)
from genoseq.genes.encode import reverse_complement_bytes
from genoseq.io.fasta import as_bytes

RNG = np.random.default_rng(0)
SENSE = [c for c in (a + b + d for a in "ACGT" for b in "ACGT" for d in "ACGT") if c not in ("TAA", "TAG", "TGA")]


def random_orf(n_codons):
    return "ATG" + "".join(RNG.choice(SENSE, n_codons)) + "TAA"


def fake_scores(length, genes):
    """Log-probabilities that say 'coding' on the given (begin, end, strand) genes."""
    p = np.full((7, length), 0.02)
    p[0] = 0.88
    for begin, end, strand in genes:
        k = np.arange(end - begin)
        if strand > 0:
            cls = 1 + k % 3
            pos = begin + k
        else:
            cls = 4 + k % 3
            pos = end - 1 - k
        p[:, pos] = 0.02
        p[cls, pos] = 0.88
    start = np.full((2, length), -5.0)
    for begin, end, strand in genes:
        if strand > 0:
            start[0, begin] = 3.0
        else:
            start[1, end - 1] = 3.0
    return np.concatenate([np.log(p), start]).astype(np.float32)


def build(parts):
    return as_bytes("".join(parts))


def test_finds_plus_and_minus_genes_exactly():
    flank = "C" * 50
    gene1 = random_orf(60)
    gene2 = reverse_complement_bytes(as_bytes(random_orf(80))).tobytes().decode()
    seq = build([flank, gene1, flank, gene2, flank])
    g1 = (50, 50 + len(gene1), 1)
    b2 = 100 + len(gene1)
    g2 = (b2, b2 + len(gene2), -1)
    calls = decode_genes(encode_bases(seq), fake_scores(len(seq), [g1, g2]), genetic_code(11), DecoderSettings())
    got = sorted(zip(calls.begin.tolist(), calls.end.tolist(), calls.strand.tolist()))
    assert got == sorted([g1, g2])
    assert not calls.partial5.any() and not calls.partial3.any()


def test_gene_off_the_edge_is_partial_unless_closed():
    gene, whole = random_orf(60), random_orf(70)
    seq = build([gene[30:], "C" * 40, whole, "C" * 40])  # the first gene's start codon is cut off
    end = len(gene) - 30
    b2 = end + 40
    scores = fake_scores(len(seq), [(0, end, 1), (b2, b2 + len(whole), 1)])
    calls = decode_genes(encode_bases(seq), scores, genetic_code(11), DecoderSettings())
    hit = calls.end == end
    assert hit.sum() == 1 and calls.partial5[hit].all() and calls.begin[hit][0] < 3
    closed = decode_genes(encode_bases(seq), scores, genetic_code(11), DecoderSettings(closed=True))
    assert (b2, b2 + len(whole)) in list(zip(closed.begin.tolist(), closed.end.tolist()))
    assert not closed.partial5.any() and not closed.partial3.any()
    # the cut gene may only be called from an internal start codon, never from the edge
    assert all(begin > 0 and seq[begin : begin + 3].tobytes() in (b"ATG", b"GTG", b"TTG")
               for begin, e in zip(closed.begin.tolist(), closed.end.tolist()) if e == end)


def test_short_orfs_and_noncoding_give_nothing():
    seq = build(["C" * 20, random_orf(10), "C" * 20])  # 36 nt ORF < 90
    calls = decode_genes(encode_bases(seq), fake_scores(len(seq), [(20, 56, 1)]), genetic_code(11), DecoderSettings())
    assert len(calls) == 0


def candidates(rows: list[tuple[int, int, int, float, float]]) -> Candidates:
    """Hand-made candidates: (begin, end, strand, choice, score) each."""
    begin, end, strand, choice, score = (np.array(x) for x in zip(*rows))
    zeros, n = np.zeros(len(rows)), len(rows)
    return Candidates(begin, end, strand.astype(np.int8), np.zeros(n, bool), np.zeros(n, bool), zeros, zeros,
                      np.zeros(n, np.int8), zeros, zeros, zeros, zeros, zeros, choice.astype(float),
                      score.astype(float))


def test_overlap_limit_keeps_the_better_of_two_genes():
    # two genes sharing 90 bases: only the better one fits under a 60-base limit, both under 100
    c = candidates([(0, 600, 1, 10.0, 10.0), (510, 1500, -1, 8.0, 8.0)])
    strict = choose_genes(c, DecoderSettings(max_overlap=60, convergent_overlap=0, alternative_starts=0))
    assert list(zip(strict.begin, strict.end)) == [(0, 600)]
    loose = choose_genes(c, DecoderSettings(max_overlap=100, min_length=120, alternative_starts=0))
    assert sorted(zip(loose.begin.tolist(), loose.end.tolist())) == [(0, 600), (510, 1500)]


@pytest.mark.parametrize("left, right, both", [
    (1, -1, True),  # 3' ends face each other: up to convergent_overlap
    (-1, 1, False),  # 5' ends (divergent): max_overlap
    (1, 1, False),  # same strand: max_overlap
    (-1, -1, False),
])
def test_convergent_genes_may_overlap_more(left, right, both):
    # 100 shared bases: more than max_overlap (60), less than convergent_overlap (120)
    c = candidates([(0, 600, left, 10.0, 10.0), (500, 1500, right, 8.0, 8.0), (1600, 2000, 1, 5.0, 5.0)])
    calls = choose_genes(c, DecoderSettings(max_overlap=60, convergent_overlap=120, alternative_starts=0))
    expected = [(0, 600), (500, 1500), (1600, 2000)] if both else [(0, 600), (1600, 2000)]
    assert list(zip(calls.begin.tolist(), calls.end.tolist())) == expected
    # beyond convergent_overlap, or with it at most max_overlap, only the better gene of the pair
    for options in ({"convergent_overlap": 90}, {"convergent_overlap": 60}):
        calls = choose_genes(c, DecoderSettings(max_overlap=60, alternative_starts=0, **options))
        assert list(zip(calls.begin.tolist(), calls.end.tolist())) == [(0, 600), (1600, 2000)]


def test_convergent_overlap_never_takes_a_gene_inside_another():
    # a plus-strand gene within the 3' end of a minus-strand gene shares all its bases with it
    c = candidates([(0, 1000, -1, 10.0, 10.0), (10, 110, 1, 5.0, 5.0)])
    calls = choose_genes(c, DecoderSettings(max_overlap=60, convergent_overlap=200, alternative_starts=0))
    assert list(zip(calls.begin.tolist(), calls.end.tolist())) == [(0, 1000)]


def test_a_shorter_start_resolves_an_overlap():
    # gene B's best start overlaps gene A by 90 bases; its second start (2 points worse) does not
    c = candidates([(0, 600, 1, 10.0, 10.0), (510, 1500, 1, 5.0, 8.0), (600, 1500, 1, 3.0, 6.0)])
    without = choose_genes(c, DecoderSettings(alternative_starts=0))
    assert list(zip(without.begin, without.end)) == [(0, 600)]
    calls = choose_genes(c, DecoderSettings(alternative_starts=2, alternative_max_deficit=10))
    assert list(zip(calls.begin.tolist(), calls.end.tolist())) == [(0, 600), (600, 1500)]
    # the ORF's gene score is its best start's, less the choice deficit of the start taken
    assert calls.score.tolist() == [10.0, 6.0]


def test_starts_per_stop_keeps_only_shorter_close_alternatives():
    c = candidates([(100, 1000, 1, 5.0, 7.0), (40, 1000, 1, 4.0, 9.0), (300, 1000, 1, 1.0, 2.0),
                    (400, 1000, 1, -20.0, 1.0)])
    kept = starts_per_stop(c, alternatives=2, max_deficit=10)
    # the best choice (100) first; 40 is longer, 400 too far behind; the ORF's best gene score is 9
    assert sorted(zip(kept.begin.tolist(), kept.score.tolist())) == [(100, 9.0), (300, 5.0)]


def test_start_margins_measure_the_lead_over_the_next_best_start_of_the_orf():
    c = candidates([
        (100, 1000, 1, 5.0, 0.0), (40, 1000, 1, 2.0, 0.0), (300, 1000, 1, 4.0, 0.0),  # one plus-strand ORF
        (2000, 2600, -1, 1.0, 0.0), (2000, 2450, -1, 7.0, 0.0),  # a minus-strand ORF (3' end at 2000)
        (1000, 1300, -1, 3.0, 0.0),  # an ORF with a single start
    ])
    genes = c.take(np.array([0, 2, 4, 5]))  # the best start; a shorter alternative; the best; the only one
    margins = start_margins(c, genes)
    assert margins[:3].tolist() == [1.0, -1.0, 6.0]
    assert margins[3] == np.inf
    assert len(start_margins(c, c.take(np.zeros(0, dtype=np.int64)))) == 0
    stranger = candidates([(5000, 5600, 1, 2.0, 0.0)])  # an ORF that c does not hold
    assert np.isnan(start_margins(c, stranger)).all()


def test_the_start_model_learns_from_the_surest_share_of_first_pass_genes():
    from genoseq.genes.api import _surest_starts

    c = candidates([(100, 1000, 1, 5.0, 0.0), (40, 1000, 1, 2.0, 0.0), (300, 1000, 1, 4.0, 0.0),
                    (2000, 2600, -1, 1.0, 0.0), (2000, 2450, -1, 7.0, 0.0), (1000, 1300, -1, 3.0, 0.0),
                    (3000, 3600, 1, 1.0, 0.0), (3300, 3600, 1, 4.0, 0.0)])
    genes = c.take(np.array([0, 4, 5, 7]))  # margins 1, 6, inf (a single start), 3
    codes = np.zeros(4000, dtype=np.uint8)
    ((_, _, kept),) = _surest_starts([(codes, c, genes)], 0.5)
    # the median of the finite margins (1, 3, 6) is 3: the gene whose lead is 1 is left out
    assert sorted(kept.begin.tolist()) == [1000, 2000, 3300]
    ((_, _, every),) = _surest_starts([(codes, c, genes)], 1.0)
    assert every is genes


def test_short_gene_prior_lowers_gene_evidence_not_start_choice():
    # genes of 90, 195, 300 and 600 bases: the penalty falls linearly from min_length to short_gene_length
    c = candidates([(0, 90, 1, 0.0, 0.0), (1000, 1195, 1, 0.0, 0.0), (2000, 2300, -1, 0.0, 0.0), (3000, 3600, 1, 0.0, 0.0)])
    plain = DecoderSettings(short_gene_penalty=0.0)
    total_score(c, plain, adapted=True)
    score, choice = c.score.copy(), c.choice.copy()
    total_score(c, DecoderSettings(short_gene_penalty=20.0, short_gene_length=300), adapted=True)
    assert np.allclose(score - c.score, [20.0, 10.0, 0.0, 0.0])
    assert np.array_equal(c.choice, choice)


@pytest.mark.parametrize("options, message", [
    ({"min_length": 60, "max_overlap": 60}, "longer than max_overlap"),
    ({"codon_weight": float("nan")}, "finite"),
    ({"alternative_starts": -1}, ">= 0"),
    ({"convergent_overlap": -1}, "at least 0"),
    ({"start_learning_share": 0.0}, "start_learning_share"),
])
def test_invalid_decoder_settings_are_refused(options, message):
    with pytest.raises(GenoseqError, match=message):
        DecoderSettings(**options)


def test_genes_off_a_5_prime_edge_are_credited_with_average_start_evidence():
    c = candidates([(0, 600, 1, 0.0, 0.0), (60, 600, 1, 0.0, 0.0), (1000, 1600, -1, 0.0, 0.0)])
    c.partial5[0] = True  # runs off the left edge: no start codon of its own
    c.site_score = np.array([0.0, 2.0, 1.0])  # (the helper's feature arrays are one shared array)
    c.start_score = np.array([0.0, 3.0, -1.0])
    settings = DecoderSettings(short_gene_penalty=0.0)
    total_score(c, settings, adapted=True)
    score, choice = c.score.copy(), c.choice.copy()
    total_score(c, settings, adapted=True, edge_start=(7.0, 11.0))
    assert np.allclose(c.score - score, [7.0, 0.0, 0.0])
    assert np.allclose(c.choice - choice, [11.0, 0.0, 0.0])
    # what the edge is credited with: the start evidence of real starts, weighted as in each score
    evidence_score, evidence_choice = start_evidence(c, settings)
    assert evidence_score[0] == 0.0 and evidence_choice[0] == 0.0
    assert np.isclose(evidence_score[1], settings.adapted_start_weight * 3.0 + settings.site_weight * 2.0)
    assert np.isclose(evidence_choice[1], settings.choice_start_weight * 3.0 + settings.choice_site_weight * 2.0)
