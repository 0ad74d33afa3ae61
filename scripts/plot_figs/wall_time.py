"""The wall_time figure: one bar per series of its median wall time (ms) at the highest proc
count its workload+params group was run at, with percentile-bootstrap 95% CI bars and the
median written over each bar; one panel per workload+params.

Invariants and assumptions: rows as common.load gives them (procs, wall_ns, workload, params,
policy and the setting columns); peers are drawn too. Every group has a highest P, so any row
gives a panel: the figure is skipped only when there are no rows. The runtimes figure is the
same medians against P, for comparing runtimes.
"""
import numpy as np

from .common import (bar_tick_labels, bootstrap_median_ci, by_workload, group_by, group_title,
                     machine_text, pad_bar_axis, panel_grid, policy_color, reps_text,
                     series_name, wall_ms)


def fig_wall_time(rows, metas):
    groups = by_workload(rows)
    panels = []
    for (workload, params), grows in groups.items():
        pmax = max(r["procs"] for r in grows)
        top = [r for r in grows if r["procs"] == pmax]
        bars = [(name, bootstrap_median_ci(wall_ms(srows)), len(srows))
                for name, srows in group_by(top, series_name).items()]
        panels.append((workload, grows[0]["_params"], pmax, bars))
    if not panels:
        return None, "no rows"
    widest = max(len(b) for *_, b in panels)
    fig, axes = panel_grid(len(panels), ncols_max=2 if widest > 6 else 3,
                           w=max(5.0, 0.5 * widest + 2.5))
    for ax, (workload, params, pmax, bars) in zip(axes, panels):
        x = np.arange(len(bars))
        med = np.array([b[1][0] for b in bars])
        err = np.array([[b[1][0] - b[1][1] for b in bars], [b[1][2] - b[1][0] for b in bars]])
        ax.bar(x, med, 0.7, yerr=err, capsize=4, color=[policy_color(b[0]) for b in bars])
        pad_bar_axis(ax, len(bars))
        # The median written over each bar: one wide interval can squash the others flat.
        for xi, b in zip(x, bars):
            ax.annotate(f"{b[1][0]:.3g}", (xi, b[1][2]), xytext=(0, 2), textcoords="offset points",
                        ha="center", va="bottom", fontsize=8)
        ax.set_ylim(0, max(b[1][2] for b in bars) * 1.12)
        bar_tick_labels(ax, x, [b[0] for b in bars])
        ax.set_ylabel("median wall time (ms)")
        ax.set_title(group_title(workload, params) +
                     f"\nP = {pmax}, {reps_text([b[2] for b in bars])} per bar")
        ax.grid(axis="x", visible=False)
    fig.suptitle("Median wall time per policy at the highest proc count run "
                 f"(bars: bootstrap 95% CI; lower is better); {machine_text(rows, metas)}")
    fig.tight_layout()
    return fig, f"{len(panels)} panel(s)"
