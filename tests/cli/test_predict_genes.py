import gzip
import shutil
import subprocess
import sys

import pysam
import pytest
from Bio.Seq import Seq

from genoseq.io.fasta import read_fasta
from genoseq.io.gff3 import read_cds
from tests.cli.helpers import assert_clean_error, genoseq
from tests.conftest import have


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    from tests.conftest import EXAMPLE_FASTA

    out = tmp_path_factory.mktemp("run")
    result = genoseq("predict-genes", EXAMPLE_FASTA, "-o", out, "-q")
    assert result.returncode == 0, result.stderr.decode()
    return out


def test_outputs_are_consistent(example_run):
    gff = example_run / "genes.gff3"
    text = gff.read_text()
    assert text.startswith("##gff-version 3\n")
    assert "# genoseq version:" in text and "sha256" in text
    assert "##sequence-region NC_005816.1 1 9609" in text
    genes = read_cds(gff)
    assert len(genes) >= 5
    proteins = {r.id: r for r in read_fasta(example_run / "proteins.faa")}
    nucleotides = {r.id: r for r in read_fasta(example_run / "genes.fna")}
    assert [g.id for g in genes] == list(proteins) == list(nucleotides)
    for gene in genes:
        assert gene.id.startswith("NC_005816.1_")
        nts, prot = nucleotides[gene.id].sequence, proteins[gene.id].sequence
        assert len(nts) == gene.length
        translated = str(Seq(nts).translate(table=11))
        if gene.attributes["partial"] == "00":
            # the initiator as M and the stop as the only "*", at the end (Prodigal's convention)
            assert prot[0] == "M" and prot[1:] == translated[1:]
            assert prot.endswith("*") and "*" not in prot[:-1]


def test_bigwig_tracks_cover_every_base(example_run):
    import pybigtools

    for strand in ("plus", "minus"):
        bw = pybigtools.open(str(example_run / f"coding.{strand}.bw"))
        assert bw.chroms() == {"NC_005816.1": 9609}
        values = bw.values("NC_005816.1", 0, 9609, fillna=None)
        assert len(values) == 9609 and ((values >= 0.0) & (values <= 1.0)).all()


def test_bedgraph_tracks_are_tabix_indexed(example_fasta, tmp_path):
    result = genoseq("predict-genes", example_fasta, "-o", tmp_path, "--track-format", "bedgraph",
                     "--gff", "none", "--proteins", "none", "--genes", "none", "-q")
    assert result.returncode == 0, result.stderr.decode()
    for strand in ("plus", "minus"):
        path = tmp_path / f"coding.{strand}.bedgraph.gz"
        assert (tmp_path / f"coding.{strand}.bedgraph.gz.tbi").exists()
        with pysam.TabixFile(str(path)) as tbx:
            rows = [r.split("\t") for r in tbx.fetch("NC_005816.1", 0, 9609)]
        assert int(rows[0][1]) == 0 and int(rows[-1][2]) == 9609
        assert all(0.0 <= float(r[3]) <= 1.0 for r in rows)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "coding.minus.bedgraph.gz", "coding.minus.bedgraph.gz.tbi", "coding.plus.bedgraph.gz", "coding.plus.bedgraph.gz.tbi"]


@pytest.mark.skipif(not have("gt"), reason="genometools (gt) not installed")
def test_gff3_validates(example_run):
    import subprocess

    result = subprocess.run(["gt", "gff3validator", str(example_run / "genes.gff3")], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()


def test_finds_the_annotated_genes(example_run, example_gff):
    from genoseq.genes.evaluate import evaluate_files

    result = evaluate_files(example_run / "genes.gff3", example_gff)
    assert result.sensitivity >= 0.7


def test_same_output_for_gzip_stdin_and_repeat(example_run, example_fasta, tmp_path):
    gz = tmp_path / "in.fna.gz"
    gz.write_bytes(gzip.compress(example_fasta.read_bytes()))
    again = genoseq("predict-genes", gz, "-o", tmp_path / "a", "-q")
    assert again.returncode == 0
    piped = genoseq("predict-genes", "-", "--gff", "-", "--proteins", "none", "--genes", "none", "--tracks", "none",
                    "-q", stdin=example_fasta.read_bytes())
    assert piped.returncode == 0

    def body(text):
        return [line for line in text.splitlines() if not line.startswith("# command")]

    reference = body((example_run / "genes.gff3").read_text())
    assert body((tmp_path / "a" / "genes.gff3").read_text()) == reference
    assert body(piped.stdout.decode()) == reference
    assert (tmp_path / "a" / "proteins.faa").read_text() == (example_run / "proteins.faa").read_text()


def test_both_orientations_read_each_window_twice(example_run, example_fasta, example_gff, tmp_path):
    """--orientations 2 averages the network's reading of each window with that of its reverse
    complement: the same genes in a small plasmid, a run recorded in the header, and 3 refused."""
    from genoseq.genes.evaluate import evaluate_files

    result = genoseq("predict-genes", example_fasta, "-o", tmp_path / "two", "-q", "--orientations", "2",
                     "--tracks", "none")
    assert result.returncode == 0, result.stderr.decode()
    gff = tmp_path / "two" / "genes.gff3"
    assert "orientations=2" in gff.read_text() and "orientations=1" in (example_run / "genes.gff3").read_text()
    assert evaluate_files(gff, example_gff).sensitivity >= 0.7
    three = genoseq("predict-genes", example_fasta, "-o", tmp_path / "three", "--orientations", "3")
    assert three.returncode == 2 and b"Invalid value for '--orientations'" in three.stderr
    assert not (tmp_path / "three").exists()


def rotate(fasta, offset):
    record = next(read_fasta(fasta))
    seq = record.sequence[offset:] + record.sequence[:offset]
    return f">{record.id}\n{seq}\n".encode(), len(seq)


def test_circular_gene_across_the_origin_is_one_gene(example_fasta, tmp_path):
    data, n = rotate(example_fasta, 600)  # YP_pPCP01 (87..1109) now crosses the origin
    (tmp_path / "rot.fna").write_bytes(data)
    linear = genoseq("predict-genes", tmp_path / "rot.fna", "-o", tmp_path / "lin", "-q")
    circ = genoseq("predict-genes", tmp_path / "rot.fna", "-o", tmp_path / "circ", "--circular", "-q")
    assert linear.returncode == 0 and circ.returncode == 0, circ.stderr.decode()
    lin_genes = read_cds(tmp_path / "lin" / "genes.gff3")
    circ_genes = read_cds(tmp_path / "circ" / "genes.gff3")
    assert any(g.attributes["partial"] != "00" for g in lin_genes)
    crossing = {g.end: g for g in circ_genes if g.end > n}
    gene = crossing[n + 1109 - 600]  # the stop of YP_pPCP01 (87..1109), across the origin
    assert gene.strand == "+" and gene.attributes["partial"] == "00"
    assert gene.start <= n and gene.attributes["start_type"] in ("ATG", "GTG", "TTG")
    assert (gene.end - gene.start + 1) % 3 == 0
    assert not any(g.end > n for g in lin_genes)
    assert "Is_circular=true" in (tmp_path / "circ" / "genes.gff3").read_text()
    if have("gt"):
        import subprocess

        check = subprocess.run(["gt", "gff3validator", str(tmp_path / "circ" / "genes.gff3")], capture_output=True)
        assert check.returncode == 0, check.stderr.decode()


def test_closed_forbids_partial_genes(example_fasta, tmp_path):
    data, _ = rotate(example_fasta, 600)
    (tmp_path / "rot.fna").write_bytes(data)
    result = genoseq("predict-genes", tmp_path / "rot.fna", "-o", tmp_path / "c", "--closed", "-q")
    assert result.returncode == 0
    assert all(g.attributes["partial"] == "00" for g in read_cds(tmp_path / "c" / "genes.gff3"))


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"", "empty"),
        (b"hello world\n", "not a FASTA"),
        (b">p1\nMKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQ\n", "protein"),
        (b">a\nACGTACGT\n>a\nACGT\n", "duplicate"),
        (b">a\n>b\nACGTACGTAAATTT\n", "sequence 'a' is empty"),  # a header with no sequence
    ],
)
def test_bad_input_fails_cleanly_without_outputs(tmp_path, content, fragment):
    path = tmp_path / "in.fa"
    path.write_bytes(content)
    out = tmp_path / "out"
    result = genoseq("predict-genes", path, "-o", out, "-q")
    assert_clean_error(result, fragment)
    assert not out.exists() or not any(out.iterdir())


def test_odd_but_legal_contigs(tmp_path, example_fasta):
    record = next(read_fasta(example_fasta))
    body = record.sequence[:3000]
    text = (f">tiny\nA\n>gap\n{'N' * 500}\n>soft\n{body.lower()}\n>iupac\n{body[:1000]}RYKMSWN{body[1000:]}\n"
            f">empty_line_after\n{body}\n")
    (tmp_path / "odd.fa").write_bytes(text.replace("\n", "\r\n").encode())
    result = genoseq("predict-genes", tmp_path / "odd.fa", "-o", tmp_path / "o", "-q")
    assert result.returncode == 0, result.stderr.decode()
    gff = (tmp_path / "o" / "genes.gff3").read_text()
    for seqid, length in (("tiny", 1), ("gap", 500), ("soft", 3000)):
        assert f"##sequence-region {seqid} 1 {length}" in gff
    soft = [g for g in read_cds(tmp_path / "o" / "genes.gff3") if g.seqid == "soft"]
    upper = [g for g in read_cds(tmp_path / "o" / "genes.gff3") if g.seqid == "empty_line_after"]
    assert [(g.start, g.end) for g in soft] == [(g.start, g.end) for g in upper]


def test_missing_input_and_unwritable_output(tmp_path, example_fasta):
    assert_clean_error(genoseq("predict-genes", tmp_path / "nope.fa", "-o", tmp_path / "o"), "no such file")
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    assert_clean_error(genoseq("predict-genes", example_fasta, "-o", blocker / "sub", "-q"), "cannot write")


def test_corrupted_and_foreign_weights(tmp_path, example_fasta):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x80\x04not a checkpoint")
    assert_clean_error(genoseq("predict-genes", example_fasta, "-o", tmp_path / "o", "-m", bad), "not a readable")
    assert_clean_error(genoseq("predict-genes", example_fasta, "-o", tmp_path / "o", "-m", "no-such-model"),
                       "unknown model")
    bad_onnx = tmp_path / "bad.onnx"
    bad_onnx.write_bytes(b"\x08\x07garbage")
    assert_clean_error(genoseq("predict-genes", example_fasta, "-o", tmp_path / "o", "-m", bad_onnx),
                       "not a readable genoseq ONNX model")


@pytest.mark.parametrize("engine, which", [("torch", "file"), ("onnxruntime", "onnx")])
def test_tampered_shipped_weights_are_refused(tmp_path, example_fasta, monkeypatch, engine, which):
    from genoseq.nn import registry

    fake = tmp_path / "models"
    shutil.copytree(registry.models_dir(), fake)
    info = registry.read_registry(fake)["genes-default"]
    weights = fake / (info["file"] if which == "file" else info["onnx"]["file"])
    weights.write_bytes(weights.read_bytes()[:-10] + b"0123456789")
    monkeypatch.setattr(registry, "models_dir", lambda: fake)
    from genoseq.errors import ModelError
    from genoseq.genes.api import GenePredictor

    with pytest.raises(ModelError, match="sha256"):
        GenePredictor.load("genes-default", "cpu", engine=engine)


def test_without_onnxruntime_the_torch_engine_runs(tmp_path, example_fasta, monkeypatch):
    from genoseq.genes import api

    monkeypatch.setattr(api, "onnxruntime_available", lambda: False)
    assert api.GenePredictor.load("genes-default", "cpu").engine == "torch"
    result = genoseq("predict-genes", example_fasta, "-o", tmp_path / "o", "--engine", "onnxruntime")
    assert_clean_error(result, "onnxruntime is not installed")


def test_engine_choice_and_clear_errors(tmp_path, example_fasta):
    """auto: ONNX Runtime on CPU for shipped models, torch where only torch can run the request;
    an explicit engine that cannot run is a one-line error."""
    from genoseq.genes.api import GenePredictor
    from genoseq.nn.registry import models_dir, read_registry

    pt = str(models_dir() / read_registry()["genes-default"]["file"])
    assert GenePredictor.load("genes-default", "cpu").engine == "onnxruntime"
    assert GenePredictor.load("genes-default", "cpu", precision="bf16").engine == "torch"
    assert GenePredictor.load(pt, "cpu").engine == "torch"  # a checkpoint path has no ONNX export
    for args, message in (((pt,), "ships no ONNX export"), (("genes-default", "--precision", "bf16"), "torch arithmetic"),
                          (("genes-default", "--device", "cuda"), "on a GPU")):
        result = genoseq("predict-genes", example_fasta, "-o", tmp_path / "o", "--engine", "onnxruntime",
                         "-m", *args[:1], *args[1:])
        assert_clean_error(result, message)
        assert not (tmp_path / "o").exists()
    onnx = str(models_dir() / read_registry()["genes-default"]["onnx"]["file"])
    for args in (("--engine", "torch"), ("--precision", "bf16")):
        result = genoseq("predict-genes", example_fasta, "-o", tmp_path / "o", "-m", onnx, *args)
        assert_clean_error(result, "is an ONNX export, which only ONNX Runtime runs")


def test_cpu_runs_do_not_import_torch(tmp_path, example_fasta):
    """The default CPU run never imports torch (a second of every run on 2 cores)."""
    script = ("import sys\nfrom genoseq.cli import main\n"
              f"try:\n    main(['predict-genes', {str(example_fasta)!r}, '-o', {str(tmp_path / 'o')!r}, '-q'])\n"
              "except SystemExit as exit:\n    assert not exit.code, exit.code\n"
              "print('torch' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
    assert (tmp_path / "o" / "genes.gff3").stat().st_size > 0


def test_help_explains_options():
    result = genoseq("predict-genes", "--help")
    out = result.stdout.decode()
    for option in ("--threads", "--device", "--batch-size", "--table", "--closed", "--circular", "--mask", "stdin"):
        assert option in out


def test_mask_keeps_genes_out_of_n_runs(example_fasta, tmp_path):
    record = next(read_fasta(example_fasta))
    seq = record.sequence[:600] + "N" * 100 + record.sequence[700:]  # gap inside YP_pPCP01 (87..1109)
    (tmp_path / "gap.fna").write_text(f">gap\n{seq}\n")
    result = genoseq("predict-genes", tmp_path / "gap.fna", "-o", tmp_path / "m", "--mask", "-q")
    assert result.returncode == 0, result.stderr.decode()
    genes = read_cds(tmp_path / "m" / "genes.gff3")
    assert genes
    for gene in genes:
        assert gene.end <= 600 or gene.start > 700
    # the coding gene the gap cuts continues past it on the right: called there as 5'-partial
    flags = {(g.start, g.attributes["partial"]) for g in genes if g.end == 600 or g.start in (701, 702, 703)}
    assert flags and all(p != "00" for _, p in flags)


def test_multi_fasta_and_other_tables(example_fasta, tmp_path):
    record = next(read_fasta(example_fasta))
    pieces = [record.sequence[i : i + 1500] for i in range(0, len(record.sequence), 1500)]
    (tmp_path / "contigs.fna").write_text("".join(f">c{i} piece {i}\n{p}\n" for i, p in enumerate(pieces)))
    for table in ("11", "4", "25"):
        out = tmp_path / f"t{table}"
        result = genoseq("predict-genes", tmp_path / "contigs.fna", "-g", table, "-o", out, "-q")
        assert result.returncode == 0, result.stderr.decode()
        text = (out / "genes.gff3").read_text()
        assert text.count("##sequence-region") == len(pieces)
        assert f"table={table}" in text
    assert_clean_error(genoseq("predict-genes", tmp_path / "contigs.fna", "-g", "99", "-o", tmp_path / "x", "-q"),
                       "unknown genetic code")
