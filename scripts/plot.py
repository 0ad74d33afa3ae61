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
# The figures themselves are in plot_figs/ (next to this file), one module per figure; this
# file is the command line: options, the checks on RESULTS_DIR and FIGDIR, and the report.
import argparse
import os
import sys

from plot_figs import FIGURES, MAKERS
from plot_figs.common import (SCHEDLAB_COLUMNS, assign_policy_colors, load, save,
                              unique_in_order, warn)
import matplotlib.pyplot as plt  # after plot_figs, which chose the backend

FORMATS = ("png", "pdf", "svg")


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad option is one line on stderr and exit status 2."""

    def error(self, message):
        print(f"plot.py: {message} (see --help)", file=sys.stderr)
        sys.exit(2)


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
    assign_policy_colors(rows)
    n_written = 0
    for name in FIGURES:
        fig, note = MAKERS[name](rows, metas) if rows else (None, "no rows with result_ok 1")
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
