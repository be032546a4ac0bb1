"""A per-genome translation-start model: which start codon of an ORF is the real one.

Every ORF offers several start codons in frame before its stop. The model gives each
one a score whose differences within an ORF are log-odds of being the translation
start. It is a conditional-logit (softmax over the starts of one ORF) linear model,
fitted by maximum likelihood on the starts of the input's own first-pass genes, so it
learns what that genome's starts look like without any labels:

* a position weight for every base from ``START_UPSTREAM`` bases before the start codon
  to ``START_DOWNSTREAM`` bases after it: ribosome-binding sites, promoter elements right
  upstream of leaderless starts and the composition of the first codons alike;
* the start codon itself (ATG, GTG, TTG);
* the best upstream motif of the genome (the adaptation's motif score);
* the network's start-site logit.

Only differences between the starts of one ORF enter the likelihood, so whatever an
ORF's starts share (its coding potential, the genome's overall composition) cannot be
learned as a start signal.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

START_UPSTREAM = 40
START_DOWNSTREAM = 12  # codons 2-5
#: window positions read as bases: all but the start codon itself
BASE_POSITIONS = np.r_[0:START_UPSTREAM, START_UPSTREAM + 3 : START_UPSTREAM + 3 + START_DOWNSTREAM]
N_TYPES = 3
#: Shine-Dalgarno core (complement of the 16S rRNA 3' end, CCUCCU); every substring of
#: 3-6 bases counts as a motif, as in Prodigal's RBS motif list
SD_CORE = "AGGAGG"
SD_LENGTHS = (3, 4, 5, 6)
#: spacer bins (bases between the motif's last base and the start codon)
SD_SPACERS = ((3, 4), (5, 10), (11, 12), (13, 15))


def start_windows(view: np.ndarray, begins: np.ndarray) -> np.ndarray:
    """(n, len(BASE_POSITIONS)) base codes around each start at ``begins`` of the strand's
    sequence ``view`` (start codon left out; 4 = unknown or outside the sequence)."""
    offsets = begins[:, None] - START_UPSTREAM + BASE_POSITIONS[None, :]
    inside = (offsets >= 0) & (offsets < len(view))
    if not len(view):
        return np.full(offsets.shape, 4, dtype=np.uint8)
    return np.where(inside, view[np.clip(offsets, 0, len(view) - 1)], 4).astype(np.uint8)


@dataclass
class StartModel:
    """Fitted weights: per position and base (base 4 = unknown, weight 0), per start type,
    and for the motif score and the network logit."""

    position: np.ndarray  # (len(BASE_POSITIONS), 5)
    start_type: np.ndarray  # (N_TYPES,)
    extra: np.ndarray  # (n_extra,) weights of the extra features (see :func:`extra_features`)

    def score(self, windows: np.ndarray, start_type: np.ndarray, extra: np.ndarray) -> np.ndarray:
        """Scores of starts (``start_type`` < N_TYPES; no 5'-partial candidates)."""
        pos = self.position[np.arange(len(BASE_POSITIONS))[None, :], windows].sum(1)
        return pos + self.start_type[start_type] + extra @ self.extra

    @classmethod
    def fit(
        cls, windows: np.ndarray, start_type: np.ndarray, extra: np.ndarray,
        group: np.ndarray, chosen: np.ndarray, l2: float = 1.0, iterations: int = 60,
    ) -> StartModel:
        """Maximum likelihood of the ``chosen`` start among the starts of its ``group`` (one
        group per ORF, ids 0..G-1), with an L2 penalty of ``l2`` per gene on every weight."""
        n_pos = len(BASE_POSITIONS)
        rows = np.arange(len(windows))
        n_extra = extra.shape[1]
        onehot = np.zeros((len(windows), n_pos * 4 + N_TYPES + n_extra), dtype=np.float32)
        known = windows < 4
        r, p = np.nonzero(known)
        onehot[r, p * 4 + windows[r, p]] = 1.0
        onehot[rows, n_pos * 4 + start_type.astype(np.int64)] = 1.0
        onehot[:, n_pos * 4 + N_TYPES :] = extra
        x = torch.from_numpy(onehot)
        g = torch.from_numpy(group.astype(np.int64))
        n_groups = int(group.max()) + 1 if len(group) else 0
        positive = torch.from_numpy(np.flatnonzero(chosen))
        w = torch.zeros(x.shape[1], requires_grad=True)
        optimizer = torch.optim.LBFGS([w], lr=1.0, max_iter=iterations, line_search_fn="strong_wolfe")

        def closure() -> torch.Tensor:
            optimizer.zero_grad()
            s = x @ w
            top = torch.full((n_groups,), -1e30).scatter_reduce(0, g, s.detach(), "amax")
            lse = torch.zeros(n_groups).index_add(0, g, (s - top[g]).exp()).log() + top
            loss = (lse.sum() - s[positive].sum()) / max(1, n_groups) + l2 * (w * w).sum() / max(1, n_groups)
            loss.backward()
            return loss

        if n_groups:
            optimizer.step(closure)
        weights = w.detach().numpy().astype(np.float64)
        position = np.zeros((n_pos, 5))
        position[:, :4] = weights[: n_pos * 4].reshape(n_pos, 4)
        return cls(position, weights[n_pos * 4 : n_pos * 4 + N_TYPES], weights[n_pos * 4 + N_TYPES :])


def _sd_table() -> np.ndarray:
    """(len(SD_LENGTHS), 4**6) whether a k-mer code (k = row's length) is a substring of SD_CORE."""
    index = {b: i for i, b in enumerate("ACGT")}
    table = np.zeros((len(SD_LENGTHS), 4 ** max(SD_LENGTHS)), dtype=bool)
    for row, k in enumerate(SD_LENGTHS):
        for i in range(len(SD_CORE) - k + 1):
            code = 0
            for base in SD_CORE[i : i + k]:
                code = code * 4 + index[base]
            table[row, code] = True
    return table


_SD_TABLE = _sd_table()


def _sd_hits(up: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes of the k-mers ending at each upstream position, whether each is a Shine-Dalgarno
    motif, and its spacer (bases from the k-mer's end to the start codon)."""
    width = up.shape[1] - k + 1
    codes = np.zeros((len(up), width), dtype=np.int64)
    valid = np.ones(codes.shape, dtype=bool)
    for j in range(k):
        part = up[:, j : j + width]
        codes = codes * 4 + np.minimum(part, 3)
        valid &= part < 4
    hit = valid & _SD_TABLE[SD_LENGTHS.index(k)][codes]
    spacer = up.shape[1] - k - np.arange(width)
    return codes, hit, spacer


def sd_features(windows: np.ndarray) -> np.ndarray:
    """(n, len(SD_LENGTHS) * len(SD_SPACERS)) indicators: a Shine-Dalgarno motif of each length
    ends with a spacer in each bin before the start (read from the start model's windows)."""
    up = windows[:, :START_UPSTREAM].astype(np.int64)
    out = np.zeros((len(up), len(SD_LENGTHS), len(SD_SPACERS)), dtype=np.float32)
    for row, k in enumerate(SD_LENGTHS):
        _, hit, spacer = _sd_hits(up, k)
        for b, (lo, hi) in enumerate(SD_SPACERS):
            out[:, row, b] = hit[:, (spacer >= lo) & (spacer <= hi)].any(1)
    return out.reshape(len(up), -1)


def sd_motif_calls(windows: np.ndarray) -> tuple[list[str], list[str]]:
    """Per start, the longest Shine-Dalgarno motif before it (spacer 3-15, 5-10 preferred)
    and its spacer bin, written as Prodigal writes them (``AGGAG``, ``5-10bp``; ``None``)."""
    up = windows[:, :START_UPSTREAM].astype(np.int64)
    motifs, spacers = ["None"] * len(up), ["None"] * len(up)
    found = np.zeros(len(up), dtype=bool)
    labels = [f"{lo}-{hi}bp" for lo, hi in SD_SPACERS]
    for k in sorted(SD_LENGTHS, reverse=True):
        codes, hit, spacer = _sd_hits(up, k)
        hit &= (spacer >= SD_SPACERS[0][0]) & (spacer <= SD_SPACERS[-1][1])
        preference = hit * (1 + ((spacer >= 5) & (spacer <= 10)))
        best = preference.argmax(1)
        for i in np.flatnonzero(hit.any(1) & ~found):
            code, gap = int(codes[i, best[i]]), int(spacer[best[i]])
            motifs[i] = "".join("ACGT"[(code >> (2 * (k - 1 - j))) & 3] for j in range(k))
            spacers[i] = next(label for label, (lo, hi) in zip(labels, SD_SPACERS) if lo <= gap <= hi)
            found[i] = True
    return motifs, spacers


def extra_features(windows: np.ndarray, motif: np.ndarray, logit: np.ndarray) -> np.ndarray:
    """The start model's features beside bases and start type: Shine-Dalgarno motifs by
    length and spacer, the genome's best upstream motif score and the network's start logit."""
    return sd_features(windows)
