import numpy as np

from genoseq.genes.codes import encode_bases, genetic_code
from genoseq.genes.decode import DecoderSettings, decode_genes
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
    gene = random_orf(60)
    seq = build([gene[30:], "C" * 40])  # start codon cut off
    end = len(gene) - 30
    scores = fake_scores(len(seq), [(0, end, 1)])
    calls = decode_genes(encode_bases(seq), scores, genetic_code(11), DecoderSettings())
    assert len(calls) >= 1
    hit = calls.end == end
    assert hit.any() and calls.partial5[hit].all() and calls.begin[hit][0] < 3
    closed = decode_genes(encode_bases(seq), scores, genetic_code(11), DecoderSettings(closed=True))
    assert not closed.partial5.any() and not closed.partial3.any()


def test_short_orfs_and_noncoding_give_nothing():
    seq = build(["C" * 20, random_orf(10), "C" * 20])  # 36 nt ORF < 90
    calls = decode_genes(encode_bases(seq), fake_scores(len(seq), [(20, 56, 1)]), genetic_code(11), DecoderSettings())
    assert len(calls) == 0


def test_overlap_limit_picks_the_better_gene():
    a = random_orf(100)
    seq = build(["C" * 10, a, "C" * 10])
    scores = fake_scores(len(seq), [(10, 10 + len(a), 1)])
    calls = decode_genes(encode_bases(seq), scores, genetic_code(11), DecoderSettings(max_overlap=0))
    ends = calls.end.tolist()
    assert 10 + len(a) in ends
    # nothing chosen overlaps anything else
    order = np.argsort(calls.begin)
    assert (calls.begin[order][1:] >= calls.end[order][:-1]).all()
