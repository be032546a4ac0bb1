"""Golden outputs: what predict-genes and ss write for the example in data/, kept in
tests/data/golden and compared byte for byte (version and command lines aside; a number may
differ by one unit in its last printed digit between CPUs, see tests/test_golden.py), the way
pyrodigal and cutadapt test. After a deliberate change of output, regenerate them with

    python -m tests.golden

and commit the files together with the change that explains them."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from genoseq import __version__

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden"
COMMANDS = {
    "genes": ["predict-genes", "data/pPCP1.fna", "--tracks", "none", "--precision", "fp32", "-q", "-o"],
    "ss": ["ss", "data/pPCP1.faa", "--precision", "fp32", "-q", "-o"],  # fp32: not the per-CPU default (bf16 or int8)
}


def normalise(text: str) -> str:
    """Drop the lines that name the version or the command line; unversion the rest."""
    keep = [line for line in text.splitlines(keepends=True)
            if not line.startswith(("# genoseq version:", "# command:"))]
    return re.sub(r"genoseq(\.v| )" + re.escape(__version__), r"genoseq\1VERSION", "".join(keep))


def produce(folder: Path) -> dict[str, Path]:
    """Run each command into ``folder/<name>``; returns relative name -> file."""
    files = {}
    for name, args in COMMANDS.items():
        out = folder / name
        subprocess.run([sys.executable, "-m", "genoseq", *args, str(out)], cwd=ROOT, check=True)
        files.update({f"{name}/{p.name}": p for p in sorted(out.iterdir())})
    return files


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = produce(Path(tmp))
        shutil.rmtree(GOLDEN / "genes", ignore_errors=True)
        shutil.rmtree(GOLDEN / "ss", ignore_errors=True)
        for rel, path in files.items():
            target = GOLDEN / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(normalise(path.read_text()))
    print(f"wrote {len(files)} golden files under {GOLDEN.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
