"""genoseq's gene files read like Prodigal's: compared with real Prodigal 2.6.3 output of the
same example (tests/data/prodigal, written by Prodigal itself)."""
import re
from pathlib import Path

import pytest
from Bio import SeqIO

from tests.cli.helpers import genoseq

PRODIGAL = Path(__file__).resolve().parents[1] / "data" / "prodigal"
EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "pPCP1.fna"
# the header pattern scripts use for Prodigal's FASTA output
HEADER = re.compile(r"^(\S+)_(\d+) # (\d+) # (\d+) # (-?1) # ID=([^;]+);partial=(\d\d);start_type=(\w+);"
                    r"rbs_motif=([^;]+);rbs_spacer=([^;]+);gc_cont=(\d\.\d+)$")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("genes")
    result = genoseq("predict-genes", EXAMPLE, "-o", out, "--tracks", "none", "-q")
    assert result.returncode == 0, result.stderr.decode()
    ids = tmp_path_factory.mktemp("ids")
    result = genoseq("predict-genes", EXAMPLE, "-o", ids, "--tracks", "none", "-q", "--prodigal-ids",
                     "--no-stop-asterisk")
    assert result.returncode == 0, result.stderr.decode()
    return out, ids


def headers(path: Path) -> list[str]:
    return [line[1:].rstrip("\n") for line in path.open() if line.startswith(">")]


def gff_attribute_keys(path: Path) -> list[list[str]]:
    rows = [line.rstrip("\n;").split("\t")[8] for line in path.open() if line[0] != "#" and "\tCDS\t" in line]
    return [[item.split("=")[0] for item in row.split(";")] for row in rows]


def test_fasta_headers_match_prodigals_pattern_and_key_order(outputs):
    out, _ = outputs
    for path in (PRODIGAL / "pPCP1.faa", out / "proteins.faa", out / "genes.fna"):
        lines = headers(path)
        assert lines and all(HEADER.match(h) for h in lines), path
    ours = {h.split(" # ")[1:3].__repr__(): HEADER.match(h) for h in headers(out / "proteins.faa")}
    theirs = {h.split(" # ")[1:3].__repr__(): HEADER.match(h) for h in headers(PRODIGAL / "pPCP1.faa")}
    shared = set(ours) & set(theirs)
    assert len(shared) >= 5  # the same genes, found by both
    for key in shared:  # where both call a gene: same start type, motif and spacer; GC to rounding
        assert ours[key].group(8, 9, 10) == theirs[key].group(8, 9, 10), key
        # (Prodigal's GC of some minus-strand genes is off by a few bases' worth)
        assert abs(float(ours[key].group(11)) - float(theirs[key].group(11))) < 0.005, key


def test_gff_attributes_in_prodigals_order_and_comment_lines(outputs):
    out, _ = outputs
    (expected,) = {tuple(k) for k in gff_attribute_keys(PRODIGAL / "pPCP1.gff")}
    assert {tuple(k) for k in gff_attribute_keys(out / "genes.gff3")} == {expected}
    ours = (out / "genes.gff3").read_text()
    theirs = (PRODIGAL / "pPCP1.gff").read_text()
    sequence_line = re.compile(r'^# Sequence Data: seqnum=1;seqlen=9609;seqhdr="[^"]+"$', re.M)
    assert sequence_line.search(ours).group(0) == sequence_line.search(theirs).group(0)
    model_keys = [re.findall(r"(\w+)=", m)[:] for m in re.findall(r"^# Model Data: (.*)$", ours + theirs, re.M)]
    assert len(model_keys) == 2 and model_keys[0] == model_keys[1]


def test_proteins_end_with_a_stop_like_prodigals(outputs):
    out, ids = outputs
    for faa, fna in ((PRODIGAL / "pPCP1.faa", PRODIGAL / "pPCP1.fna"), (out / "proteins.faa", out / "genes.fna")):
        proteins = {r.id: str(r.seq) for r in SeqIO.parse(faa, "fasta")}
        genes = {r.id: str(r.seq) for r in SeqIO.parse(fna, "fasta")}
        complete = [i for i, r in proteins.items() if "partial=00" in next(h for h in headers(faa) if h.startswith(i + " "))]
        assert complete and all(len(proteins[i]) * 3 == len(genes[i]) and proteins[i].endswith("*") for i in complete)
    # --no-stop-asterisk drops it; --prodigal-ids writes <contig number>_<gene number>
    plain = [str(r.seq) for r in SeqIO.parse(ids / "proteins.faa", "fasta")]
    assert plain and not any(p.endswith("*") for p in plain)
    assert [HEADER.match(h).group(6) for h in headers(ids / "proteins.faa")] == [f"1_{i + 1}" for i in range(len(plain))]
    assert all(k == "ID" for k, *_ in gff_attribute_keys(ids / "genes.gff3"))
    assert re.findall(r"\tID=(1_\d+);", (ids / "genes.gff3").read_text())[:2] == ["1_1", "1_2"]


GBK_CDS = re.compile(r"^     CDS             (complement\()?<?\d+\.\.>?\d+\)?$")
GBK_NOTE = re.compile(r'^                     /note="(ID=[^;]+;(?:[a-z_]+=[^;]*;)+)"$')


def gbk_structure(text: str) -> tuple[list[str], list[list[str]]]:
    """The DEFINITION keys and the /note keys of each CDS, checking every line's layout."""
    lines = text.splitlines()
    assert lines[0].startswith("DEFINITION  seqnum=1;") and lines[1] == "FEATURES             Location/Qualifiers"
    assert lines[-1] == "//"
    definition_keys = [item.split("=")[0] for item in lines[0][12:].split(";")]
    notes = []
    for cds, note in zip(lines[2:-1:2], lines[3:-1:2]):
        assert GBK_CDS.match(cds), cds
        match = GBK_NOTE.match(note)
        assert match, note
        notes.append([item.split("=")[0] for item in match.group(1).rstrip(";").split(";")])
    return definition_keys, notes


def test_gbk_is_laid_out_as_prodigals(tmp_path):
    """Prodigal's default format: same DEFINITION keys, CDS lines and /note keys, in order."""
    result = genoseq("predict-genes", EXAMPLE, "-f", "gbk", "--gff", tmp_path / "g.gbk", "--proteins", "none",
                     "--genes", "none", "--tracks", "none", "-q")
    assert result.returncode == 0, result.stderr.decode()
    theirs_def, theirs_notes = gbk_structure((PRODIGAL / "pPCP1.gbk").read_text())
    ours_def, ours_notes = gbk_structure((tmp_path / "g.gbk").read_text())
    assert ours_def == theirs_def
    assert {tuple(n) for n in ours_notes} == {tuple(n) for n in theirs_notes}
    ours_cds = {line.strip() for line in (tmp_path / "g.gbk").read_text().splitlines() if "CDS  " in line}
    theirs_cds = {line.strip() for line in (PRODIGAL / "pPCP1.gbk").read_text().splitlines() if "CDS  " in line}
    assert len(ours_cds & theirs_cds) >= 5  # the same genes, written the same way


def test_sco_is_laid_out_as_prodigals(tmp_path):
    result = genoseq("predict-genes", EXAMPLE, "-f", "sco", "--gff", tmp_path / "g.sco", "--proteins", "none",
                     "--genes", "none", "--tracks", "none", "-q")
    assert result.returncode == 0, result.stderr.decode()
    row = re.compile(r"^>(\d+)_(\d+)_(\d+)_([+-])$")
    parsed = []
    for path in (PRODIGAL / "pPCP1.sco", tmp_path / "g.sco"):
        lines = path.read_text().splitlines()
        assert lines[0].startswith("# Sequence Data: seqnum=1;seqlen=9609;seqhdr=")
        assert lines[1].startswith("# Model Data: version=")
        rows = [row.match(line) for line in lines[2:]]
        assert rows and all(rows) and [int(r.group(1)) for r in rows] == list(range(1, len(rows) + 1))
        parsed.append({r.group(2, 3, 4) for r in rows})
    assert len(parsed[0] & parsed[1]) >= 5


def test_genoseq_prodigal_runs_as_tools_call_prodigal(tmp_path, outputs):
    """The way pipelines call prodigal: files by flag, then stdin to stdout; same genes as predict-genes."""
    from tests.cli.helpers import genoseq_process

    _, ids = outputs  # predict-genes --prodigal-ids --no-stop-asterisk
    args = ["-i", EXAMPLE, "-a", tmp_path / "prot.faa", "-d", tmp_path / "genes.fna", "-o", tmp_path / "genes.gff",
            "-f", "gff", "-q"]
    result = genoseq_process(*args, script="genoseq-prodigal")
    assert result.returncode == 0 and not result.stderr, result.stderr.decode()
    assert headers(tmp_path / "prot.faa") == headers(ids / "proteins.faa")
    assert all(HEADER.match(h) for h in headers(tmp_path / "genes.fna"))
    gff_rows = [line for line in (tmp_path / "genes.gff").read_text().splitlines() if "\tCDS\t" in line]
    assert len(gff_rows) == len(headers(tmp_path / "prot.faa")) and "ID=1_1;" in gff_rows[0]
    piped = genoseq_process("-q", stdin=EXAMPLE.read_bytes(), script="genoseq-prodigal")
    assert piped.returncode == 0 and piped.stdout.decode().startswith("DEFINITION  seqnum=1;")
    refused = genoseq_process("-i", EXAMPLE, "-t", tmp_path / "train.trn", script="genoseq-prodigal")
    assert refused.returncode != 0 and refused.stderr.decode().startswith("genoseq-prodigal: error: -t")
    assert not (tmp_path / "train.trn").exists()


def test_meta_mode_keeps_genome_adaptation():
    # measured on mixed contigs of four genomes: adaptation beats none (benchmarks/genes_draft.py --metagenome)
    from genoseq.prodigal_cli import predict_genes_arguments

    single, meta = (predict_genes_arguments(["-i", "x.fna", "-p", mode]) for mode in ("single", "meta"))
    assert single == meta and "--no-adapt" not in meta
