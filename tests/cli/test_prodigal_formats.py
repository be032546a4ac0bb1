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
