"""Translation table 4 or 11, read from the network's scores (``-g auto``)."""
import numpy as np
import pytest
from Bio.Seq import Seq

from genoseq.genes.codes import COMPLEMENT_CODE, encode_bases
from genoseq.genes.table_detection import MIN_CODONS, MIN_TGA, TGA_PER_1000, call_table, tga_evidence
from genoseq.io.fasta import FastaRecord, read_dna, read_fasta
from tests.cli.helpers import genoseq

CONFIDENT, UNSURE = np.log(0.95), np.log(0.3)


def _gene_scores(n: int, first: int, codons: int) -> np.ndarray:
    """(9, n) scores that call a plus-strand frame coding from ``first`` for ``codons`` codons."""
    scores = np.full((9, n), UNSURE, dtype=np.float32)
    scores[1, first : first + 3 * codons : 3] = CONFIDENT
    return scores


def test_tga_inside_confident_frames_is_counted_on_both_strands():
    rng = np.random.default_rng(0)
    inner = "".join(rng.choice(["GCT", "AAA", "CTG", "GAA"], size=40))
    inner = inner[:30] + "TGA" + inner[33:60] + "TAA" + inner[63:]  # a TGA and a TAA in frame
    seq = "CC" + inner + "GGG"
    codes = encode_bases(np.frombuffer(seq.encode(), dtype=np.uint8))
    scores = _gene_scores(len(codes), 2, 40)
    # the first and last codons lack a confident neighbour on one side: 38 codons count
    assert tga_evidence(codes, scores) == (1, 38)
    # the same gene on the minus strand: reverse complement, scores mirrored into the minus rows
    rc = COMPLEMENT_CODE[codes[::-1]]
    mirrored = np.full_like(scores, UNSURE)
    mirrored[4] = scores[1][::-1]
    assert tga_evidence(rc, mirrored) == (1, 38)
    # an unconfident frame counts nothing
    assert tga_evidence(codes, np.full_like(scores, UNSURE)) == (0, 0)
    assert tga_evidence(codes[:5], scores[:, :5]) == (0, 0)


def test_the_call_needs_enough_codons_and_a_clear_rate():
    assert call_table([(0, MIN_CODONS - 1)]).table == 11
    assert not call_table([(0, MIN_CODONS - 1)]).decided  # too few codons to rule out table 4
    assert call_table([(0, MIN_CODONS)]).decided
    # a small input that reads through TGA clearly and often enough is table 4
    clear = call_table([(MIN_TGA, 1000)])
    assert clear.table == 4 and clear.decided
    assert call_table([(MIN_TGA - 1, 1000)]).table == 11
    # above the rate but with too few TGA codons to trust it: table 11, undecided, however many codons
    rate = TGA_PER_1000 / 1000
    few = call_table([(MIN_TGA - 1, int((MIN_TGA - 1) / rate) - 10)])
    assert few.table == 11 and few.codons >= MIN_CODONS and not few.decided
    assert call_table([(int(3 * rate * 20_000), 20_000)]).table == 4
    many = call_table([(5, 100_000), (3, 200_000)])  # evidence adds up over contigs
    assert many.table == 11 and many.decided and many.codons == 300_000
    assert "auto" in many.describe() and "0.03" in many.describe()


def _slice(shared_genomes, genome: str, tmp_path, size: int):
    record = next(read_dna(shared_genomes / genome / "genome.fna.gz"))
    path = tmp_path / f"{genome}.fna"
    path.write_text(f">{record.id}\n{record.sequence[:size]}\n")
    return path


def test_a_mycoplasma_is_decoded_with_table_4_and_e_coli_with_11(shared_genomes, tmp_path):
    # M. gallisepticum (a validation genome, table 4) and E. coli (table 11), no -g given
    for genome, table in (("mgallisepticum_rlow", 4), ("ecoli_k12_mg1655", 11)):
        out = tmp_path / genome
        result = genoseq("predict-genes", _slice(shared_genomes, genome, tmp_path, 250_000), "-o", out,
                         "--tracks", "none")
        assert result.returncode == 0, result.stderr.decode()
        assert f"translation table {table} (auto" in result.stderr.decode()
        text = (out / "genes.gff3").read_text()
        assert f"transl_table={table};" in text and "table=auto" in text
        genes = {r.id: r.sequence for r in read_fasta(out / "genes.fna")}
        proteins = {r.id: r.sequence for r in read_fasta(out / "proteins.faa")}
        read_through = [i for i, nts in genes.items()
                        if "TGA" in [nts[k : k + 3] for k in range(0, len(nts) - 3, 3)]]
        if table == 4:  # genes run through TGA, translated as tryptophan
            assert len(read_through) > 50
            for i in read_through[:20]:
                assert proteins[i][1:] == str(Seq(genes[i]).translate(table=4))[1:]
        else:
            assert not read_through


@pytest.mark.parametrize("explicit", ["11", "4"])
def test_an_explicit_table_is_used_as_given(shared_genomes, tmp_path, explicit):
    fasta = _slice(shared_genomes, "mgallisepticum_rlow", tmp_path, 60_000)
    result = genoseq("predict-genes", fasta, "-g", explicit, "-o", tmp_path / "out", "--tracks", "none")
    assert result.returncode == 0, result.stderr.decode()
    assert f"transl_table={explicit};" in (tmp_path / "out" / "genes.gff3").read_text()
    assert "(auto" not in result.stderr.decode()


def test_a_table_that_is_neither_a_number_nor_auto_is_refused(example_fasta, tmp_path):
    from tests.cli.helpers import assert_clean_error

    assert_clean_error(genoseq("predict-genes", example_fasta, "-g", "four", "-o", tmp_path / "out"),
                       "translation table must be a number or 'auto'")
    assert not (tmp_path / "out").exists()


def test_too_little_sequence_falls_back_to_11_with_a_warning(example_fasta, tmp_path):
    result = genoseq("predict-genes", example_fasta, "-o", tmp_path, "--tracks", "none")
    assert result.returncode == 0
    assert "warning: translation table 11: too little coding sequence" in result.stderr.decode()
    assert "transl_table=11;" in (tmp_path / "genes.gff3").read_text()


def test_the_api_reports_the_call_and_each_contig_its_table(shared_genomes):
    from genoseq.genes.api import GenePredictor

    genome = next(read_dna(shared_genomes / "mgallisepticum_rlow" / "genome.fna.gz")).sequence
    records = [FastaRecord(f"c{i}", "", genome[i * 100_000 : (i + 1) * 100_000]) for i in range(3)]
    predictor = GenePredictor.load(device="cpu")
    predictions = list(predictor.predict_records(records))
    assert predictor.table_call is not None and predictor.table_call.table == 4
    assert [p.table for p in predictions] == [4, 4, 4] and [p.id for p in predictions] == ["c0", "c1", "c2"]


def test_a_30_kb_piece_is_enough_to_tell_the_tables_apart(shared_genomes):
    from genoseq.genes.api import GenePredictor

    predictor = GenePredictor.load(device="cpu")
    for genome, table in (("mgallisepticum_rlow", 4), ("ecoli_k12_mg1655", 11)):
        sequence = next(read_dna(shared_genomes / genome / "genome.fna.gz")).sequence
        (prediction,) = predictor.predict_records([FastaRecord("piece", "", sequence[500_000:530_000])])
        assert predictor.table_call is not None and predictor.table_call.decided
        assert predictor.table_call.table == table == prediction.table
