"""The pipeline_throughput figure: pipeline messages per second (median over reps, percentile-
bootstrap 95% CI) against channel capacity, one line per (series, P), one panel per set of
pipeline parameters other than cap; capacities are evenly spaced categories, not to scale.

Invariants and assumptions: only rows with workload "pipeline" whose params hold cap= and
messages= as non-negative integers are used; throughput is messages / wall time. No such rows:
the figure is skipped with a reason.
"""
import re
import textwrap

import numpy as np
from matplotlib.ticker import EngFormatter

from .common import (LINESTYLES, MARKERS, bootstrap_median_ci, by_params_but_cap, ci_points,
                     dodge, group_by, machine_text, panel_grid, params_text, policy_color,
                     reps_text, series_name, unique_in_order)


def fig_pipeline(rows, metas):
    prow = [r for r in rows if r["workload"] == "pipeline"
            and r["_params"].get("cap", "").isdigit()
            and re.fullmatch(r"\d+", r["_params"].get("messages", "")) and r["wall_ns"] > 0]
    if not prow:
        return None, "no pipeline rows with cap= and messages= parameters"
    groups = by_params_but_cap(prow)
    panels = []
    for _, grows in groups.items():
        caps = sorted({int(r["_params"]["cap"]) for r in grows})
        series = []
        for (name, p), srows in group_by(grows, lambda r: (series_name(r), r["procs"])).items():
            pts = []
            for cap, crows in sorted(group_by(srows, lambda r: int(r["_params"]["cap"])).items()):
                rate = [int(r["_params"]["messages"]) / (r["wall_ns"] / 1e9) for r in crows]
                pts.append((cap,) + bootstrap_median_ci(rate) + (len(crows),))
            series.append((name, p, pts))
        panels.append((grows[0]["_params"], caps, series))
    fig, axes = panel_grid(len(panels), ncols_max=2, w=6.4, h=4.6)
    for ax, (params, caps, series) in zip(axes, panels):
        names = unique_in_order(s[0] for s in series)
        procs = sorted({s[1] for s in series})
        ordered = sorted(series, key=lambda s: (names.index(s[0]), s[1]))
        for i, (name, p, pts) in enumerate(ordered):
            xs = np.array([caps.index(c) for c, *_ in pts], dtype=float)
            xs += dodge(i, len(series), 0.05)
            med, err = ci_points(pts)
            ax.errorbar(xs, med, yerr=err, capsize=3, color=policy_color(name),
                        ls=LINESTYLES[procs.index(p) % len(LINESTYLES)],
                        marker=MARKERS[procs.index(p) % len(MARKERS)],
                        label=f"{name}, P={p} ({reps_text([x[4] for x in pts])})")
        ax.set_xticks(range(len(caps)))
        ax.set_xticklabels([str(c) for c in caps])
        ax.set_xlabel("channel capacity (0 = unbuffered; evenly spaced, not to scale)")
        ax.set_ylabel("throughput (msgs/s)")
        ax.yaxis.set_major_formatter(EngFormatter(places=1, sep=" "))
        ax.set_ylim(bottom=0)
        title = "pipeline: " + params_text(params, drop=("cap",))
        ax.set_title("\n".join(textwrap.wrap(title, 56)))
        ax.legend(loc="best")
    fig.suptitle("Pipeline throughput against channel capacity (median, bootstrap 95% CI); "
                 f"{machine_text(prow, metas)}")
    fig.tight_layout()
    return fig, f"{len(panels)} panel(s)"
