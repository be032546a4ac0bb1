"""Run the integrator model over a pair table (optionally through a landscape)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from genoseq.ep.features import Landscape, PairFeatures
from genoseq.ep.integrator import integrate
from genoseq.ep.model import EPIntegrator


@dataclass
class _ChromGroup:
    pairs: torch.Tensor  # indices into the scorable pairs
    land_pos: torch.Tensor
    land_marks: torch.Tensor
    tss: torch.Tensor  # unique TSS positions
    tss_index: torch.Tensor  # pair -> row of tss
    overlap_pair: torch.Tensor  # (pair, landscape element) index pairs of elements inside the tested element
    overlap_land: torch.Tensor


class PreparedPairs:
    """Scorable pairs as tensors, grouped by chromosome for the landscape walk."""

    def __init__(self, features: PairFeatures, landscape: Landscape | None = None):
        self.features = features
        ok = features.ok.copy()
        self.unknown_chromosomes = 0
        if landscape is not None:
            known = np.isin(features.chrom, list(landscape.chroms))
            self.unknown_chromosomes = int((ok & ~known).sum())
            ok &= known
        self.rows = np.flatnonzero(ok)
        self.marks = torch.from_numpy(features.marks[self.rows])
        self.distance = torch.from_numpy(features.distance[self.rows])
        self.ubiquitous = torch.from_numpy(features.ubiquitous[self.rows])
        self.groups: list[_ChromGroup] = []
        if landscape is None:
            return
        chrom = features.chrom[self.rows]
        for name in np.unique(chrom):
            idx = np.flatnonzero(chrom == name)
            pos, marks, start, end = landscape.chroms[name]
            tss, inverse = np.unique(features.tss[self.rows][idx], return_inverse=True)
            order = np.argsort(start)
            e_start = features.element_start[self.rows][idx]
            e_end = features.element_end[self.rows][idx]
            lo = np.searchsorted(start[order], e_start - 5000)  # landscape elements are short; 5 kb look-back
            hi = np.searchsorted(start[order], e_end)
            op, ol = [], []
            for k, (a, b) in enumerate(zip(lo, hi)):
                for j in order[a:b]:
                    if end[j] > e_start[k] and start[j] < e_end[k]:
                        op.append(k)
                        ol.append(j)
            self.groups.append(_ChromGroup(
                torch.from_numpy(idx), torch.from_numpy(pos), torch.from_numpy(marks), torch.from_numpy(tss),
                torch.from_numpy(inverse), torch.tensor(op, dtype=torch.long), torch.tensor(ol, dtype=torch.long),
            ))

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class PairScores:
    probability: torch.Tensor
    u: torch.Tensor
    log_contribution: torch.Tensor
    log_state: torch.Tensor


def score_pairs(model: EPIntegrator, prepared: PreparedPairs) -> PairScores:
    """Probability, read-out value and integrator quantities for every scorable pair."""
    log_c = model.log_kick(prepared.marks) + model.log_contact(prepared.distance)
    if model.uses_landscape and prepared.groups:
        log_land = torch.full_like(log_c, -torch.inf)
        log_mix = model.log_mixture()
        for g in prepared.groups:
            log_k = model.log_landscape_kick(g.land_marks)
            per_tau = integrate(g.land_pos, log_k, g.tss, model.taus)  # (tss, taus)
            state = torch.logsumexp(per_tau + log_mix, dim=1)[g.tss_index]
            if len(g.overlap_pair):
                # the tested element's own peaks are not "other" elements: remove them from the state
                tss = g.tss[g.tss_index[g.overlap_pair]]
                own = log_k[g.overlap_land] + model.log_contact(g.land_pos[g.overlap_land] - tss)
                own_sum = torch.zeros(len(g.pairs), dtype=torch.float64).index_add(0, g.overlap_pair, own.exp())
                state = torch.log(torch.clamp(state.exp() - own_sum, min=1e-300))
            log_land = log_land.index_put((g.pairs,), state)
        log_state = torch.logaddexp(log_c, log_land)
    else:
        log_state = log_c.clone()
    probability, u = model.read_out(log_c, log_state, prepared.ubiquitous)
    return PairScores(probability, u, log_c, log_state)
