"""The pingpong_cdf figure: an approximate CDF of ping-pong round-trip times, one curve per
(series, P, cap) through the percentiles the harness measured (median over reps of each), on a
log time axis; one panel per set of pingpong parameters other than cap.

Invariants and assumptions: only rows with workload "pingpong" are used; the percentiles come
from their extra column, keys pNN_ns (p50_ns -> 50, p999_ns -> 99.9, p99_9_ns or p99.9_ns ->
99.9) with numeric values, anything else there is ignored. Only the measured percentiles are
points; the lines between them are interpolation. No pingpong rows, or none with a pNN_ns
value: the figure is skipped with a reason.
"""
import re
import textwrap

import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter, NullLocator

from .common import (LINESTYLES, MARKERS, by_params_but_cap, group_by, machine_text, panel_grid,
                     params_text, policy_color, reps_text, series_name, unique_in_order)

PCT_KEY = re.compile(r"p(\d+)(?:[._](\d+))?_ns")


def percentile_of(key):
    """p50_ns -> 50, p99_ns -> 99, p999_ns -> 99.9, p99_9_ns / p99.9_ns -> 99.9; else None."""
    m = PCT_KEY.fullmatch(key)
    if not m:
        return None
    whole, frac = m.group(1), m.group(2)
    if frac is not None:
        return float(f"{whole}.{frac}")
    if len(whole) > 2 and whole.startswith("99"):
        return float(f"{whole[:2]}.{whole[2:]}")
    v = float(whole)
    return v if v <= 100 else None


def fig_pingpong(rows, metas):
    prow = [r for r in rows if r["workload"] == "pingpong"]
    if not prow:
        return None, "no pingpong rows"
    groups = by_params_but_cap(prow)
    panels = []
    for _, grows in groups.items():
        series = []
        key = lambda r: (series_name(r), r["procs"], r["_params"].get("cap", "?"))  # noqa: E731
        for (name, p, cap), srows in group_by(grows, key).items():
            per_pct = {}
            for r in srows:
                for k, v in r["_extra"].items():
                    pct = percentile_of(k)
                    if pct is not None and v != "":
                        try:
                            per_pct.setdefault(pct, []).append(float(v))
                        except ValueError:
                            pass
            if per_pct:
                pts = sorted((pct, float(np.median(vs))) for pct, vs in per_pct.items())
                series.append((name, p, cap, pts, len(srows)))
        if series:
            panels.append((grows[0]["_params"], series))
    if not panels:
        return None, "the pingpong rows have no pNN_ns values in their extra column"
    fig, axes = panel_grid(len(panels), ncols_max=2, w=6.8, h=4.8)
    for ax, (params, series) in zip(axes, panels):
        names = unique_in_order(s[0] for s in series)
        procs = sorted({s[1] for s in series})
        caps = sorted({s[2] for s in series},
                      key=lambda c: (not c.isdigit(), int(c) if c.isdigit() else 0, c))
        allpct = sorted({pct for s in series for pct, _ in s[3]})
        ordered = sorted(series, key=lambda s: (names.index(s[0]), s[1], caps.index(s[2])))
        for k, (name, p, cap, pts, n) in enumerate(ordered):
            xs = [v for _, v in pts]
            ys = [pct / 100 for pct, _ in pts]
            label = f"{name}, P={p}" + (f", cap={cap}" if len(caps) > 1 else "")
            # Hollow markers, each series smaller than the one before: curves that coincide
            # (the same policy at 1 proc, say) still show as rings inside rings.
            ax.plot(xs, ys, color=policy_color(name),
                    ls=LINESTYLES[procs.index(p) % len(LINESTYLES)],
                    marker=MARKERS[caps.index(cap) % len(MARKERS)],
                    ms=max(4.0, 11.0 - 2.0 * k), mfc="none", mew=1.6,
                    label=f"{label} ({reps_text([n])})")
        ax.set_xscale("log")
        plain = FuncFormatter(lambda v, _: f"{v:g}")
        allx = [v for s in series for _, v in s[3] if v > 0]
        if allx and max(allx) / min(allx) < 20:
            # Within about a decade a log axis has almost no ticks: put plain round ones on it.
            ax.xaxis.set_major_locator(MaxNLocator(nbins=7))
            ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_formatter(plain)
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("round-trip time (ns, log scale)")
        ax.set_ylabel("fraction of round trips at or below")
        ax.set_ylim(min(0.0, min(allpct) / 100 - 0.05), 1.02)
        for pct in allpct:
            ax.axhline(pct / 100, color="grey", lw=0.6, ls=":")
            ax.annotate(f"p{pct:g}", xy=(1.0, pct / 100), xycoords=("axes fraction", "data"),
                        xytext=(3, 0), textcoords="offset points", va="center", fontsize=8,
                        color="grey")
        title = "pingpong: " + params_text(params, drop=("cap",))
        if len(caps) == 1:
            title += f", cap={caps[0]}"
        ax.set_title("\n".join(textwrap.wrap(title, 56)) +
                     "\nonly the measured percentiles are points; lines between them are "
                     "interpolation", fontsize=10)
        ax.legend(loc="lower right")
    fig.suptitle("Ping-pong round-trip latency, approximate CDF (median over reps of each "
                 f"percentile); {machine_text(prow, metas)}")
    fig.tight_layout()
    return fig, f"{len(panels)} panel(s)"
