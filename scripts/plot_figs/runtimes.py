"""The runtimes figure: median wall time (ms, log scale) against P of schedlab's policies
(solid) and the peer runtimes (dashed) on the same workload+params, with percentile-bootstrap
95% CI bars, and the serial elision as a horizontal dashed line.

Invariants and assumptions: rows as common.load gives them; the runtime column says which
runtime ran a row (missing or empty, or "schedlab": schedlab; "serial": the serial elision,
drawn at its lowest P only). A workload+params gets a panel only when it was run on two or more
runtimes (schedlab run --runtime ...); none such: the figure is skipped with a reason.
"""
import numpy as np

from .common import (LINESTYLES, MARKERS, bootstrap_median_ci, by_workload, ci_points, dodge,
                     group_by, group_title, machine_text, panel_grid, policy_color, reps_text,
                     series_name, wall_ms)


def fig_runtimes(rows, metas):
    groups = by_workload(rows)
    panels = []
    for (workload, params), grows in groups.items():
        if len({r.get("runtime", "schedlab") for r in grows}) < 2:
            continue
        lines, serial = [], None
        for name, srows in group_by(grows, series_name).items():
            by_p = group_by(srows, lambda r: r["procs"])
            pts = [(p,) + bootstrap_median_ci(wall_ms(by_p[p])) for p in sorted(by_p)]
            if srows[0].get("runtime") == "serial":
                serial = (name, pts[0], len(by_p[pts[0][0]]))
            else:
                lines.append((name, pts, [len(v) for v in by_p.values()]))
        panels.append((workload, grows[0]["_params"], lines, serial))
    if not panels:
        return None, "no workload was run on more than one runtime (schedlab run --runtime ...)"
    fig, axes = panel_grid(len(panels))
    for ax, (workload, params, lines, serial) in zip(axes, panels):
        for i, (name, pts, counts) in enumerate(lines):
            ps = np.array([p for p, *_ in pts], dtype=float) + dodge(i, len(lines), 0.03)
            med, err = ci_points(pts)
            ax.errorbar(ps, med, yerr=err, marker=MARKERS[i % len(MARKERS)], capsize=3,
                        ls=LINESTYLES[0] if not name.startswith("peer ") else LINESTYLES[1],
                        color=policy_color(name), label=f"{name} ({reps_text(counts)})")
        if serial:
            name, (_, med, lo, hi), n = serial
            ax.axhline(med, color="black", ls="--", lw=1,
                       label=f"serial elision Ts = {med:.3g} ms ({reps_text([n])})")
        ax.set_yscale("log")
        ax.set_title(group_title(workload, params))
        ax.set_xlabel("processors P")
        ax.set_ylabel("median wall time (ms, log scale)")
        procs = sorted({p for _, pts, _ in lines for p, *_ in pts})
        ax.set_xticks(procs)
        if len(procs) == 1:
            ax.set_xlim(procs[0] - 0.5, procs[0] + 0.5)
        ax.legend(loc="best", fontsize=8)
    fig.suptitle("schedlab policies (solid) against other runtimes (dashed) on the same workload "
                 f"(bars: bootstrap 95% CI; lower is better); {machine_text(rows, metas)}")
    fig.tight_layout()
    return fig, f"{len(panels)} panel(s)"
