"""The genome's upstream profile reads far enough before a start to find a promoter box."""
import numpy as np

from genoseq.genes.adaptation import MOTIF_REACH, UPSTREAM, GenomeAdaptation
from genoseq.genes.codes import encode_bases, genetic_code
from genoseq.genes.decode import Candidates, DecoderSettings, contig_candidates

SENSE = [a + b + c for a in "ACGT" for b in "ACGT" for c in "ACGT" if a + b + c not in ("TAA", "TAG", "TGA", "ATG", "GTG", "TTG")]
BOX, GAP = "TTTATA", 25  # the box's last base lies GAP bases before the start codon


def leaderless_genome(n_genes: int = 80, seed: int = 1) -> tuple[np.ndarray, list[int]]:
    """Plus-strand genes (ATG, 60 sense codons without start codons, TAA), each after 40 random
    bases that hold a TATA box GAP bases before its start; returns base codes and the starts."""
    rng = np.random.default_rng(seed)
    parts, starts, at = [], [], 0
    for _ in range(n_genes):
        spacer = list(rng.choice(list("ACGT"), 40))
        spacer[40 - GAP - len(BOX) : 40 - GAP] = BOX
        gene = "ATG" + "".join(rng.choice(SENSE, 60)) + "TAA"
        parts += ["".join(spacer), gene]
        starts.append(at + 40)
        at += 40 + len(gene)
    seq = np.frombuffer(("".join(parts) + "A" * 40).encode(), dtype=np.uint8)
    return encode_bases(seq), starts


def test_a_promoter_box_25_to_31_bases_before_the_starts_is_learned():
    assert UPSTREAM >= GAP + len(BOX) and MOTIF_REACH <= UPSTREAM
    codes, starts = leaderless_genome()
    candidates = contig_candidates(codes, np.zeros((9, len(codes)), dtype=np.float32), genetic_code(11),
                                   DecoderSettings())
    genes: Candidates = candidates.take(np.flatnonzero((candidates.strand > 0) & np.isin(candidates.begin, starts)))
    assert len(genes) == len(starts)
    table = GenomeAdaptation.fit([(codes, candidates, genes)]).upstream_llr  # (UPSTREAM, 5): -UPSTREAM .. -1
    box = [UPSTREAM - GAP - len(BOX) + i for i in range(len(BOX))]
    learned = np.array([table[pos, "ACGT".index(base)] for pos, base in zip(box, BOX)])
    assert learned.min() > 0.5  # every box base is enriched before the genes' starts
    others = np.delete(np.arange(UPSTREAM), box)
    assert np.abs(table[others, :4]).max() < learned.min()
