"""Run the real ``genoseq`` command line in a subprocess."""
from __future__ import annotations

import subprocess
import sys


def genoseq(*args: str, stdin: bytes | None = None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "genoseq", *map(str, args)], input=stdin, capture_output=True, cwd=cwd, timeout=600
    )


def assert_clean_error(result: subprocess.CompletedProcess, fragment: str) -> None:
    """Non-zero exit, a one-line message naming the problem, no traceback."""
    err = result.stderr.decode()
    assert result.returncode != 0, err
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("genoseq: error:"), err
    assert fragment in lines[0], err
