"""Ctrl-C (SIGINT) or SIGTERM in the middle of a run: a non-zero exit, one line on stderr, and
no output files, partial or whole (real signals sent to the real command)."""
import signal
import subprocess
import sys
import time

import pytest

from genoseq.io.fasta import read_fasta


@pytest.mark.parametrize("signum, code, word", [(signal.SIGINT, 130, "interrupted"),
                                                (signal.SIGTERM, 143, "terminated")])
def test_a_signal_mid_run_leaves_no_outputs(example_fasta, tmp_path, signum, code, word):
    record = next(read_fasta(example_fasta))
    # 3 Mb of contigs: a run of several seconds
    (tmp_path / "in.fna").write_text("".join(f">c{i}\n{record.sequence}\n" for i in range(300)))
    out = tmp_path / "out"
    # Default signal dispositions in the child: a test run started in the background (``cmd &``
    # in a script) inherits an ignored SIGINT, which Python would keep.
    process = subprocess.Popen([sys.executable, "-m", "genoseq", "predict-genes", str(tmp_path / "in.fna"),
                                "-o", str(out), "-q"], stderr=subprocess.PIPE, restore_signals=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 60
    while not (out.exists() and any(out.iterdir())) and time.time() < deadline:  # writing has begun
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before the signal"
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == code, err.decode()
    assert err.decode().strip().splitlines()[-1] == f"genoseq: error: {word}"
    assert not [p for p in out.rglob("*") if p.is_file()]
