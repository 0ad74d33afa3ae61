#!/usr/bin/python3
"""Join the per-round CSVs of scripts/forkjoin_bench into one CSV (a `round` column added) and
print a Markdown table: per workload, runtime and bundle, the median wall time and time per
task at P = 1 and P = 2 over every repetition of every round, and the P = 2 / P = 1 ratio.
Usage: forkjoin_table.py ROUNDS_DIR OUT_CSV"""
import csv
import glob
import os
import re
import statistics
import sys

TARGETS = {  # issue 28: (experiment, who) -> minimum P2/P1 ratio
    ("fib30", "schedlab cilk-like"): 1.7, ("nqueens12", "schedlab cilk-like"): 1.7,
    ("utsT1L", "schedlab cilk-like"): 1.7, ("fib30", "schedlab go"): 1.5,
    ("nqueens12", "schedlab go"): 1.5,
}


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    rows, header = [], None
    for path in sorted(glob.glob(os.path.join(argv[1], "r*_*.csv"))):
        m = re.match(r"r(\d+)_", os.path.basename(path))
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            if header is None:
                header = reader.fieldnames + ["round"]
            for r in reader:
                r["round"] = m.group(1)
                rows.append(r)
    if not rows:
        print("forkjoin_table.py: no round CSVs in " + argv[1], file=sys.stderr)
        return 2
    tmp = argv[2] + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, argv[2])

    groups = {}
    for r in rows:
        if r["result_ok"] != "1" or int(r["rep"]) < 0:
            continue
        who = "schedlab " + r["policy"] if r["runtime"] == "schedlab" else r["runtime"]
        groups.setdefault((r["experiment"], who), {}).setdefault(int(r["procs"]), []).append(
            (int(r["wall_ns"]), int(r["tasks"] or 0)))
    rounds = len({r["round"] for r in rows})
    print(f"Fork-join on 1 and 2 Ps: medians of {rounds} interleaved rounds x the repetitions "
          "of each (scripts/forkjoin_bench)\n")
    print("| workload | runtime | P=1 ms | ns/task P=1 | P=2 ms | ns/task P=2 | P2/P1 | target |")
    print("|---|---|---|---|---|---|---|---|")
    for (exp, who), by_p in sorted(groups.items()):
        cells = []
        med = {}
        for p in (1, 2):
            runs = by_p.get(p, [])
            if not runs:
                cells += ["-", "-"]
                continue
            wall = statistics.median(w for w, _ in runs)
            tasks = max(t for _, t in runs) + 1  # the root task is not counted as a spawn
            med[p] = wall
            cells += [f"{wall / 1e6:.1f}", f"{wall / tasks:.0f}"]
        ratio = med[1] / med[2] if 1 in med and 2 in med else None
        target = TARGETS.get((exp, who))
        verdict = ""
        if target and ratio:
            verdict = f">= {target} " + ("met" if ratio >= target else "missed")
        shown = f"{ratio:.2f}x" if ratio else "-"
        print(f"| {exp} | {who} | " + " | ".join(cells) + f" | {shown} | {verdict} |")
    times = os.path.join(argv[1], "t1l_time.txt")
    if os.path.exists(times):
        print("\nUTS T1L, cilk-like, 1 P, whole process (/usr/bin/time): elapsed, user, system s")
        for line in open(times):
            parts = line.split()
            e, u, s = (float(x) for x in parts[1:4])
            print(f"- {parts[0]}: {e:.2f} s elapsed, {u:.2f} s user, {s:.2f} s system "
                  f"({100 * s / max(e, 1e-9):.1f}% of elapsed)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
