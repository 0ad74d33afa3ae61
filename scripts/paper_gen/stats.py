"""Medians, bootstrap 95% confidence intervals and the Cilk model fit.

median_ci reproduces harness/src/stats.cpp's bootstrap_median_ci bit for bit (splitmix64 from
seed 1, 2000 resamples with replacement, percentile interval with lround'ed positions), so an
interval here is the interval `schedlab summarize` prints for the same samples. Ratios (A/B,
speedup T1/TP) resample both samples independently (numpy, fixed seed): the interval of
median(A*)/median(B*) over the resamples."""

import math

import numpy as np

RESAMPLES = 2000
LEVEL = 0.95
SEED = 1
_M64 = (1 << 64) - 1


def median(xs):
    """The harness's median: the mean of the two middle values of an even count."""
    v = sorted(xs)
    if not v:
        raise ValueError("median of no samples")
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def _lround(x):
    return int(math.floor(x + 0.5))


def median_ci(xs, level=LEVEL, resamples=RESAMPLES, seed=SEED):
    """(lo, hi): as harness bootstrap_median_ci; one sample gives [x, x]."""
    xs = list(xs)
    if not xs:
        raise ValueError("confidence interval of no samples")
    if len(xs) == 1:
        return xs[0], xs[0]
    s = (seed * 0x9E3779B97F4A7C15 + 1) & _M64
    n = len(xs)
    idx = np.empty(resamples * n, dtype=np.int64)
    for i in range(resamples * n):  # splitmix64, as the harness
        s = (s + 0x9E3779B97F4A7C15) & _M64
        z = s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
        idx[i] = (z ^ (z >> 31)) % n
    meds = np.sort(np.median(np.asarray(xs, dtype=float)[idx.reshape(resamples, n)], axis=1))
    alpha = (1 - level) / 2
    at = lambda q: float(meds[_lround(q * (resamples - 1))])  # noqa: E731
    return at(alpha), at(1 - alpha)


def _boot_medians(xs, rng, resamples=RESAMPLES):
    a = np.asarray(xs, dtype=float)
    if len(a) == 1:
        return np.full(resamples, a[0])
    return np.median(a[rng.integers(0, len(a), size=(resamples, len(a)))], axis=1)


def _interval(values, level=LEVEL):
    v = np.sort(values[np.isfinite(values)])
    if len(v) == 0:
        return float("nan"), float("nan")
    alpha = (1 - level) / 2
    return (float(v[_lround(alpha * (len(v) - 1))]), float(v[_lround((1 - alpha) * (len(v) - 1))]))


def ratio_ci(a, b, seed=SEED):
    """median(a)/median(b) and its 95% CI, both samples resampled."""
    rng = np.random.default_rng(seed)
    ma, mb = _boot_medians(a, rng), _boot_medians(b, rng)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo, hi = _interval(ma / mb)
    return median(a) / median(b), lo, hi


class Est:
    """A point estimate with its 95% CI and sample count."""

    def __init__(self, value, lo, hi, n):
        self.value, self.lo, self.hi, self.n = value, lo, hi, n

    def scale(self, k):
        lo, hi = sorted((self.lo * k, self.hi * k))
        return Est(self.value * k, lo, hi, self.n)

    def inverse(self, k=1.0):
        """k / x (for rates from times): the CI's ends swap."""
        f = lambda v: k / v if v else float("inf")  # noqa: E731
        return Est(f(self.value), f(self.hi), f(self.lo), self.n)


def est_median(xs):
    xs = list(xs)
    lo, hi = median_ci(xs)
    return Est(median(xs), lo, hi, len(xs))


def est_ratio(a, b):
    v, lo, hi = ratio_ci(a, b)
    return Est(v, lo, hi, min(len(a), len(b)))


def cilk_fit(points, t1, tinf):
    """Least squares of T_P = c1*T1/P + cinf*Tinf over (P, T_P) points, as the harness's
    fit_cilk_model (summarize.cpp): T1 is the median at P = 1, Tinf the median span, the points
    every measured P's median including P = 1. None with fewer than 2 distinct P. Returns
    (c1, cinf, r2)."""
    ps = [p for p, _ in points]
    if len(set(ps)) < 2 or t1 <= 0 or tinf <= 0:
        return None
    x = np.array([[t1 / p, tinf] for p in ps])
    y = np.array([t for _, t in points])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    if not np.all(np.isfinite(coef)):
        return None
    res = y - x @ coef
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = 1 - float((res ** 2).sum()) / ss_tot if ss_tot > 0 else 1.0
    return float(coef[0]), float(coef[1]), r2


def cilk_fit_ci(samples_by_p, spans, seed=SEED):
    """The fit of medians and bootstrap 95% CIs of c1 and cinf: every P's repetitions (and the
    spans) resampled, medians taken, the model refitted. samples_by_p: {P: [wall]}, must hold
    P = 1. Returns (c1 Est, cinf Est, r2, distinct P) or None."""
    if 1 not in samples_by_p or not spans:
        return None
    procs = sorted(samples_by_p)
    point = cilk_fit([(p, median(samples_by_p[p])) for p in procs],
                     median(samples_by_p[1]), median(spans))
    if point is None:
        return None
    rng = np.random.default_rng(seed)
    boot = {p: _boot_medians(samples_by_p[p], rng) for p in procs}
    bspan = _boot_medians(spans, rng)
    c1s, cis = np.empty(RESAMPLES), np.empty(RESAMPLES)
    for i in range(RESAMPLES):
        f = cilk_fit([(p, boot[p][i]) for p in procs], boot[1][i], bspan[i])
        c1s[i], cis[i] = (f[0], f[1]) if f else (np.nan, np.nan)
    n = min(len(v) for v in samples_by_p.values())
    return (Est(point[0], *_interval(c1s), n), Est(point[1], *_interval(cis), n), point[2],
            len(procs))
