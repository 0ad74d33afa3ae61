"""What every figure of scripts/plot.py shares: reading schedlab CSVs, statistics, grouping,
labels and styling. Draws nothing itself.

Invariants and assumptions:
- A schedlab CSV is one whose header starts with SCHEDLAB_COLUMNS, in that order; any other CSV
  is not read. Every row read has procs >= 1 (int), wall_ns > 0 (float) and result_ok (int);
  rows with a negative rep (--work-span's instrumented repetition) are dropped. Each row also
  carries _params and _extra (the params and extra columns as dicts of strings), _file (its
  path) and _fields (the raw fields, to spot one row read twice).
- The matplotlib backend is Agg and the rcParams below are set on import, before any figure
  module draws; a figure module imports this one before matplotlib.pyplot.
- Bootstrap CIs use a fixed seed, so the same CSVs always give the same numbers.
- POLICY_COLORS is one table for every figure: assign_policy_colors fills it from all rows
  before any figure is drawn, so a series has the same colour everywhere.
"""
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

# The leading columns of every schedlab CSV, in order (DESIGN.md "Results"); a file whose header
# does not start with them is not one of ours.
SCHEDLAB_COLUMNS = ["experiment", "workload", "params", "policy", "steal", "global_check",
                    "spin_cap", "runnext", "victim", "runtime", "procs", "rep", "wall_ns",
                    "tasks", "result_ok"]
# Columns that say where a run was placed; runs that differ in them are different series.
SETTING_COLUMNS = [("runtime", "schedlab"), ("topology", "flat"), ("pin", "none"),
                   ("remote_steal_ns", "0")]

BOOTSTRAP_RESAMPLES = 2000  # as the harness's own bootstrap_median_ci
BOOTSTRAP_SEED = 1
CI_LEVEL = 0.95

plt.rcParams.update({
    "font.size": 11, "axes.titlesize": 11, "axes.labelsize": 11, "legend.fontsize": 9,
    "xtick.labelsize": 10, "ytick.labelsize": 10, "figure.titlesize": 12,
    "axes.grid": True, "grid.alpha": 0.3, "savefig.bbox": "tight",
})


def warn(msg):
    print(f"plot.py: warning: {msg}", file=sys.stderr)


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


def ci_points(pts):
    """The medians and the (below, above) error bars of points (x, median, lo, hi, ...)."""
    med = np.array([x[1] for x in pts])
    err = np.array([[x[1] - x[2] for x in pts], [x[3] - x[1] for x in pts]])
    return med, err


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


def by_params_but_cap(rows):
    """Rows grouped by their parameters other than cap, in natural order (a panel per group)."""
    groups = group_by(rows, lambda r: params_text(r["_params"], drop=("cap",)))
    return {k: groups[k] for k in sorted(groups, key=natural_key)}


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


# ---------------------------------------------------------------- styling

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


def bar_tick_labels(ax, x, labels):
    """Names under bars, slanted once there are more than three of them."""
    ax.set_xticks(x)
    ax.set_xticklabels(labels, rotation=35 if len(labels) > 3 else 0,
                       ha="right" if len(labels) > 3 else "center")


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
