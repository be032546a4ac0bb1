import numpy as np
import torch

from genoseq.ep.integrator import DEFAULT_TAUS, integrate


def test_walk_equals_the_sum_of_decayed_kicks():
    gen = torch.Generator().manual_seed(0)
    pos = torch.randint(0, 10**8, (400,), generator=gen).double()
    log_kick = torch.randn(400, generator=gen).double()
    reads = torch.cat([torch.randint(0, 10**8, (60,), generator=gen).double(), pos[:5], torch.tensor([-5.0, 2e8])])
    taus = torch.tensor(DEFAULT_TAUS)
    got = integrate(pos, log_kick, reads, taus)
    distance = (reads[:, None] - pos[None, :]).abs()
    brute = (log_kick.exp()[None, :, None] * torch.exp(-distance[..., None] / taus)).sum(1).log()
    finite = torch.isfinite(brute)
    assert torch.allclose(got[finite], brute[finite], atol=1e-9)
    assert (got[~finite] < -500).all() or (~finite).sum() == 0


def test_recurrence_form():
    """h_t = lambda h_(t-1) + kick_t, run left-to-right and right-to-left, matches."""
    tau, n = 7.0, 60
    kicks = np.zeros(n)
    kicks[[5, 20, 21, 50]] = [1.0, 2.0, 0.5, 3.0]
    lam = np.exp(-1 / tau)
    left = np.zeros(n)
    right = np.zeros(n)
    for t in range(n):
        left[t] = (lam * left[t - 1] if t else 0) + kicks[t]
    for t in reversed(range(n)):
        right[t] = (lam * right[t + 1] if t < n - 1 else 0) + kicks[t]
    expected = left + right - kicks  # a kick at the read position counts once
    idx = np.flatnonzero(kicks)
    got = integrate(torch.tensor(idx, dtype=torch.float64), torch.log(torch.tensor(kicks[idx])),
                    torch.arange(n, dtype=torch.float64), torch.tensor([tau])).exp()[:, 0].numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-9)
