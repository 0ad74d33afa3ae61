"""The Cilk-5 table (Frigo, Leiserson and Randall 1998, table 1 style) of the fork-join
workloads: T_S, T1, T_P, work, span, parallelism, the work overhead T1/T_S and the fitted
constants of T_P = c1*T1/P + cinf*Tinf, on real Ps and on the simulator's Ps.

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


def generate(res, out, label, allow_missing):
    real, rows = real_table(res, label, allow_missing)
    sim, srows = sim_table(res, label, rows, allow_missing, out)
    out.text("cilk.tex", real + "\n" + sim)
    return rows, srows
