"""Genome adaptation on large inputs: learned from the first contigs, applied to the rest."""
from genoseq.genes.api import GenePredictor
from genoseq.io.fasta import FastaRecord, read_dna


def _calls(prediction):
    return [(g.start, g.end, g.strand) for g in prediction.genes]


def test_adaptation_learned_on_the_first_contigs_is_applied_to_later_ones(shared_genomes):
    genome = next(read_dna(shared_genomes / "ecoli_k12_mg1655" / "genome.fna.gz")).sequence
    first = FastaRecord("first", "", genome[:200_000])
    second = FastaRecord("second", "", genome[1_000_000:1_200_000])

    streamed = list(GenePredictor.load(device="cpu", adapt_max_bases=150_000).predict_records([first, second]))
    assert [p.id for p in streamed] == ["first", "second"]
    # The buffer held the first contig alone: its calls are those of that contig on its own.
    alone = list(GenePredictor.load(device="cpu").predict_records([first]))
    assert _calls(streamed[0]) == _calls(alone[0])
    # The second contig was decoded with that adaptation, not with network scores only.
    unadapted = list(GenePredictor.load(device="cpu", adapt=False).predict_records([second]))
    assert _calls(streamed[1]) != _calls(unadapted[0])
    assert len(streamed[1].genes) > 150


def test_decoding_on_several_threads_gives_the_one_thread_calls(shared_genomes):
    import torch

    genome = next(read_dna(shared_genomes / "ecoli_k12_mg1655" / "genome.fna.gz")).sequence
    records = [FastaRecord(f"c{i}", "", genome[i * 400_000 : i * 400_000 + 100_000 + 30_000 * i]) for i in range(6)]
    # contigs decoded side by side both while adapting (the first 300 kb) and after
    predictor = GenePredictor.load(device="cpu", adapt_max_bases=300_000)
    before = torch.get_num_threads()
    runs = []
    try:
        for threads in (1, 2, 4):  # strands and contigs run on threads when torch has more than one
            torch.set_num_threads(threads)
            runs.append([(p.id, [(g.start, g.end, g.strand, g.score, g.rbs_score) for g in p.genes])
                         for p in predictor.predict_records(records)])
    finally:
        torch.set_num_threads(before)
    assert runs[0] == runs[1] == runs[2]
    assert [name for name, _ in runs[0]] == [f"c{i}" for i in range(6)]
    assert sum(len(genes) for _, genes in runs[0]) > 800


def test_contigs_in_flight_are_bounded_by_count_and_bases():
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from functools import partial

    from genoseq.genes.api import _in_order

    running, peak, lock = [0, 0], [0, 0], threading.Lock()

    def task(i: int, size: int) -> int:
        with lock:
            running[0] += 1
            running[1] += size
            peak[0], peak[1] = max(peak[0], running[0]), max(peak[1], running[1])
        threading.Event().wait(0.01)
        with lock:
            running[0] -= 1
            running[1] -= size
        return i

    sizes = [5, 1, 1, 1, 12, 1, 1, 3, 3, 3, 3, 3]  # 12 alone exceeds the bound: it runs by itself
    with ThreadPoolExecutor(8) as pool:
        out = list(_in_order(pool, ((partial(task, i, s), s) for i, s in enumerate(sizes)), ahead=4, max_cost=8))
    assert out == list(range(len(sizes)))
    assert peak[0] <= 4 and peak[1] <= 12
    assert list(_in_order(None, ((partial(task, i, 1), 1) for i in range(3)))) == [0, 1, 2]


def test_the_start_prior_serves_small_inputs_only(shared_genomes):
    import dataclasses

    genome = next(read_dna(shared_genomes / "ecoli_k12_mg1655" / "genome.fna.gz")).sequence
    shipped = GenePredictor.load(device="cpu", table=11)
    assert shipped.start_prior is not None and shipped.decoder.site_prior_genes > 0
    plain = dataclasses.replace(shipped, start_prior=None)

    def calls(predictor, records):
        return [(g.start, g.end, g.strand, g.score) for p in predictor.predict_records(records) for g in p.genes]

    # a 30-kb input (about 30 genes) fits its start model towards the prior ...
    small = [FastaRecord(f"w{i}", "", genome[i * 500_000 : i * 500_000 + 30_000]) for i in range(3)]
    assert any(calls(shipped, [r]) != calls(plain, [r]) for r in small)
    # ... a 700-kb one (more genes than site_prior_genes) as before the prior existed
    large = [FastaRecord("large", "", genome[:700_000])]
    assert calls(shipped, large) == calls(plain, large)
