"""The installed console script as a process: what in-process runs cannot show
(the entry point, exit statuses seen by a shell, a real stdin-to-stdout pipe)."""
from genoseq import __version__
from tests.cli.helpers import assert_clean_error, genoseq_process


def test_version_from_the_entry_point():
    result = genoseq_process("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout.decode()


def test_bad_input_exit_status_and_message(tmp_path):
    bad = tmp_path / "bad.fna"
    bad.write_text("not a fasta file\n")
    result = genoseq_process("predict-genes", bad, "-o", tmp_path / "out")
    assert_clean_error(result, "FASTA")
    assert not (tmp_path / "out").exists()


def test_stdin_to_stdout_pipe(example_fasta, tmp_path):
    # run in tmp_path: the other outputs go to their default folder, genoseq_genes/
    result = genoseq_process("predict-genes", "-", "--gff", "-", "-q", stdin=example_fasta.read_bytes(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    rows = [line for line in result.stdout.decode().splitlines() if line and not line.startswith("#")]
    assert rows and all(row.split("\t")[2] == "CDS" for row in rows)
