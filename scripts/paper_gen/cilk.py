"""The Cilk-5 table (Frigo, Leiserson and Randall 1998, table 1 style) of the fork-join
workloads: T_S, T1, T_P, work, span, parallelism, the work overhead T1/T_S and the fitted
constants of T_P = c1*T1/P + cinf*Tinf, on real Ps and on the simulator's Ps; and Cilk's space
bound S_P <= P * S_1 on the peak of live stacks (space.csv, peak_stacks in extra).

The fit is the one `schedlab summarize` prints (harness/src/summarize.cpp, fit_cilk_model in
stats.cpp): T1 the median at P = 1, Tinf the median span_ns of the instrumented rep = -1 rows,
least squares over every measured P's median including P = 1; with two distinct P the two
constants are determined exactly (summarize prints "exact"). The 95% CIs of c1 and cinf here
come from refitting bootstrap resamples of every P's repetitions and of the spans."""

import matplotlib.pyplot as plt
import numpy as np

from . import tex
from .inputs import InputError
from .stats import est_median, est_ratio, cilk_fit_ci, median

WORKLOAD_CSVS = ["fib.csv", "nqueens.csv", "uts.csv", "matmul.csv", "cholesky.csv"]
PEER_CSVS = ["peers_fib.csv", "peers_nqueens.csv"]
SIM = "sim_scaling.csv"
SHOW_POLICIES = ("go", "cilk-like")  # the simulated table and figure; the real table has all
SPACE = "space.csv"
# A P's stack cache holds at most this many stacks (kPerPCacheMax, runtime/include/schedlab/
# runtime/constants.hpp); peak_stacks counts the cached ones with the live ones.
STACK_CACHE = 64


def _label(wl, params):
    keep = {"fib": ("n",), "nqueens": ("n",), "uts": ("tree",), "matmul": ("n",),
            "cholesky": ("n",)}.get(wl)
    kv = dict(p.split("=", 1) for p in params.split(";") if "=" in p)
    shown = [kv[k] for k in keep if k in kv] if keep else []
    return f"{wl}({','.join(shown)})" if shown else wl


def serial_times(res):
    """(workload, params) -> the serial elision's T_S samples at 1 proc: runtime=serial rows of
    the workload CSVs themselves (newer experiment files run it beside the policies), else of
    peers_*."""
    out = {}
    for name in WORKLOAD_CSVS + PEER_CSVS:
        try:
            t = res.get(name)
        except InputError:
            continue
        got = {}
        for r in t.select(runtime="serial", procs=1):
            got.setdefault((r["workload"], r["params"]), []).append(r.wall)
        for k, v in got.items():
            out.setdefault(k, v)
    return out


def groups(table, runtime="schedlab"):
    """(workload, params, policy) -> {'by_p': {P: [wall]}, 'spans': [...], 'work': [...]}."""
    g = {}
    for r in table.select(timing=None, runtime=runtime):
        d = g.setdefault((r["workload"], r["params"], r["policy"]),
                         {"by_p": {}, "spans": [], "work": [], "par": []})
        for key, lst in (("span_ns", "spans"), ("work_ns", "work"), ("parallelism", "par")):
            v = r.x(key)
            if v is not None and v > 0 and key in r.kv:
                d[lst].append(v)
        if r.rep >= 0 and r.get("result_ok") == "1":
            d["by_p"].setdefault(r.procs, []).append(r.wall)
    return g


def real_rows(res, allow_missing):
    """One entry per (workload, params, policy) of the real fork-join CSVs (and the schedlab
    rows of peers_fib/peers_nqueens, which have a serial elision beside them)."""
    ts = serial_times(res)
    rows, used, missing = [], [], []
    for name in WORKLOAD_CSVS + PEER_CSVS:
        try:
            t = res.get(name)
        except InputError as e:
            if not allow_missing:
                raise
            missing.append(e)
            continue
        used.append(t)
        for (wl, params, pol), d in sorted(groups(t).items()):
            if 1 not in d["by_p"]:
                continue
            rows.append({"csv": name, "wl": wl, "params": params, "policy": pol, **d,
                         "ts": ts.get((wl, params)),
                         "fit": cilk_fit_ci(d["by_p"], d["spans"]) if d["spans"] else None})
    return rows, used, missing


def sim_rows(res, real):
    t = res.get(SIM)
    spans_real = {(r["wl"], r["params"], r["policy"]): r["spans"] for r in real if r["spans"]}
    spans_wl = {}
    for r in real:
        if r["spans"]:
            spans_wl.setdefault((r["wl"], r["policy"]), r["spans"])
    rows = []
    for (wl, params, pol), d in sorted(groups(t, runtime="sim").items()):
        if 1 not in d["by_p"]:
            continue
        spans, src = d["spans"], "sim"
        if not spans:
            spans, src = spans_real.get((wl, params, pol)), "real"
        if not spans:
            spans, src = spans_wl.get((wl, pol)), "real, other params"
        rows.append({"wl": wl, "params": params, "policy": pol, "by_p": d["by_p"],
                     "spans": spans or [], "span_src": src if spans else None,
                     "fit": cilk_fit_ci(d["by_p"], spans) if spans else None})
    return rows, t


def _fit_cells(fit):
    if fit is None:
        return ["---", "---"]
    c1, cinf, _, distinct = fit
    mark = "" if distinct >= 3 else r"$^{e}$"
    return [tex.with_ci(c1, tex.plain) + mark, tex.with_ci(cinf, tex.plain) + mark]


def real_table(res, label, allow_missing):
    rows, used, missing = real_rows(res, allow_missing)
    ps = sorted({p for r in rows for p in r["by_p"] if p > 1})
    head = ["workload", "policy", "$T_S$", "$T_1$", "$T_1/T_S$", "work", r"$T_\infty$",
            r"$T_1/T_\infty$"] + [f"$T_{{{p}}}$ ($T_1/T_{{{p}}}$)" for p in ps] + \
           ["$c_1$", r"$c_\infty$"]
    body = []
    for r in rows:
        t1 = r["by_p"][1]
        ts = r["ts"]
        cells = [tex.esc(_label(r["wl"], r["params"])), tex.esc(r["policy"]),
                 tex.ns(median(ts)) if ts else "---$^{s}$", tex.with_ci(est_median(t1), tex.ns),
                 tex.with_ci(est_ratio(t1, ts), tex.plain) if ts else "---",
                 tex.ns(median(r["work"])) if r["work"] else "---",
                 tex.ns(median(r["spans"])) if r["spans"] else "---",
                 tex.plain(median(t1) / median(r["spans"])) if r["spans"] else "---"]
        for p in ps:
            tp = r["by_p"].get(p)
            cells.append(f"{tex.ns(median(tp))} ({tex.with_ci(est_ratio(t1, tp), tex.plain)})"
                         if tp else "---")
        body.append(cells + _fit_cells(r["fit"]))
    for e in missing:
        body.append([tex.not_measured(e, label)] + [""] * (len(head) - 1))
    foot = (r"Medians of the measured repetitions (rep $\ge 0$) with bootstrap 95\% CIs in "
            r"brackets. Work and $T_\infty$ (span) are the medians of the instrumented "
            r"repetition (rep $=-1$), not timing samples. $T_S$ is the serial elision "
            r"(runtime \texttt{serial}) of the same workload and parameters; "
            r"$^{s}$: no serial run of these parameters in this results folder. $c_1$, "
            r"$c_\infty$: least squares of $T_P = c_1 T_1/P + c_\infty T_\infty$ as "
            r"\texttt{schedlab summarize} computes it; $^{e}$: two distinct $P$ determine the "
            r"two constants exactly, so the fit does not test the model there. " +
            tex.caption_source(used, label))
    # Landscape, cells wrapping at spaces (a value above its interval).
    w = 0.82 / (len(head) - 1)
    spec = "l" + "".join(f">{{\\raggedleft\\arraybackslash}}p{{{w:.3f}\\linewidth}}"
                         for _ in head[1:])
    return ("\\begin{landscape}\\setlength{\\tabcolsep}{3pt}\n" +
            tex.longtable(spec, head, body, "The Cilk-5 table on this machine's Ps.", "tab:cilk",
                          foot, size=r"\scriptsize") + "\n\\end{landscape}"), rows


def sim_table(res, label, real, allow_missing, out):
    try:
        rows, t = sim_rows(res, real)
    except InputError as e:
        if not allow_missing:
            raise
        return ("\\paragraph{Simulated Ps.}\\label{tab:cilk-sim}\\label{fig:cilk-sim} " +
                tex.not_measured(e, label) + "\n"), []
    rows = [r for r in rows if r["policy"] in SHOW_POLICIES] or rows
    ps = sorted({p for r in rows for p in r["by_p"] if p > 1})
    head = ["workload", "policy"] + [f"{p}" for p in ps] + ["$c_1$", r"$c_\infty$", "$R^2$",
                                                            r"$T_\infty$ from"]
    body = []
    for r in rows:
        t1 = r["by_p"][1]
        cells = [tex.esc(_label(r["wl"], r["params"])), tex.esc(r["policy"])]
        for p in ps:
            tp = r["by_p"].get(p)
            cells.append(tex.plain(median(t1) / median(tp)) if tp else "---")
        cells += _fit_cells(r["fit"])
        cells += [tex.plain(r["fit"][2]) if r["fit"] else "---", tex.esc(r["span_src"] or "---")]
        body.append(cells)
    foot = (r"Speedup $T_1/T_P$ of the simulated makespans (\texttt{wall\_ns} of "
            r"\texttt{runtime=sim} rows) at each simulated $P$; $c_1$, $c_\infty$, $R^2$ as in "
            r"Table~\ref{tab:cilk}, over every simulated $P$. $T_\infty$ is the simulator's own "
            r"span when its rows carry one, else the real instrumented run's. " +
            tex.caption_source([t], label))
    table = tex.tabular("ll" + "r" * (len(head) - 2), head, body, foot, size=r"\scriptsize")
    _figure(rows, out)
    fig = (f"\\begin{{figure}}[t]\\centering\\includegraphics[width=\\linewidth]{{cilk_sim}}"
           f"\\caption{{Simulated speedup $T_1/T_P$ against $P$ (log-log), the fitted "
           f"$c_1 T_1/P + c_\\infty T_\\infty$ model dashed, the ideal $P$ dotted. "
           f"{tex.caption_source([t], label)}}}\\label{{fig:cilk-sim}}\\end{{figure}}\n")
    return ("\\begin{table}[t]\\centering\\caption{The Cilk-5 table at simulated $P$.}"
            "\\label{tab:cilk-sim}\\setlength{\\tabcolsep}{3pt}\n" + table + "\n\\end{table}\n" + fig +
            _fit_paragraph(rows, t)), rows


def _per_g_overhead(t, wl, params, policy):
    """The simulator's scheduling cost per spawned G on one P (extra's overhead_ns / spawns)."""
    vals = [r.x("overhead_ns") / r.x("spawns") for r in
            t.select(runtime="sim", workload=wl, params=params, policy=policy)
            if r.procs == 1 and r.x("overhead_ns") and r.x("spawns")]
    return median(vals) if vals else None


def _fit_paragraph(rows, t):
    """What the fitted span term means, workload by workload: c_inf * T_inf is the time the fit
    gives the critical path, to be set against the bare span and the cost of a spawn."""
    if not rows:
        return ""
    model, other = [], []
    for r in rows:
        if not r["fit"] or r["policy"] != "go":
            continue
        cinf = r["fit"][1]
        name = tex.esc(_label(r["wl"], r["params"]))
        if cinf.hi is not None and cinf.hi <= 10:
            model.append(f"{name} ($c_\\infty$ {tex.plain(cinf.value)})")
            continue
        span = median(r["spans"])
        b = cinf.value * span
        o = _per_g_overhead(t, r["wl"], r["params"], r["policy"])
        per_g = (f", the cost of {tex.plain(b / o)} spawns at the simulator's "
                 f"{tex.ns(o)} per G on one P" if o else "")
        other.append(f"{name}: $c_\\infty T_\\infty$ = {tex.ns(b)} against a span of "
                     f"{tex.ns(span)}{per_g}")
    if not model and not other:
        return ""
    text = ["\\paragraph{What the fits say.} Under the go bundle"]
    if model:
        text.append(" the span term explains the time beyond $c_1 T_1/P$ for " +
                    ", ".join(model) + " (the model holds with a constant near one)")
    if other:
        text.append(("; for the others" if model else "") +
                    " it does not: " + "; ".join(other) + ". The span the simulator "
                    "reports counts only the workload's own work, so for fine-grained DAGs it is a "
                    "few nanoseconds while every spawn, steal and wake-up on the way to $P$ busy "
                    "Ps costs tens of nanoseconds to microseconds; $c_\\infty$ then measures that "
                    "scheduling cost in units of a span that does not contain it (Cilkscale's "
                    "burdened span, which charges a fixed cost per spawn on the path, is the "
                    "quantity such a fit needs)")
    text.append(". The least-squares fit weighs every $P$ by its absolute time, so the small $P$ "
                "decide $c_1$, and $R^2$ below 0.95 marks a curve the two-term model does not "
                "follow.\n")
    return "".join(text)


def _figure(rows, out):
    wls = sorted({(r["wl"], r["params"]) for r in rows})
    n = max(1, len(wls))
    fig, axes = plt.subplots(1, n, figsize=(1.9 * n + 0.5, 2.3), squeeze=False)
    for ax, (wl, params) in zip(axes[0], wls):
        for r in rows:
            if (r["wl"], r["params"]) != (wl, params):
                continue
            ps = sorted(r["by_p"])
            t1 = median(r["by_p"][1])
            line, = ax.plot(ps, [t1 / median(r["by_p"][p]) for p in ps], "o-", ms=3,
                            label=r["policy"])
            if r["fit"]:
                c1, cinf = r["fit"][0].value, r["fit"][1].value
                pp = np.geomspace(1, max(ps), 50)
                ax.plot(pp, t1 / (c1 * t1 / pp + cinf * median(r["spans"])), "--", lw=0.8,
                        color=line.get_color())
        top = max(max(r["by_p"]) for r in rows)
        ax.plot([1, top], [1, top], ":", color="grey", lw=0.8)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log", base=2)
        ax.set_title(_label(wl, params))
        ax.set_xlabel("simulated P")
    axes[0][0].set_ylabel("speedup $T_1/T_P$")
    axes[0][0].legend()
    out.figure("cilk_sim.pdf", fig)


def space_groups(t):
    """(workload, params, policy) -> {P: [peak_stacks of each measured repetition]}, in the
    CSV's order of first appearance."""
    g = {}
    for r in t.select(runtime="schedlab"):
        v = r.x("peak_stacks")
        if v is not None:
            key = (r["workload"], r["params"], r["policy"])
            g.setdefault(key, {}).setdefault(r.procs, []).append(v)
    return g


def live_range(m, p):
    """The peak of live stacks a measured peak_stacks m of a run on p Ps allows: StackPool's
    high-water mark counts every stack outside the runtime-wide free list, and the count grows
    only at a refill, where it is read, so it is the exact peak of live + cached stacks; at most
    STACK_CACHE sit in each P's cache, and main always has one."""
    return max(1.0, m - STACK_CACHE * p), m


def space_verdict(s1, sp, p):
    """Cilk's S_P <= P * S_1 on the live peaks: 'holds' when every P-P run's largest possible
    peak is within P times every 1-P run's smallest possible one; 'fails' when every P-P run's
    smallest possible peak exceeds P times every 1-P run's largest; else 'open' (the 64 stacks
    per P of the measure decide), with what the raw counts say."""
    if max(sp) <= p * min(live_range(v, 1)[0] for v in s1):
        return "holds"
    if min(live_range(v, p)[0] for v in sp) > p * max(s1):
        return "fails"
    return "open, raw " + ("within" if median(sp) <= p * median(s1) else "over")


def _stacks(v):
    """A count of stacks: an integer with thin-space thousands."""
    return f"{v:,.0f}".replace(",", "\\,") if v == int(v) else f"{v:,.1f}".replace(",", "\\,")


def _stacks_range(vals):
    m = median(vals)
    lo, hi = min(vals), max(vals)
    return _stacks(m) if lo == hi else f"{_stacks(m)} [{_stacks(lo)}, {_stacks(hi)}]"


def space_rows(res):
    t = res.get(SPACE)
    rows = []
    for (wl, params, pol), by_p in space_groups(t).items():
        if 1 not in by_p:
            continue
        row = {"wl": wl, "params": params, "policy": pol, "s1": by_p[1], "by_p": {}}
        for p in sorted(q for q in by_p if q > 1):
            sp = by_p[p]
            row["by_p"][p] = {"sp": sp, "ratio": median(sp) / (p * median(by_p[1])),
                              "verdict": space_verdict(by_p[1], sp, p)}
        rows.append(row)
    return rows, t


def space_table(res, label, allow_missing):
    """Table tab:cilk-space and the paragraph that reads it."""
    try:
        rows, t = space_rows(res)
    except InputError as e:
        if not allow_missing:
            raise
        return ("\\paragraph{The space table.}\\label{tab:cilk-space} " + tex.not_measured(e, label) +
                "\n")
    ps = sorted({p for r in rows for p in r["by_p"]})
    head = ["workload", "policy", "$S_1$"]
    for p in ps:
        head += [f"$S_{{{p}}}$", f"$S_{{{p}}}/({p}S_1)$", f"$S_{{{p}}} \\le {p}S_1$"]
    body = []
    for r in rows:
        cells = [tex.esc(_label(r["wl"], r["params"])), tex.esc(r["policy"]), _stacks_range(r["s1"])]
        for p in ps:
            d = r["by_p"].get(p)
            cells += ([_stacks_range(d["sp"]), tex.plain(d["ratio"]), tex.esc(d["verdict"])]
                      if d else ["---"] * 3)
        body.append(cells)
    reps = sorted({len(v) for r in rows for v in [r["s1"]] + [d["sp"] for d in r["by_p"].values()]})
    foot = (r"$S_P$: \texttt{peak\_stacks} of each measured repetition on $P$ Ps, the median "
            r"with the smallest and largest in brackets, left out when all agree (" +
            "/".join(map(str, reps)) +
            r" repetitions; a count, not a timing sample). It is the most G stacks out of the "
            r"runtime-wide free list at once: the live stacks (a G holds one from its first run "
            r"to its exit, so a G queued and not yet started holds none) plus those in the Ps' "
            r"caches, at most " + str(STACK_CACHE) + r" per P. A measured $m$ on $P$ Ps thus "
            r"bounds the peak of live stacks to $[\max(1, m-" + str(STACK_CACHE) + r"P), m]$. "
            r"\emph{holds}: every run on $P$ Ps within $P$ times every run on 1 P at the worst "
            r"of both ranges; \emph{fails}: above it at the best of both; \emph{open}: the "
            r"cache slack decides, and ``raw'' says which side the medians of the measured "
            r"counts fall on. The bound is a theorem for Cilk's work-first, busy-leaves scheduler "
            r"with $S_1$ its serial depth-first execution's; cilk-like follows that scheduler but "
            r"queues a spawned child and goes on (help-first), and for the other bundles $S_1$ is "
            r"the bundle's own run on one P, so there the ratio is shown for "
            r"comparison. " + tex.caption_source([t], label))
    table = tex.tabular("ll" + "r" * (len(head) - 2), head, body, foot, size=r"\scriptsize")
    return ("\\begin{table}[t]\\centering\\caption{Cilk's space bound $S_P \\le P S_1$, $S$ the "
            "peak of live G stacks.}\\label{tab:cilk-space}\\setlength{\\tabcolsep}{3pt}\n" +
            table + "\n\\end{table}\n" + _space_paragraph(rows))


def _space_paragraph(rows):
    """The table in words, bundle by bundle: S_1 per workload and where the bound holds, fails
    or stays open; when every open case has counts within the cache slack, that the measure
    (not the run) leaves it open; and which one-P counts are exact."""
    if not rows:
        return ""
    parts = []
    for pol in dict.fromkeys(r["policy"] for r in rows):
        mine = [r for r in rows if r["policy"] == pol]
        cases = [(r, p, *d["verdict"].partition(", ")[::2]) for r in mine
                 for p, d in r["by_p"].items()]
        s1 = ", ".join(f"{_stacks(median(r['s1']))} ({tex.esc(r['wl'])})" for r in mine)
        heads = {c[2] for c in cases}
        if len(heads) == 1 and len(cases) == len(mine) > 1:
            v, raws = heads.pop(), {c[3] for c in cases}
            raw = f" ({raws.pop()} on each)" if len(raws) == 1 and "" not in raws else ""
            said = f"{'is ' if v == 'open' else ''}{v} at {cases[0][1]} Ps on every workload{raw}"
        else:
            by_v = {}
            for r, p, v, raw in cases:
                by_v.setdefault(v, []).append(f"{tex.esc(_label(r['wl'], r['params']))} at {p} Ps"
                                              + (f" ({raw})" if raw else ""))
            said = "; ".join(f"{'is ' if v == 'open' else ''}{v} for {', '.join(w)}"
                             for v, w in by_v.items())
        parts.append(f"under {tex.esc(pol)}, $S_1$ is {s1} stacks and the bound {said}")
    text = ("\\paragraph{What the space table says.} Read from Table~\\ref{tab:cilk-space}: " +
            "; ".join(parts) + ".")
    opened = [(p, d) for r in rows for p, d in r["by_p"].items() if d["verdict"].startswith("open")]
    if opened and all(max(d["sp"]) <= STACK_CACHE * p for p, d in opened):
        top = max(max(d["sp"]) for _, d in opened)
        text += (f" Every open case has counts of at most {_stacks(top)} stacks, within the "
                 f"{STACK_CACHE} per P the Ps' caches may hold: the granularity of the measure "
                 "leaves it open, each raw count being an upper bound of a live peak that lies "
                 "between one stack and it.")
    exact = [r for r in rows if max(r["s1"]) == 1]
    if exact:
        who = ", ".join(f"{tex.esc(r['policy'])} on {tex.esc(_label(r['wl'], r['params']))}"
                        for r in exact)
        text += (" A one-P count of one stack is exact, since main's stack is live throughout "
                 f"and nothing was cached beside it ({who}): the whole run went inline on "
                 "main's stack.")
    return text + "\n"


def generate(res, out, label, allow_missing):
    real, rows = real_table(res, label, allow_missing)
    sim, srows = sim_table(res, label, rows, allow_missing, out)
    out.text("cilk.tex", real + "\n" + sim)
    out.text("space.tex", space_table(res, label, allow_missing))
    return rows, srows
