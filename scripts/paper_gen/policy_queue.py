"""Policy studies of the queues: how much a thief steals (steal_sweep, steal_sweep_uts) and how
often the global queue is looked at first (gc_sweep; the longest wait in starve; sim_gc at
simulated Ps). Each writes a figure and a paragraph whose every number comes from the CSVs."""

from . import common as C
from . import tex
from .figures import bars, compare, sentences, lines, panels, section
from .inputs import InputError

STEAL_ORDER = ["one", "1/4", "half", "3/4", "all"]


def _steal_key(s):
    return STEAL_ORDER.index(s) if s in STEAL_ORDER else len(STEAL_ORDER)


def steal(res, out, label, allow_missing):
    tables, missing, said = [], [], []
    for name in ("steal_sweep.csv", "steal_sweep_uts.csv"):
        try:
            tables.append(res.get(name))
        except InputError as e:
            if not allow_missing:
                raise
            missing.append(e)
    fig, axes = panels(len(tables)) if tables else (None, [])
    for ax, t in zip(axes, tables):
        p = max(r.procs for r in t.rows)
        same = C.same_dims_as(t)
        amounts = sorted({r["steal"] for r in t.rows if same(r)}, key=_steal_key)
        ests = [C.est(t, C.wall, steal=a, procs=p, where=same) for a in amounts]
        bars(ax, amounts, [("schedlab", ests)], f"wall time at {p} Ps (ns)")
        wl = t.rows[0]["workload"]
        ax.set_title(f"{wl} ({t.name})")
        half = C.metric(t, C.wall, steal="half", procs=p, where=same)
        for other in ("one", "all"):
            o = C.metric(t, C.wall, steal=other, procs=p, where=same)
            e = C.est_ratio(o, half) if o and half else None
            said.append(f"on {tex.esc(wl)} at {p} Ps {compare('stealing half', f'stealing {other}', e)}")
    para = ("Figure~\\ref{fig:steal} varies only the steal amount (every other policy dimension "
            "is the go bundle's). " + sentences(said))
    section(out, "steal", "How much a thief steals", para,
            "Wall time by steal amount (a thief takes one G, a fraction of the victim's queue, "
            "or all of it).", tables, label, fig, missing)


def _period(gc):
    if gc == "never":
        return float("inf")
    n = C.num_of(gc.replace("every-", ""))
    return n if n is not None else float("inf")


def _periods(t):
    return sorted({r["global_check"] for r in t.rows if r.get("runtime") in ("schedlab", "sim")},
                  key=_period)


def _gc_label(gc):
    return gc.replace("every-", "")


def gc(res, out, label, allow_missing):
    got, missing, said = {}, [], []
    for name in ("gc_sweep.csv", "starve.csv", "sim_gc.csv"):
        try:
            got[name] = res.get(name)
        except InputError as e:
            if not allow_missing:
                raise
            missing.append(e)
    fig, axes = panels(len(got)) if got else (None, [])
    axes = iter(axes)
    if "gc_sweep.csv" in got:
        t = got["gc_sweep.csv"]
        ps = sorted({r.procs for r in t.rows})
        per = _periods(t)
        ax = next(axes)
        bars(ax, [_gc_label(g) for g in per],
             [(f"{p} P", [C.est(t, C.wall, global_check=g, procs=p) for g in per]) for p in ps],
             "wall time (ns)")
        ax.set_title(f"{t.rows[0]['workload']}: wall time")
        ax.set_xlabel("global check every N ticks")
        for p in ps:
            e = C.ratio(t, C.wall, dict(global_check="every-1", procs=p), t, C.wall,
                        dict(policy="go", procs=p))
            said.append(f"on {tex.esc(t.rows[0]['workload'])} at {p} P "
                             f"{compare('checking every 61st tick', 'checking every tick', e)}")
    if "starve.csv" in got:
        t = got["starve.csv"]
        mw = C.extra("max_wait_ns")
        ps = sorted({r.procs for r in t.rows if r.get("runtime") == "schedlab"})
        per = _periods(t)
        ax = next(axes)
        series = [(f"{p} P", [C.est(t, mw, global_check=g, procs=p, runtime="schedlab")
                              for g in per]) for p in ps]
        gopeer = [(f"Go 1.19, {p} P", [C.est(t, mw, runtime="go", procs=p) if g == "every-61"
                                         else None for g in per]) for p in ps
                  if t.select(runtime="go", procs=p)]
        bars(ax, [_gc_label(g) for g in per], series + gopeer, "longest wait (ns)", log=True)
        ax.set_title("starve: longest wait in the global queue")
        ax.set_xlabel("global check every N ticks")
        for p in ps:
            e = C.ratio(t, mw, dict(policy="gci-never", procs=p, runtime="schedlab"), t, mw,
                        dict(policy="go", procs=p, runtime="schedlab"))
            w61 = C.est(t, mw, policy="go", procs=p, runtime="schedlab")
            wn = C.est(t, mw, policy="gci-never", procs=p, runtime="schedlab")
            g = C.est(t, mw, runtime="go", procs=p)
            said.append(
                f"the longest wait of a G in the global queue at {p} P is "
                f"{tex.with_ci(w61, tex.ns)} with the 61st-tick check and "
                f"{tex.with_ci(wn, tex.ns)} without it ({tex.with_ci(e, tex.x)})" +
                (f"; Go 1.19's is {tex.with_ci(g, tex.ns)}" if g else ""))
    if "sim_gc.csv" in got:
        t = got["sim_gc.csv"]
        per = _periods(t)
        ax = next(axes)
        lines(ax, [(_gc_label(g), [(p, C.est(t, C.wall, global_check=g, procs=p))
                                   for p in sorted({r.procs for r in t.rows})]) for g in per],
              "simulated makespan (ns)", "simulated P")
        ax.set_title(f"{t.rows[0]['workload']} in the simulator")
        top = max(r.procs for r in t.rows)
        e = C.ratio(t, C.wall, dict(global_check="every-1", procs=top), t, C.wall,
                    dict(policy="go", procs=top))
        said.append(f"in the simulator at {top} Ps "
                         f"{compare('checking every 61st tick', 'checking every tick', e)}")
    para = ("Figure~\\ref{fig:gc} sweeps the period of the global-queue check. " +
            sentences(said))
    section(out, "gc", "How often the global queue is checked", para,
            "The global-check period: wall time of the spawn storm, the longest wait of a G "
            "left in the global queue while a local producer keeps its P busy, and the "
            "simulator at many Ps.", list(got.values()), label, fig, missing)


def generate(res, out, label, allow_missing):
    steal(res, out, label, allow_missing)
    gc(res, out, label, allow_missing)
