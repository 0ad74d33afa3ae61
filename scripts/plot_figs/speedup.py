"""The speedup figure: median T(1) / median T(P) against P for each series, one panel per
workload+params, with percentile-bootstrap 95% CI bars of the ratio, the ideal line dashed and
the machine's core count dotted when P runs past it.

Invariants and assumptions: rows as common.load gives them (procs, wall_ns, workload, params,
policy and the setting columns). A series gets a curve only when it was run at P = 1 and at
least one other P; its own 1-proc run is its baseline, so the curve starts at (1, 1). No such
series anywhere: the figure is skipped with a reason.
"""
import numpy as np
from matplotlib.ticker import MaxNLocator

from .common import (MARKERS, bootstrap_ratio_ci, by_workload, ci_points, dodge, group_by,
                     group_title, machine_text, max_cores, panel_grid, policy_color, reps_text,
                     series_name, wall_ms)


def fig_speedup(rows, metas):
    groups = by_workload(rows)
    panels = []
    for (workload, params), grows in groups.items():
        by_series = group_by(grows, series_name)
        curves = []
        for name, srows in by_series.items():
            by_p = group_by(srows, lambda r: r["procs"])
            if 1 not in by_p or len(by_p) < 2:
                continue
            t1 = wall_ms(by_p[1])
            pts = [(1, 1.0, 1.0, 1.0)]
            for p in sorted(by_p):
                if p != 1:
                    pts.append((p,) + bootstrap_ratio_ci(t1, wall_ms(by_p[p])))
            curves.append((name, pts, [len(v) for v in by_p.values()]))
        if curves:
            panels.append((workload, grows[0]["_params"], curves, grows))
    if not panels:
        return None, "no policy was run at 1 proc and at more procs for the same workload+params"
    fig, axes = panel_grid(len(panels))
    for ax, (workload, params, curves, grows) in zip(axes, panels):
        pmax = max(p for _, pts, _ in curves for p, *_ in pts)
        ax.plot([1, pmax], [1, pmax], "k--", lw=1, label="ideal (speedup = P)")
        cores = max_cores(grows, metas)
        if cores and cores < pmax:
            ax.axvline(cores, color="grey", ls=":", lw=1)
            ax.text(cores, ax.get_ylim()[1], f" {cores} cores", va="top", fontsize=9,
                    color="grey")
        for i, (name, pts, counts) in enumerate(curves):
            ps = np.array([p for p, *_ in pts], dtype=float) + dodge(i, len(curves), 0.04)
            s, err = ci_points(pts)
            ax.errorbar(ps, s, yerr=err, marker=MARKERS[i % len(MARKERS)], capsize=3,
                        color=policy_color(name), label=f"{name} ({reps_text(counts)})")
        ax.set_title(group_title(workload, params))
        ax.set_xlabel("processors P")
        ax.set_ylabel("speedup = median T(1) / median T(P)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left")
    fig.suptitle("Speedup of each policy over its own 1-proc run "
                 f"(bars: bootstrap 95% CI of the ratio of medians); {machine_text(rows, metas)}")
    fig.tight_layout()
    return fig, f"{len(panels)} panel(s)"
