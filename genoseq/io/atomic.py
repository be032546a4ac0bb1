"""Write outputs to temporary files and rename them into place on success.

A run that fails half-way leaves no partial output behind: every output of a
command is opened through one :class:`OutputSet`, which renames all files at
once when the block ends normally and deletes them all when it raises. Files are
written in a hidden staging folder beside their targets (``.genoseq-*``, one per
output folder), so a run that writes thousands of per-protein files pays one
temporary folder, not a uniquely named temporary file each.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import IO, Iterator

from genoseq.errors import GenoseqError

STDOUT = "-"


class OutputSet:
    """A group of output files that appear together or not at all."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []
        self._handles: list[IO] = []
        self._created_dirs: list[Path] = []
        self._staging: dict[Path, Path] = {}  # output folder -> its staging folder

    def open(self, path: str | os.PathLike, mode: str = "w") -> IO:
        """Open ``path`` for writing (``-`` is stdout); committed on success."""
        if str(path) == STDOUT:
            return sys.stdout.buffer if "b" in mode else sys.stdout
        target = Path(path)
        try:
            self._make_parents(target.parent)
            fd, tmp = self._staged_file(target)
        except OSError as exc:
            check_writable(target)  # the clearer message where it applies
            raise GenoseqError(f"cannot write {target}: {exc.strerror}") from None
        handle = os.fdopen(fd, mode)
        self._handles.append(handle)
        self._pending.append((Path(tmp), target))
        return handle

    def _staged_file(self, target: Path) -> tuple[int, str]:
        """Create the temporary file for ``target`` in its folder's staging folder."""
        staging = self._staging.get(target.parent)
        if staging is None:
            staging = self._staging[target.parent] = Path(tempfile.mkdtemp(prefix=".genoseq-", dir=target.parent))
        try:
            tmp = staging / target.name
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), str(tmp)
        except FileExistsError:  # the same name opened twice in one run
            return tempfile.mkstemp(prefix=f"{target.name}.", dir=staging)

    def _remove_staging(self) -> None:
        for staging in self._staging.values():
            shutil.rmtree(staging, ignore_errors=True)
        self._staging.clear()

    def _make_parents(self, folder: Path) -> None:
        for missing in reversed(_existing_ancestor(folder)[1]):  # remembered: a failed run removes them again
            missing.mkdir()
            self._created_dirs.append(missing)

    def reserve(self, path: str | os.PathLike) -> Path:
        """A temporary path for a tool that writes files itself (renamed on commit)."""
        handle = self.open(path, "wb")
        handle.close()
        return self._pending[-1][0]

    def add_companion(self, tmp: Path, target: Path) -> None:
        """Register an extra temporary file (e.g. an index) to rename on commit."""
        self._pending.append((Path(tmp), Path(target)))

    def forget(self, tmp: Path) -> None:
        """Stop tracking a temporary file that another tool consumed."""
        self._pending = [(t, target) for t, target in self._pending if t != Path(tmp)]

    def commit(self) -> None:
        for handle in self._handles:
            if not handle.closed:
                handle.close()
        mode = 0o666 & ~_umask()
        for tmp, target in self._pending:
            os.chmod(tmp, mode)  # mkstemp creates 0600 files; give outputs the usual permissions
            os.replace(tmp, target)
        self._pending.clear()
        self._remove_staging()

    def discard(self) -> None:
        for handle in self._handles:
            with contextlib.suppress(Exception):
                handle.close()
        for tmp, _ in self._pending:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        self._pending.clear()
        self._remove_staging()
        for folder in reversed(self._created_dirs):  # folders made for outputs that never came
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._created_dirs.clear()


def check_writable(*paths: str | os.PathLike | None, folders: tuple[str | os.PathLike, ...] = ()) -> None:
    """Fail before any work if an output cannot be written: its folder (or a folder above
    it) is a file, or the nearest existing folder is not writable. ``None`` and ``-``
    (stdout) are skipped; ``folders`` are output folders themselves."""
    targets = [(Path(p).parent, Path(p)) for p in paths if p is not None and str(p) != STDOUT]
    targets += [(Path(f), Path(f)) for f in folders if str(f) != STDOUT]
    for folder, shown in targets:
        probe = _existing_ancestor(folder)[0]
        if not probe.is_dir():
            raise GenoseqError(f"cannot write {shown}: {probe} is a file, not a folder")
        if not os.access(probe, os.W_OK | os.X_OK):
            raise GenoseqError(f"cannot write {shown}: {probe} is not writable")


def _existing_ancestor(folder: Path) -> tuple[Path, list[Path]]:
    """The nearest of ``folder`` and its parents that exists, and those below it that do not."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return folder, missing


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def output_set() -> Iterator[OutputSet]:
    """Context manager: commit all outputs on success, remove them on error."""
    outputs = OutputSet()
    try:
        yield outputs
    except BaseException:
        outputs.discard()
        raise
    outputs.commit()
