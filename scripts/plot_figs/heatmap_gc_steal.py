"""The heatmap_gc_steal figure: median wall time (ms) over a grid of global-queue check period
(rows: every-N by N, then never) x steal amount (columns: one, fractions by size, all), one
panel per workload+params; cells not run are blank, Go's default (every-61, half) has a red box,
and past a 10x spread the colours go logarithmic.

Invariants and assumptions: rows as common.load gives them, with the global_check, steal,
spin_cap, runnext and victim columns; peers are left out (they have no such knobs). Each panel
is one proc count and one setting of the other knobs (spin_cap, runnext, victim, placement):
the one with the most (global_check, steal) cells, then the highest P; it needs two cells or
more. No panel anywhere: the figure is skipped with a reason.
"""
import math
import re

import numpy as np
import matplotlib
from matplotlib.colors import LogNorm
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from .common import (by_workload, group_by, group_title, is_peer, machine_text, panel_grid,
                     reps_text, setting_suffix, wall_ms)
import matplotlib.pyplot as plt  # after .common, which chose the backend


def global_check_key(v):
    """every-N by N, never last, anything else after that by name."""
    m = re.fullmatch(r"every-(\d+)", v)
    if m:
        return (0, int(m.group(1)), v)
    return (1, 0, v) if v == "never" else (2, 0, v)


def steal_key(v):
    """one first (a single G), then fractions by size, all last, anything else after."""
    named = {"one": -1.0, "half": 0.5, "all": 2.0}
    if v in named:
        return (0, named[v], v)
    m = re.fullmatch(r"(\d+)/(\d+)", v)
    if m and int(m.group(2)):
        return (0, int(m.group(1)) / int(m.group(2)), v)
    return (1, 0.0, v)


def heatmap_panel(grows):
    """The best (procs, fixed dimensions) slice of a group to draw, or None."""
    best = None
    for p, prows in group_by(grows, lambda r: r["procs"]).items():
        fixed = group_by(prows, lambda r: (r["spin_cap"], r["runnext"], r["victim"],
                                           setting_suffix(r)))
        for dims, drows in fixed.items():
            cells = {(r["global_check"], r["steal"]) for r in drows}
            score = (len(cells), p)
            if len(cells) >= 2 and (best is None or score > best[0]):
                best = (score, p, dims, drows)
    return best


def fig_heatmap(rows, metas):
    rows = [r for r in rows if not is_peer(r)]
    groups = by_workload(rows)
    panels = []
    for (workload, params), grows in groups.items():
        best = heatmap_panel(grows)
        if best:
            panels.append((workload, grows[0]["_params"]) + best[1:])
    if not panels:
        return None, ("no workload was run at two or more global-check/steal settings at one "
                      "proc count (e.g. -p sweep:global-check,sweep:steal)")
    fig, axes = panel_grid(len(panels), ncols_max=2, w=6.4, h=5.0)
    for ax, (workload, params, p, dims, drows) in zip(axes, panels):
        gcs = sorted({r["global_check"] for r in drows}, key=global_check_key)
        steals = sorted({r["steal"] for r in drows}, key=steal_key)
        grid = np.full((len(gcs), len(steals)), np.nan)
        nreps = []
        for (gc, st), crows in group_by(drows, lambda r: (r["global_check"], r["steal"])).items():
            grid[gcs.index(gc), steals.index(st)] = float(np.median(wall_ms(crows)))
            nreps.append(len(crows))
        cmap = matplotlib.colormaps["viridis"].copy()
        cmap.set_bad("white")
        finite = grid[np.isfinite(grid)]
        # One slow cell (every-1 on fib) would flatten every other colour: past 10x, log colours.
        log = finite.min() > 0 and finite.max() / finite.min() > 10
        norm = LogNorm(finite.min(), finite.max()) if log else None
        im = ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, norm=norm, aspect="auto")
        ax.set_xticks(range(len(steals)))
        ax.set_xticklabels(steals)
        ax.set_yticks(range(len(gcs)))
        ax.set_yticklabels(gcs)
        ax.set_xlabel("steal amount (Gs a thief takes of a victim's queue)")
        ax.set_ylabel("global queue checked first on")
        ax.grid(False)
        ax.set_xticks(np.arange(-0.5, len(steals)), minor=True)
        ax.set_yticks(np.arange(-0.5, len(gcs)), minor=True)
        ax.grid(which="minor", color="lightgrey", lw=0.8)
        ax.tick_params(which="minor", length=0)
        mid = math.sqrt(finite.min() * finite.max()) if log else (finite.min() + finite.max()) / 2
        for i in range(len(gcs)):
            for j in range(len(steals)):
                v = grid[i, j]
                if np.isfinite(v):
                    ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=10,
                            color="white" if v < mid else "black")
        if "every-61" in gcs and "half" in steals:
            # Go's own choice, so a reader sees the default among its neighbours.
            ax.add_patch(plt.Rectangle((steals.index("half") - 0.5, gcs.index("every-61") - 0.5),
                                       1, 1, fill=False, ec="red", lw=2))
        spin, runnext, victim, setting = dims
        ax.set_title(group_title(workload, params) +
                     f"\nP = {p}; spin {spin}, runnext {runnext}, victim {victim}{setting}"
                     f"\nmedian of {reps_text(nreps)} per cell; red box: Go's default",
                     fontsize=10)
        cbar = fig.colorbar(im, ax=ax, label="median wall time (ms), lower is better" +
                            (", log colours" if log else ""))
        if log:
            cbar.ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            cbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            cbar.ax.yaxis.set_minor_formatter(NullFormatter())
    fig.suptitle(f"Global-queue check period x steal amount; blank cells were not run; "
                 f"{machine_text(rows, metas)}")
    fig.tight_layout()
    return fig, f"{len(panels)} panel(s)"
