"""Progress bars on stderr (tqdm), quiet when stderr is not a terminal."""
from __future__ import annotations

from tqdm import tqdm


class BaseProgress:
    """A bar counting bases processed; ``update(n)`` is safe to pass as a callback."""

    def __init__(self, label: str, disable: bool = False):
        self._bar = tqdm(desc=label, unit="bp", unit_scale=True, disable=True if disable else None, leave=False)

    def update(self, n: int) -> None:
        self._bar.update(n)

    def __enter__(self) -> "BaseProgress":
        return self

    def __exit__(self, *exc) -> None:
        self._bar.close()
