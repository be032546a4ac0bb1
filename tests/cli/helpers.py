"""Run the ``genoseq`` command line: in-process through click's test runner (fast; an
unexpected exception fails the test with its own traceback), or as the real console
script in a subprocess where the process itself is under test."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager

from click.testing import CliRunner


@contextmanager
def _working_directory(path):
    if path is None:
        yield
        return
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def genoseq(*args, stdin: bytes | None = None, cwd=None) -> subprocess.CompletedProcess:
    """``genoseq ARGS`` in this process; returns what a subprocess run would (bytes out/err)."""
    from genoseq.cli import main

    with _working_directory(cwd):
        result = CliRunner().invoke(main, [str(a) for a in args], input=stdin, prog_name="genoseq")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout_bytes, result.stderr_bytes)


def genoseq_process(*args, stdin: bytes | None = None, cwd=None, timeout: int = 600,
                    script: str = "genoseq") -> subprocess.CompletedProcess:
    """An installed console script (``genoseq``, ``genoseq-prodigal``) in a subprocess; the
    module behind it where the script is not on PATH."""
    found = shutil.which(script)
    module = {"genoseq": "genoseq", "genoseq-prodigal": "genoseq.prodigal_cli"}[script]
    command = [found] if found else [sys.executable, "-m", module]
    return subprocess.run([*command, *map(str, args)], input=stdin, capture_output=True, cwd=cwd, timeout=timeout)


def assert_clean_error(result: subprocess.CompletedProcess, fragment: str) -> None:
    """Non-zero exit, a one-line message naming the problem, no traceback."""
    err = result.stderr.decode()
    assert result.returncode != 0, err
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("genoseq: error:"), err
    assert fragment in lines[0], err
