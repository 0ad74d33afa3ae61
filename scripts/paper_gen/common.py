"""Measurements shared by the claims table and the policy studies: a per-repetition metric of
the selected rows as a median with its 95% CI, and ratios of two such samples."""

from .stats import Est, est_median, est_ratio

HOLDS, PARTLY, FALSE, NOT_MEASURABLE = "holds", "partly", "false", "not measurable here"


def metric(table, fn, **filt):
    """The per-repetition values fn(row) of the selected measured rows (None values dropped)."""
    vals = []
    for r in table.select(**filt):
        v = fn(r)
        if v is not None:
            vals.append(v)
    return vals


def est(table, fn, **filt):
    """Est of fn over the selected rows, or None when no row matches."""
    v = metric(table, fn, **filt)
    return est_median(v) if v else None


def ratio(table_a, fn_a, filt_a, table_b, fn_b, filt_b):
    a, b = metric(table_a, fn_a, **filt_a), metric(table_b, fn_b, **filt_b)
    return est_ratio(a, b) if a and b else None


# Per-repetition figures (row -> value).
def wall(r):
    return r.wall


def per_task(r):
    t = r.x("tasks")
    return r.wall / t if t else None


def round_trips(r):
    return r.x("round_trips") or r.x("messages")


def per_round_trip(r):
    n = round_trips(r)
    return r.wall / n if n else None


def per_handoff(r):
    """A message's hand-off: half a ping-pong round trip."""
    n = round_trips(r)
    return r.wall / (2 * n) if n else None


def extra(key):
    return lambda r: r.x(key)


# Verdict rules on an Est (its 95% CI decides, not the point estimate).
def at_most(e, limit):
    """holds: the CI lies at or below limit; false: above it; partly: the CI straddles it."""
    if e is None:
        return None
    if e.hi <= limit:
        return HOLDS
    if e.lo > limit:
        return FALSE
    return PARTLY


def at_least(e, limit):
    if e is None:
        return None
    if e.lo >= limit:
        return HOLDS
    if e.hi < limit:
        return FALSE
    return PARTLY


def within(e, lo, hi):
    """holds: the CI inside [lo, hi]; false: disjoint from it; partly: overlapping."""
    if e is None:
        return None
    if lo <= e.lo and e.hi <= hi:
        return HOLDS
    if e.hi < lo or e.lo > hi:
        return FALSE
    return PARTLY


def above_one(e):
    """holds: the ratio's CI lies above 1; false: below 1; partly: it contains 1."""
    if e is None or e.lo != e.lo:
        return None
    return HOLDS if e.lo > 1 else (FALSE if e.hi < 1 else PARTLY)


def below_one(e):
    if e is None or e.lo != e.lo:
        return None
    return HOLDS if e.hi < 1 else (FALSE if e.lo > 1 else PARTLY)


def combine(verdicts):
    """All parts hold -> holds; all false -> false; unmeasured parts (None) make 'holds' at most
    'partly'; nothing measured -> None."""
    got = [v for v in verdicts if v is not None]
    if not got:
        return None
    if all(v == HOLDS for v in got):
        return HOLDS if len(got) == len(verdicts) else PARTLY
    if all(v == FALSE for v in got):
        return FALSE
    return PARTLY


def same_dims_as(table, policy="go", except_=("steal",)):
    """A row filter: every policy dimension but except_ equal to policy's (so a sweep point is
    compared with Go only in the dimension swept, not e.g. cilk-like's LIFO order and join)."""
    dims = ["steal", "global_check", "spin_cap", "runnext", "victim", "local_order", "join"]
    ref = table.select(timing=None, policy=policy)
    if not ref:
        return lambda r: True
    want = {d: ref[0].get(d, "") for d in dims if d not in except_}
    return lambda r: all(r.get(d, "") == v for d, v in want.items())


def num_of(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None
