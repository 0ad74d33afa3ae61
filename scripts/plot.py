#!/usr/bin/python3
"""Draw the figures of a schedlab results directory.

Usage:
    scripts/plot.py RESULTS_DIR [--out FIGDIR] [--format png,pdf]

Reads every *.csv in RESULTS_DIR that the `schedlab` command wrote (other CSVs are skipped with a
one-line warning) and its <file>.meta.json sidecar when there is one, and writes, each only when
the data for it exist:

    speedup              median T(1)/median T(P) per policy, one panel per workload+params,
                         bootstrap 95% CI bars, the ideal line dashed
    wall_time            median wall time per policy at the group's highest proc count, 95% CI
    heatmap_gc_steal     global-check period x steal amount, median wall time (blank: not run)
    pingpong_cdf         approximate CDF of ping-pong round trips from the pNN_ns extra values
    counters             steals, spins, parks, global pulls, runnext hits per policy
    pipeline_throughput  pipeline messages per second against channel capacity
    runtimes             median wall time against procs of schedlab's policies and the peer
                         runtimes (`--runtime`), the serial elision as a dashed line

as FIGDIR/<name>.png and .pdf (FIGDIR defaults to RESULTS_DIR/figures; --format picks among
png, pdf, svg). Only those names are ever written; other files in FIGDIR are left alone.
Rows of the same workload, parameters, policy and proc count are pooled across files. Rows
whose result_ok is not 1 (a wrong answer) are left out of every figure, with a warning.
Medians and percentile-bootstrap 95% CIs (2000 resamples, fixed seed) are computed here with
numpy, so the same CSVs always give the same figures.

Exit status: 0 when the data were read (even if every figure was skipped: each skip says why),
2 with one line on stderr when RESULTS_DIR is missing or holds no schedlab CSV, or an option is
bad. Run it with Debian's /usr/bin/python3 (python3-matplotlib, numpy); pandas is not needed.
"""
import argparse
import csv
import json
import math
import os
import re
import sys
import tempfile
import textwrap

import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
from matplotlib.colors import LogNorm  # noqa: E402
from matplotlib.ticker import (EngFormatter, FuncFormatter, LogLocator, MaxNLocator,  # noqa: E402
                               NullFormatter, NullLocator)  # noqa: E402

# The leading columns of every schedlab CSV, in order (DESIGN.md "Results"); a file whose header
# does not start with them is not one of ours.
SCHEDLAB_COLUMNS = ["experiment", "workload", "params", "policy", "steal", "global_check",
                    "spin_cap", "runnext", "victim", "runtime", "procs", "rep", "wall_ns",
                    "tasks", "result_ok"]
COUNTERS = [("steals", "steals"), ("spins", "spins"), ("parks", "parks"),
            ("global_pulls", "global pulls"), ("runnext_hits", "runnext hits")]
# Columns that say where a run was placed; runs that differ in them are different series.
SETTING_COLUMNS = [("runtime", "schedlab"), ("topology", "flat"), ("pin", "none"),
                   ("remote_steal_ns", "0")]

FIGURES = ["speedup", "wall_time", "heatmap_gc_steal", "pingpong_cdf", "counters",
           "pipeline_throughput", "runtimes"]
FORMATS = ("png", "pdf", "svg")
BOOTSTRAP_RESAMPLES = 2000  # as the harness's own bootstrap_median_ci
BOOTSTRAP_SEED = 1
CI_LEVEL = 0.95
# Counters span orders of magnitude (millions of runnext hits next to a handful of parks): past
# this max/min ratio of the nonzero medians the axis goes logarithmic.
LOG_RANGE_RATIO = 100.0

plt.rcParams.update({
    "font.size": 11, "axes.titlesize": 11, "axes.labelsize": 11, "legend.fontsize": 9,
    "xtick.labelsize": 10, "ytick.labelsize": 10, "figure.titlesize": 12,
    "axes.grid": True, "grid.alpha": 0.3, "savefig.bbox": "tight",
})


def warn(msg):
    print(f"plot.py: warning: {msg}", file=sys.stderr)


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad option is one line on stderr and exit status 2."""

    def error(self, message):
        print(f"plot.py: {message} (see --help)", file=sys.stderr)
        sys.exit(2)


# ---------------------------------------------------------------- reading

def parse_kv(text):
    """'k=v;k=v' -> dict (values stay strings; an empty value stays '')."""
    out = {}
    for part in text.split(";"):
        if not part:
            continue
        k, _, v = part.partition("=")
        out[k.strip()] = v.strip()
    return out


def read_meta(csv_path):
    """The cores and CPU model from <file>.meta.json, or {} when there is no readable sidecar."""
    try:
        with open(csv_path + ".meta.json") as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return {}
    runs = meta.get("runs") if isinstance(meta, dict) else None
    runs = runs if isinstance(runs, list) else [meta]
    cores = {r.get("cores") for r in runs if isinstance(r, dict) and r.get("cores")}
    cpus = {r.get("cpu_model") for r in runs if isinstance(r, dict) and r.get("cpu_model")}
    return {"cores": cores, "cpu_model": cpus}


def read_csv(path):
    """Rows of one schedlab CSV as dicts with numbers parsed, or None if it is not one."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None or header[:len(SCHEDLAB_COLUMNS)] != SCHEDLAB_COLUMNS:
                return None, 0
            rows, bad = [], 0
            for fields in reader:
                if not fields:
                    continue
                if len(fields) != len(header):
                    bad += 1
                    continue
                row = dict(zip(header, fields))
                try:
                    row["procs"] = int(row["procs"])
                    row["wall_ns"] = float(row["wall_ns"])
                    row["result_ok"] = int(row["result_ok"])
                except ValueError:
                    bad += 1
                    continue
                if row["procs"] < 1 or not row["wall_ns"] > 0:  # nothing to divide by
                    bad += 1
                    continue
                if row.get("rep", "").startswith("-"):
                    # rep -1: schedlab --work-span's instrumented repetition; its wall time
                    # includes the clock reads of every strand, so it is not a timing sample.
                    continue
                row["_params"] = parse_kv(row["params"])
                row["_extra"] = parse_kv(row.get("extra", ""))
                row["_file"] = path
                row["_fields"] = tuple(fields)
                rows.append(row)
            return rows, bad
    except (OSError, UnicodeDecodeError, csv.Error):
        return None, 0


def load(results_dir):
    """All good rows of the schedlab CSVs in results_dir, the metadata of each file, how many
    schedlab CSVs there were and the paths of the other CSVs (skipped)."""
    names = sorted(n for n in os.listdir(results_dir) if n.endswith(".csv"))
    rows, metas, n_files, wrong, seen, dups, others = [], {}, 0, 0, set(), 0, []
    for name in names:
        path = os.path.join(results_dir, name)
        if not os.path.isfile(path):
            continue
        file_rows, bad = read_csv(path)
        if file_rows is None:
            others.append(path)
            continue
        n_files += 1
        metas[path] = read_meta(path)
        if bad:
            warn(f"{path}: {bad} malformed row(s) skipped")
        for r in file_rows:
            # The same row twice (a file copied next to itself) would count its reps twice.
            if r["_fields"] in seen:
                dups += 1
                continue
            seen.add(r["_fields"])
            if r["result_ok"] != 1:
                wrong += 1
                continue
            rows.append(r)
    if dups:
        warn(f"{dups} row(s) appear in more than one file; each is counted once")
    if wrong:
        warn(f"{wrong} row(s) with result_ok != 1 (a wrong answer) left out of every figure")
    return rows, metas, n_files, others


# ---------------------------------------------------------------- statistics

def bootstrap_median_ci(xs, level=CI_LEVEL):
    """Median and percentile-bootstrap CI of the median; one sample gives [x, x]."""
    xs = np.asarray(xs, dtype=float)
    med = float(np.median(xs))
    if xs.size < 2:
        return med, med, med
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    idx = rng.integers(0, xs.size, size=(BOOTSTRAP_RESAMPLES, xs.size))
    meds = np.median(xs[idx], axis=1)
    a = (1 - level) / 2 * 100
    lo, hi = np.percentile(meds, [a, 100 - a])
    return med, float(lo), float(hi)


def bootstrap_ratio_ci(num, den, level=CI_LEVEL):
    """median(num)/median(den) and a bootstrap CI, resampling both samples independently."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    ratio = float(np.median(num) / np.median(den))
    if num.size < 2 and den.size < 2:
        return ratio, ratio, ratio
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    rn = np.median(num[rng.integers(0, num.size, size=(BOOTSTRAP_RESAMPLES, num.size))], axis=1)
    rd = np.median(den[rng.integers(0, den.size, size=(BOOTSTRAP_RESAMPLES, den.size))], axis=1)
    a = (1 - level) / 2 * 100
    lo, hi = np.percentile(rn / rd, [a, 100 - a])
    return ratio, float(lo), float(hi)


# ---------------------------------------------------------------- grouping and labels

def unique_in_order(items):
    out, seen = [], set()
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


def group_by(rows, key):
    groups = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    return groups


def natural_key(text):
    """'cap=16' after 'cap=2': digit runs compare as numbers."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", text)]


def by_workload(rows):
    """Rows grouped by (workload, params), the groups in name order with numbers as numbers."""
    groups = group_by(rows, lambda r: (r["workload"], r["params"]))
    return {k: groups[k] for k in sorted(groups, key=lambda k: (k[0], natural_key(k[1])))}


def is_peer(row):
    return row.get("runtime", "schedlab") not in ("", "schedlab")


def setting_suffix(row):
    """' [topology=2x4, pin=compact]' for runs not on the default placement, else ''."""
    parts = [f"{c}={row[c]}" for c, default in SETTING_COLUMNS
             if c in row and row[c] not in ("", default) and not (c == "runtime" and is_peer(row))]
    return f" [{', '.join(parts)}]" if parts else ""


def series_name(row):
    """A schedlab policy by its name ('go'); another runtime as 'peer <name>' ('peer go' is Go's
    own scheduler, 'peer serial' the serial elision)."""
    return (f"peer {row['runtime']}" if is_peer(row) else row["policy"]) + setting_suffix(row)


def params_text(params, drop=()):
    return ", ".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in drop)


def group_title(workload, params, drop=(), width=48):
    text = params_text(params, drop)
    return "\n".join(textwrap.wrap(f"{workload}: {text}" if text else workload, width))


def machine_text(rows, metas):
    """'2 cores, AMD EPYC' from the sidecars of the files these rows came from."""
    cores, cpus, missing = set(), set(), False
    for path in {r["_file"] for r in rows}:
        m = metas.get(path) or {}
        if not m.get("cores"):
            missing = True
        cores |= m.get("cores", set())
        cpus |= m.get("cpu_model", set())
    if not cores:
        return "machine cores unknown (no .meta.json)"
    c = "/".join(str(x) for x in sorted(cores))
    text = f"machine: {c} core{'s' if c != '1' else ''}"
    if len(cpus) == 1:
        text += f" ({next(iter(cpus))})"
    if missing:
        text += ", some files without .meta.json"
    return text


def max_cores(rows, metas):
    cores = set()
    for path in {r["_file"] for r in rows}:
        cores |= (metas.get(path) or {}).get("cores", set())
    return max(cores) if cores else None


def wall_ms(rows):
    return [r["wall_ns"] / 1e6 for r in rows]


def reps_text(counts):
    lo, hi = min(counts), max(counts)
    return f"{lo} rep{'s' if hi > 1 else ''}" if lo == hi else f"{lo}-{hi} reps"


def panel_grid(n, ncols_max=3, w=5.6, h=4.2):
    ncols = min(n, ncols_max)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(w * ncols, h * nrows), squeeze=False)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def style_cycle(i):
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    return colors[i % len(colors)]


POLICY_COLORS = {}


def assign_policy_colors(rows):
    """One colour per series for every figure, so a policy reads the same everywhere."""
    names = unique_in_order(series_name(r) for r in rows)
    # The ten strong tab10 colours first, then tab20's pale partners of them, then tab20b's and
    # tab20c's: 60 distinct colours before any repeats (sweeps and peers together pass 20).
    tab20 = matplotlib.colormaps["tab20"]
    palette = [tab20(2 * k) for k in range(10)] + [tab20(2 * k + 1) for k in range(10)]
    for extra in ("tab20b", "tab20c"):
        cmap = matplotlib.colormaps[extra]
        palette += [cmap(k) for k in range(20)]
    POLICY_COLORS.clear()
    for i, name in enumerate(names):
        POLICY_COLORS[name] = palette[i % len(palette)]


def policy_color(name):
    return POLICY_COLORS.get(name, "grey")


def pad_bar_axis(ax, n, min_slots=4):
    """Keep a lone bar (or two) from filling the whole panel."""
    pad = max(0.0, (min_slots - n) / 2)
    ax.set_xlim(-0.6 - pad, n - 0.4 + pad)


LINESTYLES = ["-", "--", ":", "-."]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def dodge(i, n, step):
    return (i - (n - 1) / 2) * step


# ---------------------------------------------------------------- 1. speedup

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
            s = np.array([x[1] for x in pts])
            err = np.array([[x[1] - x[2] for x in pts], [x[3] - x[1] for x in pts]])
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


# ---------------------------------------------------------------- 2. wall time bars
# (7. runtimes, below, is the same medians against procs, for comparing runtimes)

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
        ax.set_xticks(x)
        ax.set_xticklabels([b[0] for b in bars], rotation=35 if len(bars) > 3 else 0,
                           ha="right" if len(bars) > 3 else "center")
        ax.set_ylabel("median wall time (ms)")
        ax.set_title(group_title(workload, params) +
                     f"\nP = {pmax}, {reps_text([b[2] for b in bars])} per bar")
        ax.grid(axis="x", visible=False)
    fig.suptitle("Median wall time per policy at the highest proc count run "
                 f"(bars: bootstrap 95% CI; lower is better); {machine_text(rows, metas)}")
    fig.tight_layout()
    return fig, f"{len(panels)} panel(s)"


# ---------------------------------------------------------------- 3. heatmap

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


# ---------------------------------------------------------------- 4. ping-pong CDF

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
    groups = group_by(prow, lambda r: params_text(r["_params"], drop=("cap",)))
    groups = {k: groups[k] for k in sorted(groups, key=natural_key)}
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


# ---------------------------------------------------------------- 5. counters

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
        ax.set_xticks(x)
        ax.set_xticklabels([p[0] for p in policies], rotation=35 if len(policies) > 3 else 0,
                           ha="right" if len(policies) > 3 else "center")
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


# ---------------------------------------------------------------- 6. pipeline throughput

def fig_pipeline(rows, metas):
    prow = [r for r in rows if r["workload"] == "pipeline"
            and r["_params"].get("cap", "").isdigit()
            and re.fullmatch(r"\d+", r["_params"].get("messages", "")) and r["wall_ns"] > 0]
    if not prow:
        return None, "no pipeline rows with cap= and messages= parameters"
    groups = group_by(prow, lambda r: params_text(r["_params"], drop=("cap",)))
    groups = {k: groups[k] for k in sorted(groups, key=natural_key)}
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
            med = np.array([x[1] for x in pts])
            err = np.array([[x[1] - x[2] for x in pts], [x[3] - x[1] for x in pts]])
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


# ---------------------------------------------------------------- writing

def save(fig, figdir, name, formats):
    """Write name.<fmt> for each format through a temporary file in figdir, then rename."""
    written = []
    for fmt in formats:
        final = os.path.join(figdir, f"{name}.{fmt}")
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=f".{fmt}.tmp", dir=figdir)
        os.close(fd)
        try:
            # No creation date in the PDF, so the same data give the same bytes.
            meta = {"CreationDate": None} if fmt == "pdf" else {}
            fig.savefig(tmp, format=fmt, dpi=150, metadata=meta)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600; a figure is for sharing
            os.replace(tmp, final)
        except BaseException:
            os.unlink(tmp)
            raise
        written.append(final)
    return written


def parse_args(argv):
    ap = OneLineParser(prog="plot.py",
                       usage="%(prog)s RESULTS_DIR [--out FIGDIR] [--format png,pdf]",
                       description=__doc__.split("\n\n", 2)[2],
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results_dir", metavar="RESULTS_DIR", help="a directory of schedlab CSVs")
    ap.add_argument("--out", metavar="FIGDIR", help="default: RESULTS_DIR/figures")
    ap.add_argument("--format", default="png,pdf", help="comma-separated: png, pdf, svg")
    args = ap.parse_args(argv)
    formats = unique_in_order(f.strip().lower() for f in args.format.split(",") if f.strip())
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        ap.error(f"--format {args.format!r}: choose from {', '.join(FORMATS)}")
    args.formats = formats
    return args

# ---------------------------------------------------------------- 7. runtimes side by side

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
            med = np.array([x[1] for x in pts])
            err = np.array([[x[1] - x[2] for x in pts], [x[3] - x[1] for x in pts]])
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



def main(argv):
    args = parse_args(argv)
    if not os.path.isdir(args.results_dir):
        what = "is not a directory" if os.path.exists(args.results_dir) else "does not exist"
        print(f"plot.py: {args.results_dir} {what}", file=sys.stderr)
        return 2
    rows, metas, n_files, others = load(args.results_dir)
    if n_files == 0:
        skipped = f" ({len(others)} other .csv file(s) skipped)" if others else ""
        print(f"plot.py: no schedlab CSV in {args.results_dir}{skipped}", file=sys.stderr)
        return 2
    for path in others:
        warn(f"skipping {path}: not a schedlab CSV (its header does not start with "
             f"{','.join(SCHEDLAB_COLUMNS[:3])},...)")
    figdir = args.out or os.path.join(args.results_dir, "figures")
    try:
        os.makedirs(figdir, exist_ok=True)
    except OSError as e:
        print(f"plot.py: cannot create {figdir}: {e.strerror}", file=sys.stderr)
        return 2
    print(f"read {len(rows)} row(s) from {n_files} schedlab CSV(s) in {args.results_dir}")
    makers = {"speedup": fig_speedup, "wall_time": fig_wall_time, "heatmap_gc_steal": fig_heatmap,
              "pingpong_cdf": fig_pingpong, "counters": fig_counters,
              "pipeline_throughput": fig_pipeline, "runtimes": fig_runtimes}
    assign_policy_colors(rows)
    n_written = 0
    for name in FIGURES:
        fig, note = makers[name](rows, metas) if rows else (None, "no rows with result_ok 1")
        if fig is None:
            stale = [f"{name}.{f}" for f in args.formats
                     if os.path.exists(os.path.join(figdir, f"{name}.{f}"))]
            extra = f" ({', '.join(stale)} in {figdir} is from an earlier run)" if stale else ""
            print(f"skipped {name}: {note}{extra}")
            continue
        try:
            paths = save(fig, figdir, name, args.formats)
        except OSError as e:
            print(f"plot.py: cannot write {name} in {figdir}: {e.strerror}", file=sys.stderr)
            return 1
        finally:
            plt.close(fig)
        n_written += 1
        print(f"wrote   {name}: {', '.join(paths)} ({note})")
    print(f"{n_written} of {len(FIGURES)} figures written to {figdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
