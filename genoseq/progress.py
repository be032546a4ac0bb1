"""Progress bars on stderr (tqdm), quiet when stderr is not a terminal."""
from __future__ import annotations

from tqdm import tqdm


class CountProgress:
    """A bar counting items (bases, proteins, ...); ``update(n)`` is safe to pass as a callback."""

    def __init__(self, label: str, unit: str, disable: bool = False, total: int | None = None):
        self._bar = tqdm(desc=label, unit=unit, unit_scale=True, disable=True if disable else None, leave=False,
                         total=total)

    def update(self, n: int) -> None:
        self._bar.update(n)

    def __enter__(self) -> "CountProgress":
        return self

    def __exit__(self, *exc) -> None:
        self._bar.close()


class BaseProgress(CountProgress):
    """A bar counting bases."""

    def __init__(self, label: str, disable: bool = False):
        super().__init__(label, "bp", disable)


def eta_text(seconds: float) -> str:
    """A remaining time as people read it: 45 s, 12 min, 2.5 h."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
