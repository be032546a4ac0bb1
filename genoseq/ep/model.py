"""The learnable leaky-integrator model of enhancer-promoter regulation.

For element ``e`` and gene ``g`` at distance ``d``:

- kick ``k_e = exp(w . log1p(activity_e) + b)`` (a learnable transform of the evidence);
- contact ``c(d) = sum_k pi_k exp(-d / tau_k)``: a learned mixture over a bank of decay
  lengths (the integrator's impulse response; a mixture can follow ABC's power law);
- the element's contribution to the promoter's state ``C = k_e c(d)``;
- with a landscape, the state the promoter reads ``S = C + sum_l k_l c(d_l)`` over every
  other candidate element ``l`` on the chromosome (both directions), with its own
  learnable kick transform, since the landscape's activity is measured differently;
- read-out ``u = log C - rho log S + eta * ubiquitous`` (``rho = 0`` without a landscape) (``rho`` in [0, 1]: 1 is the
  share of the state, 0 the absolute contribution), and the promoter is called
  regulated when ``u`` lies in a window with sigmoid edges:
  ``p = sigmoid(s_lo (u - lo)) * sigmoid(s_hi (hi - u))``.

About 25 parameters: the data (a few hundred positive pairs) support no more.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from genoseq.ep.integrator import DEFAULT_TAUS


@dataclass
class EPConfig:
    marks: tuple[str, ...]
    landscape_marks: tuple[str, ...] = ()
    taus: tuple[float, ...] = DEFAULT_TAUS
    upper_edge: bool = True  # False: a one-sided read-out (more input never hurts), to test the window's upper edge
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> "EPConfig":
        return cls(tuple(data["marks"]), tuple(data.get("landscape_marks", ())), tuple(data.get("taus", DEFAULT_TAUS)),
                   bool(data.get("upper_edge", True)), dict(data.get("extra", {})))


class EPIntegrator(nn.Module):
    taus: torch.Tensor  # a buffer: the decay lengths

    def __init__(self, config: EPConfig):
        super().__init__()
        self.config = config
        n_marks, n_land = len(config.marks), len(config.landscape_marks)
        init = torch.zeros(n_marks)
        init[: min(2, n_marks)] = 0.5  # the first two marks (DHS, H3K27ac) start as ABC's sqrt(DHS x H3K27ac)
        self.mark_weights = nn.Parameter(init)
        self.kick_bias = nn.Parameter(torch.zeros(()))
        self.land_weights = nn.Parameter(torch.full((n_land,), 0.5))
        self.land_bias = nn.Parameter(torch.zeros(()))
        self.register_buffer("taus", torch.tensor(config.taus, dtype=torch.float64))
        self.decay_logits = nn.Parameter(torch.zeros(len(config.taus)))
        self.rho_logit = nn.Parameter(torch.zeros(()))
        self.eta = nn.Parameter(torch.zeros(()))
        self.lo = nn.Parameter(torch.tensor(-8.0))
        self.log_slope_lo = nn.Parameter(torch.zeros(()))
        self.hi = nn.Parameter(torch.tensor(8.0))
        self.log_slope_hi = nn.Parameter(torch.zeros(()))

    @property
    def uses_landscape(self) -> bool:
        return len(self.config.landscape_marks) > 0

    def log_mixture(self) -> torch.Tensor:
        return torch.log_softmax(self.decay_logits.double(), dim=0)

    def log_kick(self, marks: torch.Tensor) -> torch.Tensor:
        return (marks.double() @ self.mark_weights.double()) + self.kick_bias.double()

    def log_landscape_kick(self, marks: torch.Tensor) -> torch.Tensor:
        return (marks.double() @ self.land_weights.double()) + self.land_bias.double()

    def log_contact(self, distance: torch.Tensor) -> torch.Tensor:
        """log c(d) for the learned decay mixture."""
        return torch.logsumexp(self.log_mixture() - distance.double().abs().unsqueeze(-1) / self.taus, dim=-1)

    def read_out(self, log_contribution: torch.Tensor, log_state: torch.Tensor,
                 ubiquitous: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(probability, u) from the pair's contribution and the promoter's state (both log)."""
        # without a landscape the state is the element's own contribution: no share to weigh
        rho = torch.sigmoid(self.rho_logit.double()) if self.uses_landscape else 0.0
        u = log_contribution - rho * log_state + self.eta.double() * ubiquitous.double()
        lower = torch.nn.functional.logsigmoid(torch.exp(self.log_slope_lo.double()) * (u - self.lo.double()))
        if not self.config.upper_edge:
            return torch.exp(lower), u
        upper = torch.nn.functional.logsigmoid(torch.exp(self.log_slope_hi.double()) * (self.hi.double() - u))
        return torch.exp(lower + upper), u
