"""The counters figure: grouped bars of schedlab's scheduler counters (steals, spins, parks,
global pulls, runnext hits; each the median over reps of the per-run sum over Ps) per policy at
the highest proc count of each workload+params, one panel per workload+params.

Invariants and assumptions: rows as common.load gives them; peers are left out (they have none
of schedlab's counters). The counter columns present are those of the first row; an empty cell
is a missing value, not zero. Every panel shares one y scale: symlog (logarithmic above 1, so a
zero stays a bar of height 0, marked "0") once the nonzero medians span more than
LOG_RANGE_RATIO, linear otherwise. No schedlab rows or no counter columns: skipped with a reason.
"""
import numpy as np

from .common import (bar_tick_labels, by_workload, dodge, group_by, group_title, is_peer,
                     machine_text, pad_bar_axis, panel_grid, reps_text, series_name,
                     style_cycle)

COUNTERS = [("steals", "steals"), ("spins", "spins"), ("parks", "parks"),
            ("global_pulls", "global pulls"), ("runnext_hits", "runnext hits")]
# Counters span orders of magnitude (millions of runnext hits next to a handful of parks): past
# this max/min ratio of the nonzero medians the axis goes logarithmic.
LOG_RANGE_RATIO = 100.0


def fig_counters(rows, metas):
    rows = [r for r in rows if not is_peer(r)]  # peers have none of schedlab's counters
    if not rows:
        return None, "no schedlab rows (peers have no counters)"
    present = [(c, label) for c, label in COUNTERS if rows and c in rows[0]]
    if not present:
        return None, "the CSVs have none of the counter columns"
    groups = by_workload(rows)
    panels = []
    for (workload, params), grows in groups.items():
        pmax = max(r["procs"] for r in grows)
        top = [r for r in grows if r["procs"] == pmax]
        policies = []
        for name, srows in group_by(top, series_name).items():
            meds = []
            for c, _ in present:
                vals = [float(r[c]) for r in srows if r.get(c, "") not in ("", None)]
                meds.append(float(np.median(vals)) if vals else np.nan)
            policies.append((name, meds, len(srows)))
        panels.append((workload, grows[0]["_params"], pmax, policies))
    widest = max(len(p[3]) for p in panels)
    fig, axes = panel_grid(len(panels), ncols_max=2 if widest > 4 else 3,
                           w=max(5.6, 0.6 * widest + 2.5))
    width = 0.8 / len(present)
    # One scale for every panel, so panels can be compared at a glance.
    allv = np.array([v for *_, pols in panels for _, meds, _ in pols for v in meds], dtype=float)
    pos = allv[np.isfinite(allv) & (allv > 0)]
    log = pos.size > 0 and pos.max() / pos.min() > LOG_RANGE_RATIO
    for ax, (workload, params, pmax, policies) in zip(axes, panels):
        x = np.arange(len(policies))
        top = np.nanmax([v for _, meds, _ in policies for v in meds] + [1.0])
        for k, (c, label) in enumerate(present):
            vals = [meds[k] for _, meds, _ in policies]
            xs = x + dodge(k, len(present), width)
            ax.bar(xs, vals, width, label=label, color=style_cycle(k))
            for xi, v in zip(xs, vals):
                if v == 0:  # a bar of height 0 is invisible: say it was zero
                    ax.annotate("0", (xi, 0), xytext=(0, 1), textcoords="offset points",
                                ha="center", va="bottom", fontsize=7, color=style_cycle(k))
        pad_bar_axis(ax, len(policies), min_slots=2)
        if log:
            # symlog: logarithmic above 1, so a counter that stayed 0 is a bar of height 0
            # instead of vanishing off a log axis.
            ax.set_yscale("symlog", linthresh=1)
            ax.set_ylim(0, top * 3)
        else:
            ax.set_ylim(0, top * 1.08)
        ax.set_ylabel("median count per run" + ("\n(log scale above 1)" if log else ""))
        bar_tick_labels(ax, x, [p[0] for p in policies])
        ax.grid(axis="x", visible=False)
        ax.set_title(group_title(workload, params) +
                     f"\nP = {pmax}, {reps_text([p[2] for p in policies])} per policy")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.suptitle("Scheduler counters per policy at the highest proc count run (summed over Ps"
                 f", median over reps); {machine_text(rows, metas)}")
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.legend(handles, labels, loc="upper center", ncol=len(present),
               bbox_to_anchor=(0.5, 0.975), frameon=False)
    return fig, f"{len(panels)} panel(s)"
