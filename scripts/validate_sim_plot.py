#!/usr/bin/python3
"""Compare `schedlab run` (real) and `schedlab sim` rows of the same configurations.

Usage: validate_sim_plot.py REAL.csv SIM.csv OUTDIR

Writes OUTDIR/sim_validation.csv (per workload, params, policy and procs: the median wall
time, steals and migrations (Gs started on a P other than the one that made or last ran
them; absent from CSVs written before the counter was) of each, the simulator's error in % of
the real median, the median of the
per-round errors: a real run and the simulated run of the same victim seed, which
scripts/validate_sim prices with the calibration made at the start of that round, and the real
runs' fastest and slowest wall time with the simulator's error against the fastest: on a shared
machine interference only adds time, so the fastest run is the least disturbed) and
OUTDIR/sim_validation.png (two panels, wall time and steals, bars side by side, each pair
annotated with the error; the real wall bars carry whiskers from the fastest to the slowest
run). If OUTDIR/cpu_speeds.csv is there (scripts/validate_sim writes it: each CPU's speed at
the start of each round of real runs, as a loop's step and, since 2026-11-23, as a dependent
load's latency over 64 MiB), it also says how unequal the CPUs were, since the simulator's
cores are all alike. Where the file also has pair_rtt_ns (a cache line's round trip between
two CPUs, since 2026-11-24) and the rounds' round trips differ more than 2x, it prints each
P = 2 configuration's paired error over the rounds with the CPUs near (round trip below the
geometric middle of the fastest and slowest round's) and over those with them far apart.
"""
import csv
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def runs(path):
    """Per (workload, params, policy, procs): (median wall, median steals, runs, fastest wall,
    slowest wall, median migrations or None), and {victim seed: wall_ns}."""
    groups, by_seed = {}, {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if int(row["rep"]) < 0 or row["result_ok"] != "1":
                continue
            key = (row["workload"], row["params"], row["policy"], int(row["procs"]))
            migrations = row.get("migrations") or None
            groups.setdefault(key, []).append((float(row["wall_ns"]), float(row["steals"] or 0),
                                               float(migrations) if migrations else None))
            # A simulated row's victim seed is its extra's sim_seed; a real row's, its seed.
            extra = dict(kv.split("=", 1) for kv in row["extra"].split(";") if "=" in kv)
            by_seed.setdefault(key, {})[int(extra.get("sim_seed", row["seed"]))] = float(row["wall_ns"])
    medians = {k: (statistics.median(w for w, _, _ in v), statistics.median(s for _, s, _ in v), len(v),
                   min(w for w, _, _ in v), max(w for w, _, _ in v),
                   statistics.median(m for _, _, m in v) if all(m is not None for _, _, m in v) else None)
               for k, v in groups.items()}
    return medians, by_seed


def paired_error(real, sim):
    """Median over the seeds run by both of the simulator's error, or '' without a pair."""
    errs = [err(sim[s], real[s]) for s in real if s in sim]
    return round(statistics.median(errs), 1) if errs else ""


def err(sim, real):
    return 100.0 * (sim - real) / real if real else float("nan")


def short(params):
    keep = [kv for kv in params.split(";") if kv.split("=")[0] in ("n", "spawn", "tree", "width", "grain", "waves", "messages")]
    return ",".join(keep)


def cpu_speed_note(path):
    """'cpuN X ns, ...; slowest/fastest per round: median R, max M' for the loop step and, where
    the file has it (mem_load_ns, from calibrate since 2026-11-23), the same for the dependent
    load over 64 MiB; '' without the file."""
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        return ""

    def summary(column, what, digits):
        per_cpu, per_round = {}, {}
        for r in rows:
            ns = float(r.get(column) or -1)
            if ns <= 0:
                continue
            per_cpu.setdefault(r["cpu"], []).append(ns)
            per_round.setdefault(r["round"], []).append(ns)
        if not per_cpu:
            return ""
        ratios = [max(v) / min(v) for v in per_round.values() if len(v) > 1]
        text = ", ".join(f"cpu{c} {statistics.median(v):.{digits}f}" for c, v in sorted(per_cpu.items()))
        text = f"CPU speed ({what}, median of rounds): {text}"
        if ratios:
            text += f"; slowest/fastest CPU per round: median {statistics.median(ratios):.2f}, max {max(ratios):.2f}"
        return text

    parts = [summary("loop_step_ns", "ns per loop step", 2), summary("mem_load_ns", "ns per load over 64 MiB", 0)]
    rtts = round_trips(rows)
    if rtts:
        v = sorted(rtts.values())
        parts.append(f"a line's round trip between the CPUs: median of rounds {statistics.median(v):.0f} ns, "
                     f"{v[0]:.0f}-{v[-1]:.0f}")
    return "\n".join(p for p in parts if p)


def round_trips(rows):
    """{round: the largest pair_rtt_ns of its CPUs} for the rounds that have one."""
    out = {}
    for r in rows:
        ns = float(r.get("pair_rtt_ns") or -1)
        if ns > 0:
            out[int(r["round"])] = max(ns, out.get(int(r["round"]), 0))
    return out


def near_far_lines(path, rows, real_seeds, sim_seeds):
    """Per P = 2 configuration, the paired error over rounds with the CPUs near and far apart
    (split at the geometric middle of the rounds' round trips), when they differ > 2x."""
    try:
        with open(path, newline="") as f:
            rtts = round_trips(list(csv.DictReader(f)))
    except FileNotFoundError:
        return []
    if not rtts or max(rtts.values()) < 2 * min(rtts.values()):
        return []
    cut = (max(rtts.values()) * min(rtts.values())) ** 0.5
    near = sorted(r for r, ns in rtts.items() if ns < cut)
    far = sorted(r for r, ns in rtts.items() if ns >= cut)
    lines = [f"P = 2 paired error by the CPUs' distance: near (round trip < {cut:.0f} ns) in rounds "
             f"{','.join(map(str, near))}; far in rounds {','.join(map(str, far))}"]
    for r in rows:
        if r["procs"] != 2:
            continue
        k = (r["workload"], r["params"], r["policy"], 2)
        real, sim = real_seeds[k], sim_seeds[k]
        cell = []
        for name, rounds in (("near", near), ("far", far)):
            e = paired_error({s: w for s, w in real.items() if s in rounds}, sim)
            cell.append(f"{name} {e:+6.1f}%" if e != "" else f"{name}    -   ")
        lines.append(f"  {r['workload']:9} {short(r['params']):22} {r['policy']:10} " + "  ".join(cell))
    return lines


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    (real, real_seeds), (sim, sim_seeds), outdir = runs(sys.argv[1]), runs(sys.argv[2]), sys.argv[3]
    keys = sorted(k for k in real if k in sim)
    if not keys:
        sys.exit("validate_sim_plot: no configuration in both files")
    rows = []
    for k in keys:
        (rw, rs, rn, rmin, rmax, rm), (sw, ss, sn, _, _, sm) = real[k], sim[k]
        both = rm is not None and sm is not None
        rows.append({"workload": k[0], "params": k[1], "policy": k[2], "procs": k[3],
                     "real_wall_ns": round(rw), "sim_wall_ns": round(sw), "wall_err_pct": round(err(sw, rw), 1),
                     "paired_wall_err_pct": paired_error(real_seeds[k], sim_seeds[k]),
                     "real_steals": rs, "sim_steals": ss,
                     "steal_err_pct": round(err(ss, rs), 1) if rs else "",
                     "real_reps": rn, "sim_reps": sn,
                     "real_min_wall_ns": round(rmin), "real_max_wall_ns": round(rmax),
                     "min_wall_err_pct": round(err(sw, rmin), 1),
                     "real_migrations": rm if both else "", "sim_migrations": sm if both else "",
                     "migration_err_pct": round(err(sm, rm), 1) if both and rm else ""})
    with open(f"{outdir}/sim_validation.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)

    labels = [f"{r['workload']}({short(r['params'])})\n{r['policy']} P={r['procs']}" for r in rows]
    fig, axes = plt.subplots(2, 1, figsize=(max(8, 0.9 * len(rows)), 9))
    x = range(len(rows))
    for ax, what, unit, scale in ((axes[0], "wall", "wall time (ms)", 1e-6), (axes[1], "steals", "steals", 1)):
        rk, sk = f"real_{what}" if what == "steals" else "real_wall_ns", f"sim_{what}" if what == "steals" else "sim_wall_ns"
        spread = None
        if what == "wall":  # whiskers: the fastest and the slowest real run
            spread = [[(r[rk] - r["real_min_wall_ns"]) * scale for r in rows],
                      [(r["real_max_wall_ns"] - r[rk]) * scale for r in rows]]
        ax.bar([i - 0.2 for i in x], [r[rk] * scale for r in rows], 0.4, yerr=spread, capsize=2,
               label="real (median; fastest to slowest run)" if spread else "real (median)")
        ax.bar([i + 0.2 for i in x], [r[sk] * scale for r in rows], 0.4, label="sim (median)")
        ek = "wall_err_pct" if what == "wall" else "steal_err_pct"
        for i, r in enumerate(rows):
            if r[ek] != "":
                top = max(r[rk] if what != "wall" else r["real_max_wall_ns"], r[sk]) * scale
                ax.annotate(f"{r[ek]:+.0f}%", (i, top), ha="center", va="bottom", fontsize=8)
        ax.set_ylabel(unit)
        ax.set_xticks(list(x))
        ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
        ax.legend()
    note = cpu_speed_note(f"{outdir}/cpu_speeds.csv")
    axes[0].set_title("simulator vs real runtime (error of the simulator in % of the real median)"
                      + (f"\n{note}" if note else ""), fontsize=9)
    fig.tight_layout()
    fig.savefig(f"{outdir}/sim_validation.png", dpi=110)
    for r in rows:
        print(f"{r['workload']:9} {short(r['params']):22} {r['policy']:10} P={r['procs']}  wall "
              f"{r['real_wall_ns'] / 1e6:8.2f} ms real {r['sim_wall_ns'] / 1e6:8.2f} ms sim {r['wall_err_pct']:+6.1f}% "
              f"(paired {r['paired_wall_err_pct']:+6.1f}%, vs fastest {r['min_wall_err_pct']:+6.1f}%)   "
              f"steals {r['real_steals']:8.0f} real {r['sim_steals']:8.0f} sim"
              + (f"   migrations {r['real_migrations']:8.0f} real {r['sim_migrations']:8.0f} sim"
                 if r["real_migrations"] != "" else ""))
    if note:
        print(note)
    for line in near_far_lines(f"{outdir}/cpu_speeds.csv", rows, real_seeds, sim_seeds):
        print(line)


if __name__ == "__main__":
    main()
