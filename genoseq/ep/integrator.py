"""The leaky integrator: a state that decays along the DNA and is kicked by elements.

Along one chromosome, ``h(x) = sum_i kick_i * exp(-|x - x_i| / tau)``: running the
recurrence ``h_t = lambda * h_(t-1) + kick_t`` (``lambda = exp(-1/tau)`` per base)
from the left and from the right and adding the two walks. Between kicks the
recurrence only decays, so the walks are evaluated exactly at the kick and
read-out positions with log-space cumulative sums (``torch.logcumsumexp``): no
per-base loop, and no overflow even for whole chromosomes.
"""
from __future__ import annotations

import math

import torch

#: Decay lengths of the bank (bases): 2 kb to 2 Mb, log-spaced. A learned mixture of
#: these exponentials can follow a power law over three orders of magnitude.
DEFAULT_TAUS = tuple(float(round(2000 * 10 ** (k / 2.0))) for k in range(7))


def decay_bank(distance: torch.Tensor, taus: torch.Tensor) -> torch.Tensor:
    """``exp(-|d| / tau_k)`` for every distance and decay: shape (..., n_taus)."""
    return torch.exp(-distance.abs().unsqueeze(-1) / taus)


def integrate(kick_pos: torch.Tensor, log_kick: torch.Tensor, read_pos: torch.Tensor,
              taus: torch.Tensor) -> torch.Tensor:
    """Log of the bidirectional integrator state at ``read_pos`` for each decay length.

    ``kick_pos`` (n,) and ``read_pos`` (m,) are positions on one chromosome (any
    order); ``log_kick`` (n,) the log kick strengths. Returns (m, n_taus): log of
    ``sum_i kick_i exp(-|read - pos_i| / tau)``. Kicks at exactly a read position
    count once.
    """
    kick_pos = kick_pos.double()
    read_pos = read_pos.double()
    taus = taus.double()
    order = torch.argsort(kick_pos)
    pos = kick_pos[order]
    lk = log_kick.double()[order]
    m, n = len(read_pos), len(pos)
    if n == 0:
        return torch.full((m, len(taus)), -math.inf, dtype=torch.float64)
    scaled = pos.unsqueeze(1) / taus  # (n, T)
    # Left walk: kicks at or before x. logcumsumexp over sorted kicks of (log k + pos/tau).
    left = torch.logcumsumexp(lk.unsqueeze(1) + scaled, dim=0)  # (n, T)
    # Right walk: kicks strictly after x. Reverse cumulative of (log k - pos/tau).
    right = torch.flip(torch.logcumsumexp(torch.flip(lk.unsqueeze(1) - scaled, [0]), dim=0), [0])  # (n, T)
    n_left = torch.searchsorted(pos, read_pos, right=True)  # kicks with pos <= x
    x = (read_pos.unsqueeze(1) / taus)
    neg_inf = torch.full((1, len(taus)), -math.inf, dtype=torch.float64)
    left_padded = torch.cat([neg_inf, left], dim=0)  # index 0 = no kick yet
    right_padded = torch.cat([right, neg_inf], dim=0)  # index n = no kick after
    state_left = left_padded[n_left] - x
    state_right = right_padded[n_left] + x
    return torch.logaddexp(state_left, state_right)
