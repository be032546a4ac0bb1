"""A per-genome translation-start model: which start codon of an ORF is the real one.

Every ORF offers several start codons in frame before its stop. The model gives each
one a score whose differences within an ORF are log-odds of being the translation
start. It is a conditional-logit (softmax over the starts of one ORF) linear model,
fitted by maximum likelihood on the starts of the input's own first-pass genes (the share
whose start choice was surest, ``DecoderSettings.start_learning_share``), so it learns what
that genome's starts look like without any labels:

* a position weight for every base from ``START_UPSTREAM`` bases before the start codon
  to ``START_DOWNSTREAM`` bases after it: ribosome-binding sites, promoter elements right
  upstream of leaderless starts and the composition of the first codons alike;
* the start codon itself (ATG, GTG, TTG);
* Shine-Dalgarno motifs (substrings of AGGAGG) by length and spacer.

The network's start logit and the adaptation's motif score are left out on purpose: fitted
on first-pass starts, which those scores chose, the model would learn to copy them. The
decoder adds them beside this model's score instead. Only differences between the starts
of one ORF enter the likelihood, so whatever an ORF's starts share (its coding potential,
the genome's overall composition) cannot be learned as a start signal.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

START_UPSTREAM = 40
START_DOWNSTREAM = 12  # codons 2-5
#: window positions read as bases: all but the start codon itself
BASE_POSITIONS = np.r_[0:START_UPSTREAM, START_UPSTREAM + 3 : START_UPSTREAM + 3 + START_DOWNSTREAM]
N_TYPES = 3
_BASE_ONE_HOT = np.eye(5, 4, dtype=np.float32)
#: Shine-Dalgarno core (complement of the 16S rRNA 3' end, CCUCCU); every substring of
#: 3-6 bases counts as a motif, as in Prodigal's RBS motif list
SD_CORE = "AGGAGG"
SD_LENGTHS = (3, 4, 5, 6)
#: spacer bins (bases between the motif's last base and the start codon)
SD_SPACERS = ((3, 4), (5, 10), (11, 12), (13, 15))


def base_windows(view: np.ndarray, begins: np.ndarray, before: int, after: int) -> np.ndarray:
    """(n, before + after) uint8 base codes from ``before`` bases before each position in
    ``begins`` of ``view`` to ``after`` bases from it on (4 = unknown or outside the sequence):
    rows of a sliding window over the sequence padded with "unknown", one gather per start."""
    padded = np.concatenate([np.full(before, 4, dtype=np.uint8), view.astype(np.uint8, copy=False),
                             np.full(after, 4, dtype=np.uint8)])
    return sliding_window_view(padded, before + after)[begins]


def start_windows(view: np.ndarray, begins: np.ndarray) -> np.ndarray:
    """(n, len(BASE_POSITIONS)) base codes around each start at ``begins`` of the strand's
    sequence ``view`` (start codon left out; 4 = unknown or outside the sequence)."""
    return base_windows(view, begins, START_UPSTREAM, 3 + START_DOWNSTREAM)[:, BASE_POSITIONS]


@dataclass
class StartModel:
    """Fitted weights: per position and base (base 4 = unknown, weight 0), per start type,
    and per extra feature (the Shine-Dalgarno indicators)."""

    position: np.ndarray  # (len(BASE_POSITIONS), 5)
    start_type: np.ndarray  # (N_TYPES,)
    extra: np.ndarray  # (n_extra,) weights of the extra features (:func:`sd_features`)

    def vector(self) -> np.ndarray:
        """The weights as one vector (position weights of the four bases, start types, extras), as
        :meth:`fit` works on them and a checkpoint stores a prior."""
        return np.concatenate([self.position[:, :4].ravel(), self.start_type, self.extra])

    @classmethod
    def from_vector(cls, w: np.ndarray | list[float]) -> StartModel:
        w = np.asarray(w, dtype=np.float64)
        n_pos = len(BASE_POSITIONS)
        if len(w) < n_pos * 4 + N_TYPES:
            raise ValueError(f"a start model vector needs at least {n_pos * 4 + N_TYPES} weights, not {len(w)}")
        position = np.zeros((n_pos, 5))
        position[:, :4] = w[: n_pos * 4].reshape(n_pos, 4)
        return cls(position, w[n_pos * 4 : n_pos * 4 + N_TYPES], w[n_pos * 4 + N_TYPES :])

    def score(self, windows: np.ndarray, start_type: np.ndarray, extra: np.ndarray) -> np.ndarray:
        """Scores of starts (``start_type`` < N_TYPES; no 5'-partial candidates)."""
        pos = self.position[np.arange(len(BASE_POSITIONS))[None, :], windows].sum(1)
        return pos + self.start_type[start_type] + extra @ self.extra

    @classmethod
    def fit(
        cls, windows: np.ndarray, start_type: np.ndarray, extra: np.ndarray,
        group: np.ndarray, chosen: np.ndarray, l2: float = 1.0, iterations: int = 15,
        initial: StartModel | None = None, prior: StartModel | None = None,
    ) -> StartModel:
        """Maximum likelihood of the ``chosen`` start among the starts of its ``group`` (one
        group per ORF, ids 0..G-1, one chosen start each), with an L2 penalty of ``l2`` per
        gene on every weight's distance from ``prior`` (from 0 without one). Convex; solved by
        L-BFGS on one-hot features, from ``initial``'s weights where given (the previous
        adaptation round's model), else from the prior's."""
        n_pos = len(BASE_POSITIONS)
        n_base = n_pos * 4 + N_TYPES  # one-hot columns (an unknown base has none)
        order = np.argsort(group, kind="stable")
        windows, start_type, extra, group, chosen = (a[order] for a in (windows, start_type, extra, group, chosen))
        # dense one-hot (float32 BLAS beats sparse gathers here)
        x = np.empty((len(windows), n_base + extra.shape[1]), dtype=np.float32)
        # rows of a (5, 4) identity-like table: base b -> one-hot, unknown (4) -> zeros
        x[:, : n_pos * 4] = np.take(_BASE_ONE_HOT, windows, axis=0).reshape(len(windows), n_pos * 4)
        np.equal(start_type[:, None], np.arange(N_TYPES), out=x[:, n_pos * 4 : n_base])
        x[:, n_base:] = extra
        first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if len(group) else np.zeros(0, dtype=np.int64)
        n_groups = max(1, len(first))
        sizes = np.diff(np.r_[first, len(group)])
        positive = np.flatnonzero(chosen)

        centre = np.zeros(n_base + extra.shape[1])
        if prior is not None and len(prior.extra) == extra.shape[1]:
            centre = prior.vector()

        def objective(w: np.ndarray) -> tuple[float, np.ndarray]:
            s = (x @ w.astype(np.float32)).astype(np.float64)
            top = np.maximum.reduceat(s, first)
            e = np.exp(s - np.repeat(top, sizes))
            total = np.add.reduceat(e, first)
            p = e / np.repeat(total, sizes)
            d = w - centre
            loss = (np.sum(np.log(total) + top) - s[positive].sum() + l2 * d @ d) / n_groups
            v = p
            v[positive] -= 1.0
            grad = (v.astype(np.float32) @ x).astype(np.float64)
            return loss, (grad + 2 * l2 * d) / n_groups

        w = centre.copy()
        if initial is not None and len(initial.extra) == extra.shape[1]:
            w = initial.vector()
        if len(positive):
            w = _lbfgs(objective, w, iterations)
        return cls.from_vector(w)


def _lbfgs(objective, w: np.ndarray, iterations: int, memory: int = 8) -> np.ndarray:
    """Minimise a smooth convex ``objective(w) -> (value, gradient)``: L-BFGS (two-loop
    recursion) with a backtracking Armijo line search. Kept here because ``torch.optim``
    costs a second of imports on every run and this fit takes a fraction of that."""
    value, grad = objective(w)
    steps: list[tuple[np.ndarray, np.ndarray, float]] = []
    for _ in range(iterations):
        direction = -grad
        alphas = []
        for s, y, rho in reversed(steps):
            alpha = rho * (s @ direction)
            direction = direction - alpha * y
            alphas.append(alpha)
        if steps:
            s, y, _ = steps[-1]
            direction = direction * (s @ y) / (y @ y)
        for (s, y, rho), alpha in zip(steps, reversed(alphas)):
            direction = direction + s * (alpha - rho * (y @ direction))
        slope = grad @ direction
        if slope >= 0:  # not a descent direction: restart from the gradient
            steps.clear()
            direction, slope = -grad, -(grad @ grad)
        t = 1.0
        while True:
            candidate = w + t * direction
            new_value, new_grad = objective(candidate)
            if new_value <= value + 1e-4 * t * slope or t < 1e-8:
                break
            t *= 0.5
        s, y = candidate - w, new_grad - grad
        if s @ y > 1e-12:
            steps.append((s, y, 1.0 / (s @ y)))
            del steps[:-memory]
        converged = abs(value - new_value) < 1e-9 * max(1.0, abs(value))
        w, value, grad = candidate, new_value, new_grad
        if converged:
            break
    return w


#: upstream bases that can hold a Shine-Dalgarno motif within the largest spacer
SD_REACH = SD_SPACERS[-1][1] + max(SD_LENGTHS)
_K = max(SD_LENGTHS)


def _sd_table() -> np.ndarray:
    """(5**6,) bit masks: for a hexamer read in base 5 (4 = unknown base), bit i is set when
    its first SD_LENGTHS[i] bases are known and form a substring of SD_CORE."""
    motifs = {SD_CORE[i : i + k] for k in SD_LENGTHS for i in range(len(SD_CORE) - k + 1)}
    table = np.zeros(5**_K, dtype=np.uint8)
    for code in range(5**_K):
        digits = [(code // 5 ** (_K - 1 - j)) % 5 for j in range(_K)]
        text = "".join("ACGTN"[d] for d in digits)
        for bit, k in enumerate(SD_LENGTHS):
            if text[:k] in motifs:
                table[code] |= 1 << bit
    return table


_SD_TABLE = _sd_table()


def _sd_hits(windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For the upstream bases that can hold a motif: the base-5 hexamer code starting at each
    position and the :data:`_SD_TABLE` mask of the motifs starting there."""
    up = windows[:, START_UPSTREAM - SD_REACH : START_UPSTREAM].astype(np.uint16)
    padded = np.concatenate([up, np.full((len(up), _K - 1), 4, dtype=np.uint16)], axis=1)
    codes = np.zeros(up.shape, dtype=np.uint16)
    for j in range(_K):
        codes = codes * 5 + np.minimum(padded[:, j : j + SD_REACH], 4)
    return codes, _SD_TABLE[codes]


def _spacers(k: int) -> np.ndarray:
    """Spacer of a k-mer starting at each of the SD_REACH upstream positions (negative: overlaps the start)."""
    return SD_REACH - k - np.arange(SD_REACH)


def sd_features(windows: np.ndarray) -> np.ndarray:
    """(n, len(SD_LENGTHS) * len(SD_SPACERS)) indicators: a Shine-Dalgarno motif of each length
    ends with a spacer in each bin before the start (read from the start model's windows)."""
    _, masks = _sd_hits(windows)
    out = np.zeros((len(windows), len(SD_LENGTHS), len(SD_SPACERS)), dtype=np.float32)
    for row, k in enumerate(SD_LENGTHS):
        spacer = _spacers(k)
        for b, (lo, hi) in enumerate(SD_SPACERS):
            cols = (spacer >= lo) & (spacer <= hi)
            out[:, row, b] = (masks[:, cols] & (1 << row)).any(1)
    return out.reshape(len(windows), len(SD_LENGTHS) * len(SD_SPACERS))


def prodigal_motif_name(motif: str, spacer_bin: int) -> str:
    """Prodigal's name for an exact Shine-Dalgarno motif in a spacer bin (index into SD_SPACERS);
    Prodigal groups short motifs and far spacers (names as Prodigal 2.6.3 writes them)."""
    far, wide = spacer_bin == len(SD_SPACERS) - 1, spacer_bin == 2
    if len(motif) == 3:
        return "3Base/5BMM" if far else "GGA/GAG/AGG"
    if len(motif) == 4:
        if far:
            return "4Base/6BMM"
        return "AGGA/GGAG/GAGG" if wide else ("AGGA" if motif == "AGGA" else "GGAG/GAGG")
    if far:
        return "AGGAG(G)/GGAGG"
    if len(motif) == 5:
        return "AGGAG/GGAGG" if wide else motif
    return motif


def sd_motif_calls(windows: np.ndarray) -> tuple[list[str], list[str]]:
    """Per start, the longest Shine-Dalgarno motif before it (spacer 3-15, 5-10 preferred)
    and its spacer bin, named as Prodigal names them (``AGGAG``, ``GGA/GAG/AGG``, ``5-10bp``;
    ``None``)."""
    codes, masks = _sd_hits(windows)
    motifs, spacers = ["None"] * len(windows), ["None"] * len(windows)
    found = np.zeros(len(windows), dtype=bool)
    labels = [f"{lo}-{hi}bp" for lo, hi in SD_SPACERS]
    for row, k in sorted(enumerate(SD_LENGTHS), key=lambda item: -item[1]):
        spacer = _spacers(k)
        hit = ((masks & (1 << row)) > 0) & (spacer >= SD_SPACERS[0][0]) & (spacer <= SD_SPACERS[-1][1])
        preference = hit * (1 + ((spacer >= 5) & (spacer <= 10)))
        best = preference.argmax(1)
        for i in np.flatnonzero(hit.any(1) & ~found):
            code, gap = int(codes[i, best[i]]), int(spacer[best[i]])
            motif = "".join("ACGTN"[(code // 5 ** (_K - 1 - j)) % 5] for j in range(k))
            spacer_bin = next(b for b, (lo, hi) in enumerate(SD_SPACERS) if lo <= gap <= hi)
            motifs[i], spacers[i] = prodigal_motif_name(motif, spacer_bin), labels[spacer_bin]
            found[i] = True
    return motifs, spacers
