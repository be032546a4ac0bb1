"""The gene-finding API: ``predict`` returns :class:`GeneCall` objects per contig.

    >>> from genoseq.genes.api import predict
    >>> for contig in predict("genome.fna.gz"):
    ...     for gene in contig.genes:
    ...         print(gene.id, gene.start, gene.end, gene.strand, gene.protein[:10])
"""
from __future__ import annotations

import itertools
from collections import deque
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol, TypeVar

import numpy as np

from genoseq.errors import GenoseqError
from genoseq.genes.confidence import ConfidenceCalibration
from genoseq.genes.codes import (
    COMPLEMENT_CODE, GeneticCode, encode_bases, genetic_code,
)
from genoseq.genes.adaptation import (
    AdaptationBackground, AdaptationContext, GenomeAdaptation, apply_start_model, fit_start_model,
)
from genoseq.genes.decode import (
    START_NAMES, Candidates, DecoderSettings, choose_genes, contig_candidates, start_evidence, start_margins,
    start_score_parts, strand_codons, total_score,
)
from genoseq.genes.library import AdaptationLibrary, LibraryGenome, blend
from genoseq.genes.start_model import StartModel, sd_motif_calls, start_windows
from genoseq.genes.encode import reverse_complement_bytes
from genoseq.genes.scoring import BothOrientations, OnnxScorer, WindowScorer, WindowSettings, score_sequences
from genoseq.genes.table_detection import ENOUGH_CODONS, TableCall, call_table, tga_evidence
from genoseq.io.fasta import FastaRecord, as_bytes, read_dna
from genoseq.genes import ENGINES, PRECISIONS
from genoseq.nn.device import cuda_driver_present, resolve_device, resolve_precision, usable_threads
from genoseq.nn.onnx import onnxruntime_available
from genoseq.nn.registry import ModelEntry, load_module, load_onnx, resolve_model, verify_file

DEFAULT_MODEL = "genes-default"
#: the translation-table setting that reads table 4 or 11 from the input (see GenePredictor.load)
AUTO_TABLE = "auto"
#: Network-scored bases that the decoder's threads hold at once (see GenePredictor.decode_scored).
MAX_BASES_IN_FLIGHT = 16_000_000
#: Windows per ONNX Runtime call on CPU (one call per core at a time). Measured on E. coli with 2
#: cores, 5,994-bp windows: 0.86-0.88 s of network time with 2-4 windows per call, 1.10 s with 24
#: (torch's CPU default, whose per-step GRU cost shrinks as more windows share a step).
ONNX_BATCH_WINDOWS = 4
#: no motif, or only a 3-base one: not counted as evidence of Shine-Dalgarno translation (uses_sd)
WEAK_MOTIFS = frozenset({"None", "GGA/GAG/AGG", "3Base/5BMM"})


@dataclass
class GeneCall:
    """One predicted gene. Coordinates are 1-based, inclusive, on the forward strand;
    on a circular contig a gene across the origin has ``end > contig length``."""

    seqid: str
    id: str
    start: int
    end: int
    strand: str
    partial: str  # Prodigal's flag: "00", "10" (runs off the left edge), "01", "11"
    start_type: str  # ATG, GTG, TTG or Edge
    score: float  # gene score = coding_score + start_score (Prodigal's score = cscore + sscore)
    coding_score: float
    start_score: float  # = rbs_score + upstream_score + type_score
    rbs_score: float
    upstream_score: float
    type_score: float
    rbs_motif: str  # the Shine-Dalgarno motif before the start, or "None" (Prodigal's rbs_motif)
    rbs_spacer: str  # its spacer bin, e.g. "5-10bp", or "None"
    confidence: float  # percent
    gc: float
    nucleotides: str
    protein: str  # ends with "*" where the gene ends with its stop codon, as Prodigal writes it

    @property
    def length(self) -> int:
        return self.end - self.start + 1


@dataclass
class ContigPrediction:
    """Everything predicted for one contig."""

    id: str
    length: int
    genes: list[GeneCall]
    coding_plus: np.ndarray  # float16 per-base P(coding on + strand)
    coding_minus: np.ndarray
    circular: bool = False
    warnings: list[str] = field(default_factory=list)
    description: str = ""  # the FASTA header
    run_type: str = "Single"  # "Single": decoded with the genome's adapted statistics; "Network": the network alone
    uses_sd: bool = False  # at least half its complete genes have a Shine-Dalgarno motif of 4+ bases
    gc: float = 0.0  # G+C share of its known bases
    table: int = 11  # the NCBI translation table its genes were called and translated with
    library: str = ""  # the library genome whose statistics were blended in (small inputs), if any


class TrackSink(Protocol):
    """Receives per-base coding probabilities contig by contig (see :class:`genoseq.genes.output.CodingTracks`)."""

    def add(self, seqid: str, plus: np.ndarray, minus: np.ndarray) -> None: ...

    def finish_async(self) -> None: ...


@dataclass
class GenePredictor:
    """A loaded model plus the settings it runs with; reusable across inputs."""

    scorer: WindowScorer
    entry: ModelEntry
    decoder: DecoderSettings
    windows: WindowSettings
    device: str  # "cpu", "cuda", "cuda:1", ...
    table: int | str = AUTO_TABLE  # an NCBI translation table, or "auto": 4 or 11 as the input reads (table_detection)
    confidence: ConfidenceCalibration = ConfidenceCalibration()
    precision: str = "fp32"  # "bf16" or "fp32" on CPU, "mixed" or "fp32" on CUDA (see load)
    engine: str = "torch"  # "onnxruntime" or "torch": what runs the network
    threads: int = 1  # CPU threads for the network's batches and for decoding
    #: the genome start model's prior, learned across genomes (checkpoint settings "start_prior"), or None
    start_prior: StartModel | None = None
    #: whole-genome statistics of the tuning genomes, for small inputs (checkpoint settings
    #: "adaptation_library": a file beside the model), or None
    library: AdaptationLibrary | None = None
    #: with table "auto": the table chosen for the last input decoded, and why
    table_call: TableCall | None = field(default=None, init=False, repr=False)

    @classmethod
    def load(
        cls, model: str = DEFAULT_MODEL, device: str = "auto", table: int | str = AUTO_TABLE,
        batch_size: int | None = None, precision: str = "auto", engine: str = "auto",
        threads: int | None = None, orientations: int | None = None, **decoder_options,
    ) -> "GenePredictor":
        """Load a shipped model by name (or a .pt / .onnx path) with its tuned decoder
        settings; ``decoder_options`` override fields of :class:`DecoderSettings`.

        ``table``: an NCBI translation table, or "auto": table 4 where the network reads
        through TGA inside genes (Mycoplasma and relatives), else 11
        (:mod:`genoseq.genes.table_detection`).

        ``engine`` (one of :data:`genoseq.genes.ENGINES`): "auto" runs the network through
        ONNX Runtime in float32 on CPU where the model ships an ONNX export (no torch
        import: about a second less per run, and faster kernels), else through torch.
        ``precision`` (one of :data:`genoseq.genes.PRECISIONS`), for torch: "auto" runs the
        convolutions in bfloat16 on CPUs that have it natively (the GRU stays float32),
        else float32; mixed precision on CUDA. ``threads``: CPU threads (default: all
        usable cores). ``orientations``: 2 scores every window and its reverse complement and
        averages the two (:class:`~genoseq.genes.scoring.BothOrientations`: twice the network
        time), 1 the window alone; default: the model's setting."""
        entry = resolve_model(model, "genes")
        threads = usable_threads(threads)
        table = _checked_table(table)
        engine = _choose_engine(engine, entry, device, precision)
        scorer: WindowScorer
        if engine == "onnxruntime":
            network, entry = load_onnx(entry)
            device_name, arithmetic = "cpu", "fp32"
            step = 3 * network.model_config["codons_per_step"]
            windows = _window_settings(entry, batch_size or ONNX_BATCH_WINDOWS, device_name, step, orientations)
            scorer = OnnxScorer(network, workers=threads)
        else:
            from genoseq.genes.model import TorchScorer, build_gene_net
            from genoseq.nn.device import set_threads

            set_threads(threads)
            net, entry = load_module(model, "genes", build_gene_net)
            torch_device = resolve_device(device)
            device_name = str(torch_device)
            arithmetic = resolve_precision(precision, torch_device, PRECISIONS, cpu_fallback="fp32")
            windows = _window_settings(entry, batch_size, device_name, net.config.step_bases, orientations)
            scorer = TorchScorer(net.to(torch_device), torch_device, arithmetic, windows.conv_batch, workers=threads)
        if windows.orientations == 2:
            scorer = BothOrientations(scorer)
        tuned = {k: v for k, v in entry.settings.get("decoder", {}).items() if k in DecoderSettings.__dataclass_fields__}
        decoder = DecoderSettings(**{**tuned, **{k: v for k, v in decoder_options.items() if v is not None}})
        prior = entry.settings.get("start_prior")
        return cls(scorer, entry, decoder, windows, device_name, table,
                   ConfidenceCalibration.from_settings(entry.settings), arithmetic, engine, threads,
                   StartModel.from_vector(prior) if prior else None, _library(entry))

    def predict_records(
        self, records: Iterable[FastaRecord], circular: bool = False, mask: bool = False,
        progress: Callable[[int], None] | None = None, tracks: TrackSink | None = None,
    ) -> Iterator[ContigPrediction]:
        """Predict genes on FASTA records, yielding one :class:`ContigPrediction` each, in order.

        With genome adaptation on (the default), the contigs are scored by the
        network first, then decoded twice: the first-pass genes of the input teach
        the decoder this genome's codon usage and start signals. ``tracks`` receives
        each contig's coding probabilities as soon as it is scored, and is told when
        the last one is in (so track files can be built while decoding goes on).
        """
        wrap = self.windows.window if circular else 0

        def items():
            for record in records:
                seq = as_bytes(record.sequence)
                ext = min(wrap, len(seq))
                if ext:
                    seq = np.concatenate([seq[len(seq) - ext :], seq, seq[:ext]])
                yield (record, ext), seq

        scored = ((record, seq, scores, ext) for (record, ext), seq, scores in
                  score_sequences(self.scorer, items(), self.windows, progress))
        yield from self.decode_scored(scored, mask, tracks)

    def decode_scored(
        self, scored: Iterable[tuple[FastaRecord, np.ndarray, np.ndarray, int]], mask: bool = False,
        tracks: TrackSink | None = None,
    ) -> Iterator[ContigPrediction]:
        """Decode network scores: ``(record, seq, scores, ext)`` per contig, where a circular
        contig's ``seq``/``scores`` carry ``ext`` wrapped bases on each side.

        Genome adaptation learns from the first contigs, up to ``adapt_max_bases`` bases
        (the whole input for any single genome), and is then applied to every later
        contig as it streams through, so memory stays bounded however large the input.
        """
        code, items = self._genetic_code(iter(scored))
        settings = self.decoder
        threads = self.threads
        # Threads for the decoder's numpy work, which releases the GIL for most of its time;
        # outputs never depend on them. ``strands``: the two strands of one contig side by side
        # (and the start model's fit beside the other tables' rescoring); ``contigs``: several
        # contigs at once, each task waiting only on strand tasks, which wait on nothing.
        with ThreadPoolExecutor(max(1, threads - 1)) if threads > 1 else nullcontext() as strands, \
                ThreadPoolExecutor(threads) if threads > 1 else nullcontext() as contigs:
            # Contigs in flight: a few per thread and at most MAX_BASES_IN_FLIGHT bases of network
            # scores (36 bytes a base), so memory stays flat however large the input.
            width = 2 * threads

            def prepare(item: tuple[FastaRecord, np.ndarray, np.ndarray, int]) -> _Contig:
                record, seq, scores, ext = item
                return self._prepare(record, seq, scores, ext, code, mask, strands)

            adaptation: GenomeAdaptation | None = None
            if settings.adapt and settings.adapt_rounds > 0:
                # Learn from the first contigs, up to adapt_max_bases (a whole genome, usually).
                first = _first_bases(items, settings.adapt_max_bases)
                buffer = list(_in_order(contigs, ((partial(prepare, item), len(item[1])) for item in first), width,
                                        MAX_BASES_IN_FLIGHT))
                rest = next(items, None)
                if tracks is not None:
                    for c in buffer:
                        tracks.add(c.record.id, c.coding_plus, c.coding_minus)
                    if rest is None:  # every contig is in: track files are built while decoding goes on
                        tracks.finish_async()
                adaptation = self._adapt(buffer, strands, contigs, code.table_id)
                yield from _in_order(contigs, ((partial(self._finish, c, code), 0) for c in buffer), width)
                del buffer
                if rest is None:
                    return
                items = itertools.chain([rest], items)

            def decode(item: tuple[FastaRecord, np.ndarray, np.ndarray, int]) -> ContigPrediction:
                contig = prepare(item)
                if adaptation is not None:
                    adaptation.apply(contig.codes, contig.candidates, pool=strands)
                    total_score(contig.candidates, settings, adapted=True, edge_start=adaptation.edge_start)
                    contig.adapted = True
                return self._finish(contig, code)

            for prediction in _in_order(contigs, ((partial(decode, item), len(item[1])) for item in items), width,
                                        MAX_BASES_IN_FLIGHT):
                if tracks is not None:
                    tracks.add(prediction.id, prediction.coding_plus, prediction.coding_minus)
                yield prediction
            if tracks is not None:
                tracks.finish_async()

    def _genetic_code(self, items: Iterator[tuple[FastaRecord, np.ndarray, np.ndarray, int]],
                      ) -> tuple[GeneticCode, Iterator[tuple[FastaRecord, np.ndarray, np.ndarray, int]]]:
        """The genetic code to decode ``items`` with, and the items. With table "auto", the
        first contigs are held back until their scores settle the table (see
        :mod:`genoseq.genes.table_detection`; at most ``adapt_max_bases`` bases)."""
        if self.table != AUTO_TABLE:
            self.table_call = None
            return genetic_code(int(self.table)), items
        held, evidence, bases, codons = [], [], 0, 0
        for item in items:
            held.append(item)
            evidence.append(tga_evidence(encode_bases(item[1]), item[2]))
            bases, codons = bases + len(item[1]), codons + evidence[-1][1]
            if codons >= ENOUGH_CODONS or bases >= self.decoder.adapt_max_bases:
                break
        self.table_call = call_table(evidence)
        return genetic_code(self.table_call.table), itertools.chain(held, items)

    def _adapt(self, contigs: list["_Contig"], pool: Executor | None = None,
               contig_pool: Executor | None = None, table: int = 11) -> GenomeAdaptation | None:
        """Learn this input's statistics from first-pass genes (``adapt_rounds`` times) and
        rescore the contigs' candidates with them; None when there are too few genes.
        A small input (fewer complete first-pass genes than ``site_prior_genes``) blends in the
        statistics of the best-fitting genome of the model's :class:`AdaptationLibrary` of
        translation ``table`` (all of them when it has too few genes to learn from).
        ``pool`` runs a contig's two strands side by side, ``contig_pool`` several contigs."""
        settings = self.decoder
        adaptation = background = contexts = start_model = None

        def each(function: Callable[..., T], *columns: Iterable) -> list[T]:
            return list(_in_order(contig_pool, ((partial(function, *args), 0) for args in zip(*columns))))

        def context(c: _Contig) -> AdaptationContext:
            return AdaptationContext.build(c.codes, c.candidates, pool, c.codons)

        def rescore(adaptation: GenomeAdaptation) -> None:
            for c in contigs:
                total_score(c.candidates, settings, adapted=True, edge_start=adaptation.edge_start)
                c.adapted = True

        library: LibraryGenome | None = None
        for round_number in range(settings.adapt_rounds):
            first_pass = each(partial(choose_genes, settings=settings), [c.candidates for c in contigs])
            previous = [(c.codes, c.candidates, genes) for c, genes in zip(contigs, first_pass)]
            complete = sum(int((~genes.partial5).sum()) for genes in first_pass)
            small = complete < settings.site_prior_genes
            if round_number == 0 and small and self.library is not None and settings.library_genes > 0:
                contexts = each(context, contigs)
                library = self.library.pick([(c.codes, c.candidates, x) for c, x in zip(contigs, contexts)], table,
                                            settings)
                for c in contigs:
                    c.library = library.name if library is not None else ""
            if sum(len(genes) for _, _, genes in previous) < settings.min_adapt_genes:
                if library is None or adaptation is not None:
                    break
                # too few genes to learn from: the library genome's statistics alone, then learn again
                assert contexts is not None  # built for the pick
                adaptation = replace(library.adaptation)
                each(adaptation.apply, [c.codes for c in contigs], [c.candidates for c in contigs], contexts)
                rescore(adaptation)
                continue
            contexts = contexts or each(context, contigs)
            background = background or AdaptationBackground.count([(x, c.candidates) for x, c in zip(contexts, contigs)])
            adaptation = GenomeAdaptation.fit(previous, contexts, background)
            if library is not None:
                adaptation = blend(adaptation, library.adaptation, complete / (complete + settings.library_genes))
            prior = self.start_prior if small else None
            surest = _surest_starts(previous, settings.start_learning_share) if settings.fits_start_model else previous
            fit = partial(fit_start_model, surest, contexts, settings.site_l2 if prior is None else settings.site_prior_l2,
                          start_model, prior)
            fitting = pool.submit(fit) if pool is not None and settings.fits_start_model else None
            # the other tables rescore here while the start model is fitted on the other thread
            each(partial(adaptation.apply, pool=None if fitting else pool),
                 [c.codes for c in contigs], [c.candidates for c in contigs], contexts)
            if settings.fits_start_model:
                start_model = adaptation.start_model = fitting.result() if fitting else fit()
                each(partial(_apply_start_model, start_model), [c.candidates for c in contigs], contexts)
            adaptation.edge_start = _edge_start_evidence(contigs, first_pass, settings)
            rescore(adaptation)
        return adaptation

    def _finish(self, c: "_Contig", code: GeneticCode) -> ContigPrediction:
        chosen = choose_genes(c.candidates, self.decoder)
        if c.circular:
            chosen = _reconcile_origin(chosen, c.length, self.decoder.max_overlap)
        chosen = chosen.take(np.lexsort((chosen.end, chosen.begin)))
        rbs, upstream, start_type = start_score_parts(chosen, self.decoder, c.adapted)
        motifs, spacers = _rbs_calls(c.codes, chosen)
        conf = (100.0 * self.confidence.probability(chosen.score, chosen.end - chosen.begin) if len(chosen)
                else np.zeros(0))
        gc = _gc_shares(c.codes, chosen.begin, chosen.end).tolist()
        genes = [
            _gene_call(c.record.id, i + 1, g, c, code, (rbs[i], upstream[i], start_type[i]), (motifs[i], spacers[i]),
                       float(conf[i]), gc[i])
            for i, g in enumerate(_iter_candidates(chosen))
        ]
        complete = [g.rbs_motif for g in genes if g.start_type != "Edge"]
        uses_sd = bool(complete) and sum(m not in WEAK_MOTIFS for m in complete) >= 0.5 * len(complete)
        return ContigPrediction(c.record.id, c.length, genes, c.coding_plus, c.coding_minus, circular=c.circular,
                                description=c.record.description, run_type="Single" if c.adapted else "Network",
                                library=c.library,
                                uses_sd=uses_sd, gc=_gc_share(c.codes[: c.length]), table=code.table_id)

    def _prepare(self, record: FastaRecord, seq: np.ndarray, scores: np.ndarray, ext: int,
                 code: GeneticCode, mask: bool, pool: Executor | None = None) -> "_Contig":
        n = len(record.sequence)
        if ext:
            # Decode on [0, n + ext) of the original coordinates (tail prefix removed):
            # genes across the origin are found whole; copies starting past n are dropped later.
            scores, seq = scores[:, ext:], seq[ext:]
        codes = encode_bases(seq)
        codons = strand_codons(codes)
        segments = _unmasked_segments(codes) if mask else [(0, len(codes))]
        candidates = Candidates.concat([
            contig_candidates(codes[lo:hi], scores[:, lo:hi], code, self.decoder, pool,
                              codons if (lo, hi) == (0, len(codes)) else None).shifted(lo)
            for lo, hi in segments
        ])
        plus, minus = (_coding_probability(scores, first, n) for first in (1, 4))
        return _Contig(record, n, seq, codes, codons, candidates, plus, minus, bool(ext))


@dataclass
class _Contig:
    """A contig between network scoring and decoding."""

    record: FastaRecord
    length: int
    seq: np.ndarray
    codes: np.ndarray
    codons: tuple[np.ndarray, np.ndarray]  # strand_codons(codes)
    candidates: Candidates
    coding_plus: np.ndarray
    coding_minus: np.ndarray
    circular: bool
    adapted: bool = False  # scored with the genome's adapted statistics
    library: str = ""  # the library genome whose statistics were blended in (small inputs)


def _coding_probability(scores: np.ndarray, first: int, n: int, block: int = 1 << 16) -> np.ndarray:
    """float16 per-base P(coding) on one strand: the sum of the probabilities of its three codon
    positions (rows ``first`` to ``first + 2`` of the log-probabilities), a block at a time so that
    the temporaries stay in cache. Values under float16's smallest normal number (6.1e-5, far
    below the tracks' steps of 0.02) become 0: numpy converts float16 subnormals about 30x more
    slowly, which cost 0.13 s on E. coli."""
    out = np.empty(n, dtype=np.float16)
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        p = np.exp(scores[first : first + 3, lo:hi])
        total = p[0] + p[1] + p[2]
        total[total < _HALF_MIN_NORMAL] = 0.0
        out[lo:hi] = total
    return out


_HALF_MIN_NORMAL = np.float32(2.0**-14)


def _unmasked_segments(codes: np.ndarray) -> list[tuple[int, int]]:
    """[begin, end) of the stretches between runs of N (for --mask)."""
    is_n = codes == 4
    if not is_n.any():
        return [(0, len(codes))]
    edges = np.flatnonzero(np.diff(np.concatenate([[1], is_n.view(np.int8), [1]])))
    # edges alternate: start of non-N run, end of non-N run
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2]) if b > a]


def _reconcile_origin(c: Candidates, n: int, max_overlap: int) -> Candidates:
    """On a circular contig decoded over [0, n + ext): drop genes that start past
    the origin (copies of genes near position 0) and partial calls created by
    the artificial end; an origin-crossing gene wins over overlapping genes at the
    start of the contig only if it scores higher."""
    keep = (c.begin < n) & ~((c.end > n) & (c.partial3 | c.partial5))
    c = c.take(np.flatnonzero(keep))
    crossing = np.flatnonzero(c.end > n)
    drop = set()
    for i in crossing:
        wrapped_end = c.end[i] - n
        clash = np.flatnonzero((c.begin < wrapped_end - max_overlap) & (c.end <= n))
        if len(clash) and c.score[clash].sum() > c.score[i]:
            drop.add(int(i))
        else:
            drop.update(int(j) for j in clash)
    return c.take(np.array([i for i in range(len(c)) if i not in drop], dtype=np.int64))


#: the Candidates columns that a gene call reads
_CALL_COLUMNS = ("begin", "end", "strand", "partial5", "partial3", "start_type", "score")


def _iter_candidates(c: Candidates) -> Iterator[dict]:
    """Per candidate, the columns a gene call reads as Python scalars (each column is
    converted once: indexing numpy arrays element by element costs more than the call)."""
    columns = [getattr(c, name).tolist() for name in _CALL_COLUMNS]
    for row in zip(*columns):
        yield dict(zip(_CALL_COLUMNS, row))


def _gc_share(codes: np.ndarray) -> float:
    # byte comparisons: a bincount would first widen every base code to 64 bits
    gc = int(np.count_nonzero(codes == 1)) + int(np.count_nonzero(codes == 2))
    known = len(codes) - int(np.count_nonzero(codes == 4))
    return gc / max(1, known)


def _gc_shares(codes: np.ndarray, begins: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """GC share of each [begin, end) stretch of ``codes`` (0 for an empty one), from one cumulative count."""
    cumulative = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum((codes == 1) | (codes == 2), out=cumulative[1:])
    ends = np.minimum(ends, len(codes))
    lengths = ends - begins
    return np.where(lengths > 0, (cumulative[ends] - cumulative[begins]) / np.maximum(lengths, 1), 0.0)


def _rbs_calls(codes: np.ndarray, genes: Candidates) -> tuple[list[str], list[str]]:
    """The Shine-Dalgarno motif and spacer before each gene's start ("None" for 5'-partial genes)."""
    motifs, spacers = ["None"] * len(genes), ["None"] * len(genes)
    for strand, view in ((1, codes), (-1, COMPLEMENT_CODE[codes[::-1]])):
        idx = np.flatnonzero((genes.strand == strand) & ~genes.partial5)
        if len(idx) == 0:
            continue
        begins = genes.begin[idx] if strand > 0 else len(codes) - genes.end[idx]
        for i, motif, spacer in zip(idx, *sd_motif_calls(start_windows(view, begins))):
            motifs[i], spacers[i] = motif, spacer
    return motifs, spacers


def _gene_call(seqid: str, number: int, c: dict, contig: "_Contig", code: GeneticCode,
               start_parts: tuple[float, float, float], rbs: tuple[str, str], confidence: float,
               gc: float) -> GeneCall:
    begin, end = int(c["begin"]), int(c["end"])
    plus = c["strand"] > 0
    if plus:
        nts = contig.seq[begin:end]
        codons = contig.codons[0][begin:end:3]
    else:  # the minus strand's codons are indexed along its own 5'->3' reading
        nts = reverse_complement_bytes(contig.seq[begin:end])
        n = len(contig.codes)
        codons = contig.codons[1][n - end : n - begin : 3]
    # Genes hold whole codons (5'-partial genes start in frame at the edge).
    codons = codons[: (end - begin) // 3]
    protein = code.translate(codons)
    if not c["partial5"] and protein:
        protein = "M" + protein[1:]
    left_open = c["partial5"] if plus else c["partial3"]
    right_open = c["partial3"] if plus else c["partial5"]
    score = float(c["score"])
    rbs_score, upstream_score, type_score = (float(x) for x in start_parts)
    start_score = rbs_score + upstream_score + type_score
    return GeneCall(
        seqid=seqid, id=f"{seqid}_{number}", start=begin + 1, end=end, strand="+" if plus else "-",
        partial=f"{int(left_open)}{int(right_open)}", start_type=str(START_NAMES[c["start_type"]]),
        score=score, coding_score=score - start_score, start_score=start_score, rbs_score=rbs_score,
        upstream_score=upstream_score, type_score=type_score, rbs_motif=rbs[0], rbs_spacer=rbs[1],
        confidence=confidence, gc=gc,
        nucleotides=nts.tobytes().decode("ascii"), protein=protein,
    )


def predict(
    fasta: str | Path, model: str = DEFAULT_MODEL, device: str = "auto", table: int | str = AUTO_TABLE,
    circular: bool = False, mask: bool = False, **decoder_options,
) -> Iterator[ContigPrediction]:
    """Predict genes in a (gzipped) FASTA file; yields one :class:`ContigPrediction` per contig
    (``table``: see :meth:`GenePredictor.load`)."""
    predictor = GenePredictor.load(model, device, table, **decoder_options)
    yield from predictor.predict_records(read_dna(fasta), circular=circular, mask=mask)


T = TypeVar("T")


def _window_settings(entry: ModelEntry, batch_size: int | None, device: str, step: int,
                     orientations: int | None = None) -> WindowSettings:
    """The model's window settings, with ``batch_size`` (default: 256 windows on CUDA),
    ``orientations`` where given, and lengths aligned to the network's ``step`` bases."""
    options = dict(entry.settings.get("windows", {}))
    if orientations:
        options["orientations"] = orientations
    if batch_size:
        options["batch_size"] = batch_size
    elif device.startswith("cuda"):
        options["batch_size"] = 256
    if device.startswith("cuda"):  # a GPU wants whole batches, not cache-sized chunks
        options["conv_batch"] = options.get("batch_size", 256)
    return WindowSettings(**options).aligned(step)


def _choose_engine(engine: str, entry: ModelEntry, device: str, precision: str) -> str:
    """The engine a run uses (see :meth:`GenePredictor.load`); an explicit choice that cannot
    run is an error, "auto" falls back to torch."""
    if engine not in ENGINES:
        raise GenoseqError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if engine == "torch" and entry.file.suffix != ".onnx":
        return engine
    reasons = []
    if entry.onnx_file is None:
        reasons.append(f"model {entry.name!r} ships no ONNX export")
    if engine == "torch":
        reasons.append("--engine torch was chosen")
    if precision not in ("auto", "fp32"):
        reasons.append(f"--precision {precision} is a torch arithmetic")
    if device.lower().startswith("cuda") or (device.lower() == "auto" and cuda_driver_present()):
        reasons.append("the network runs on a GPU")
    if not onnxruntime_available():
        reasons.append("onnxruntime is not installed")
    if not reasons:
        return "onnxruntime"
    if entry.file.suffix == ".onnx":
        raise GenoseqError(f"{entry.file.name} is an ONNX export, which only ONNX Runtime runs, and it cannot run "
                           f"here: {'; '.join(reasons)}")
    if engine == "onnxruntime":
        raise GenoseqError(f"--engine onnxruntime cannot run here: {'; '.join(reasons)}")
    return "torch"


def _apply_start_model(model: StartModel, candidates: Candidates, context: AdaptationContext) -> None:
    for side in context.strands:
        apply_start_model(model, candidates, side)


def _in_order(pool: Executor | None, tasks: Iterable[tuple[Callable[[], T], int]], ahead: int = 0,
              max_cost: int = 0) -> Iterator[T]:
    """Run ``(task, cost)`` pairs on ``pool`` (inline without one) and yield the tasks' results
    in order as they become available. At most ``ahead`` run at once (0: no limit), and
    tasks whose costs (e.g. contig lengths) add up to at most ``max_cost`` (0: no limit; at
    least one task always runs)."""
    if pool is None:
        for task, _ in tasks:
            yield task()
        return
    pending: deque[tuple[Future, int]] = deque()
    load = 0
    for task, cost in tasks:
        while pending and ((ahead and len(pending) >= ahead) or (max_cost and load + cost > max_cost)):
            future, done = pending.popleft()
            load -= done
            yield future.result()
        pending.append((pool.submit(task), cost))
        load += cost
    while pending:
        yield pending.popleft()[0].result()


def _surest_starts(previous: list[tuple[np.ndarray, Candidates, Candidates]], share: float,
                   ) -> list[tuple[np.ndarray, Candidates, Candidates]]:
    """``previous`` ((codes, candidates, first-pass genes) per contig) with only the ``share`` of
    genes whose start choice is surest (:func:`start_margins`; genes whose ORF offers one start
    are kept): what the genome's start model learns from."""
    if share >= 1.0:
        return previous
    margins = [start_margins(c, genes) for _, c, genes in previous]
    finite = np.concatenate([m[np.isfinite(m)] for m in margins])
    if len(finite) == 0:
        return previous
    cut = float(np.quantile(finite, 1.0 - share))
    return [(codes, c, genes.take(np.flatnonzero(m >= cut))) for (codes, c, genes), m in zip(previous, margins)]


def _edge_start_evidence(contigs: list["_Contig"], genes: list[Candidates], settings: DecoderSettings,
                         ) -> tuple[float, float]:
    """``edge_start_share`` of the mean start evidence (:func:`start_evidence`: gene score,
    choice) of the complete first-pass ``genes``, read from their contigs' rescored candidates:
    what a gene that runs off a 5' edge, whose start cannot be seen, is credited with."""
    if not settings.edge_start_share:
        return 0.0, 0.0
    totals, count = np.zeros(2), 0
    for contig, chosen in zip(contigs, genes):
        c = contig.candidates
        complete = ~chosen.partial5
        if not complete.any():
            continue
        # a candidate is its start, its end and its strand
        keys = [(x.begin.astype(np.int64) << 32) | (x.end.astype(np.int64) << 1) | (x.strand > 0) for x in (c, chosen)]
        rescored = c.take(np.flatnonzero(np.isin(keys[0], keys[1][complete])))
        score, choice = start_evidence(rescored, settings)
        totals += score.sum(), choice.sum()
        count += len(rescored)
    if count == 0:
        return 0.0, 0.0
    share = settings.edge_start_share * totals / count
    return float(share[0]), float(share[1])


def _library(entry: ModelEntry) -> AdaptationLibrary | None:
    """The model's adaptation library (settings "adaptation_library": file name beside the model
    and sha256), verified; None for a model without one."""
    info = entry.settings.get("adaptation_library")
    if not info:
        return None
    path = entry.file.parent / info["file"]
    verify_file(path, info.get("sha256"))
    return AdaptationLibrary.load(path)


def _checked_table(table: int | str) -> int | str:
    """``table`` as GenePredictor keeps it: "auto", or a valid NCBI table number."""
    if isinstance(table, str) and table.strip().lower() == AUTO_TABLE:
        return AUTO_TABLE
    try:
        number = int(table)
    except ValueError:
        raise GenoseqError(f"translation table must be a number or 'auto', not {table!r}") from None
    genetic_code(number)  # an unknown table fails here, before any work
    return number


def _first_bases(items: Iterator[tuple[FastaRecord, np.ndarray, np.ndarray, int]], bases: int,
                 ) -> Iterator[tuple[FastaRecord, np.ndarray, np.ndarray, int]]:
    """Items of ``items`` up to and including the one that brings their contigs to ``bases``."""
    total = 0
    for item in items:
        yield item
        total += len(item[0].sequence)
        if total >= bases:
            return
