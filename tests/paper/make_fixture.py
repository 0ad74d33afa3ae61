#!/usr/bin/python3
"""Write tests/paper/fixture/: the test fixture of scripts/paper (tests/paper/paper_test.sh).

Two kinds of file, both test fixtures and not results:
- trimmed copies of results/2026-11-22 (the first 2 repetitions, the instrumented rep -1 row,
  a few policies or runtimes), for the experiments that existed then;
- synthetic CSVs, marked experiment=<name>, runtime as the real one would be, and
  `fixture=synthetic` in extra, for the experiments added later (starve, spin_sweep, runnext,
  space and the simulator's sim_*): made-up numbers with the real column layout, so the generator has
  every input. Their sidecars say so in "command", which the paper's captions print.
Usage: /usr/bin/python3 tests/paper/make_fixture.py   (from the repository root; deterministic)"""

import csv
import json
import os
import random

SRC = "results/2026-11-22"
DST = "tests/paper/fixture"
REPS = 2  # enough for an interval; the simulator's rows have one (it is deterministic)
KEEP = {  # csv -> (column, kept values) ; None: all
    "fib.csv": ("policy", {"go", "cilk-like"}), "nqueens.csv": ("policy", {"go", "cilk-like"}),
    "uts.csv": ("policy", {"go", "cilk-like"}), "matmul.csv": ("policy", {"go", "cilk-like"}),
    "cholesky.csv": ("policy", {"go", "cilk-like"}), "gc_sweep.csv": None,
    "steal_sweep.csv": None, "steal_sweep_uts.csv": None,
    "pipeline.csv": ("policy", {"go"}), "pingpong.csv": ("policy", {"go"}), "numa.csv": None,
    "peers_fib.csv": ("runtime", {"schedlab", "go", "serial"}),
    "peers_nqueens.csv": ("runtime", {"schedlab", "go", "serial"}),
    "peers_spawnstorm.csv": ("runtime", {"schedlab", "go", "serial"}),
    "peers_spawnwait.csv": ("runtime", {"schedlab", "go"}),
    "peers_pingpong.csv": ("runtime", {"schedlab", "go", "threads"}),
    "peers_parked.csv": ("runtime", {"schedlab", "go"}),
}
# The current layout (README.md "CSV columns").
HEADER = ("experiment,workload,params,policy,steal,global_check,spin_cap,runnext,victim,runtime,"
          "procs,rep,wall_ns,tasks,result_ok,gs_run,spawns,runnext_hits,local_pops,global_pulls,"
          "steal_attempts,steals,remote_steal_attempts,remote_steals,gs_stolen,overflows,spins,"
          "parks,wakeups,migrations,inlined,spin_ns,park_ns,spinning_high_water,topology,pin,"
          "remote_steal_ns,seed,local_order,join,extra").split(",")
SYNTH = "tests/paper/make_fixture.py (synthetic test fixture, not a measurement)"


def meta(path, command, cores=2):
    with open(path + ".meta.json", "w") as f:
        json.dump({"schema": 1, "runs": [{"command": command, "cores": cores,
                                          "cpu_model": "fixture", "kernel": "fixture",
                                          "compiler": "fixture", "date": "2026-01-01"}]}, f)
        f.write("\n")


def trim(name):
    with open(os.path.join(SRC, name), newline="") as f:
        rows = list(csv.DictReader(f))
        header = list(rows[0].keys())
    keep = KEEP[name]
    out = [r for r in rows if (keep is None or r[keep[0]] in keep[1]) and int(r["rep"]) < REPS]
    path = os.path.join(DST, name)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, header, lineterminator="\n")
        w.writeheader()
        w.writerows(out)
    with open(os.path.join(SRC, name + ".meta.json")) as f:
        cmd = json.load(f)["runs"][0]["command"]
    meta(path, f"{cmd} (trimmed copy: {SYNTH.split(' (')[0]})")


def bench():
    with open(os.path.join(SRC, "runtime_bench.json")) as f:
        data = json.load(f)
    keep = ("BM_Yield/gs:2", "BM_ParkedGsMemory", "BM_PingPongUnbuffered/procs:1")
    data["benchmarks"] = [b for b in data["benchmarks"] if b["run_name"].startswith(keep)
                          and b.get("aggregate_name") in ("median", "stddev")]
    data["context"] = {"num_cpus": 2, "host_name": "fixture"}
    with open(os.path.join(DST, "runtime_bench.json"), "w") as f:
        json.dump(data, f, indent=0)
    with open(os.path.join(DST, "runtime_bench.meta.json"), "w") as f:
        json.dump({"cores": 2, "cpu_model": "fixture", "command": ["scripts/reproduce", "--name",
                   "fixture", "(trimmed copy)"]}, f)


class Synth:
    def __init__(self, name, seed):
        self.name, self.rows, self.rng = name, [], random.Random(seed)

    def row(self, workload, params, policy, procs, rep, wall, tasks, runtime="schedlab",
            extra="", **cols):
        r = {c: "0" for c in HEADER}
        r.update(experiment=self.name, workload=workload, params=params, policy=policy,
                 steal="half", global_check="every-61", spin_cap="go", runnext="on",
                 victim="random", runtime=runtime, procs=str(procs), rep=str(rep),
                 wall_ns=str(int(wall * self.rng.uniform(0.97, 1.05))), tasks=str(tasks),
                 result_ok="1", topology="flat", pin="none", seed="1", local_order="fifo",
                 join="park", extra=";".join(x for x in (extra, "fixture=synthetic") if x))
        if runtime not in ("schedlab", "sim"):
            for c in ("policy", "steal", "global_check", "spin_cap", "runnext", "victim"):
                r[c] = "NA"
        r.update({k: str(v) for k, v in cols.items()})
        self.rows.append(r)

    def write(self):
        path = os.path.join(DST, self.name + ".csv")
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, HEADER, lineterminator="\n")
            w.writeheader()
            w.writerows(self.rows)
        meta(path, SYNTH)


GC = [("go+gc=1", "every-1"), ("go+gc=7", "every-7"), ("go+gc=31", "every-31"),
      ("go", "every-61"), ("go+gc=127", "every-127"), ("go+gc=1000", "every-1000"),
      ("gci-never", "never")]
SPIN = [("go+spin=none", "none"), ("go+spin=1", "1"), ("go+spin=half-procs", "half-procs"),
        ("go", "go"), ("go+spin=all", "all")]


def starve():
    s = Synth("starve", 1)
    for procs in (1, 2):
        for pol, gc in GC:
            period = 1e9 if gc == "never" else int(gc.split("-")[1])
            for rep in range(REPS):
                wait = 2e9 if gc == "never" else 2000 * period
                s.row("starve", "n=1000", pol, procs, rep, 3e6 + 1e3 * period, 1000,
                      extra=f"max_wait_ns={int(wait)};p50_wait_ns={int(wait / 4)};"
                            f"p99_wait_ns={int(wait * 0.9)}", global_check=gc)
        for rep in range(REPS):
            s.row("starve", "n=1000", "NA", procs, rep, 4e6, 1000, runtime="go",
                  extra="max_wait_ns=150000;p50_wait_ns=40000;p99_wait_ns=140000")
    s.write()


def spin_sweep():
    s = Synth("spin_sweep", 2)
    for wl, params, per in (("pingpong", "cap=0;messages=10000;pairs=1", 120),
                            ("spawnwait", "n=100000", 80)):
        for procs in (1, 2):
            for i, (pol, cap) in enumerate(SPIN):
                for rep in range(REPS):
                    lat = per * (1 + (0.8 if i == 0 else 0.05 * (4 - i)) * (procs - 1))
                    s.row(wl, params, pol, procs, rep, lat * 10000, 10000, extra="round_trips=10000"
                          if wl == "pingpong" else "", spin_cap=cap, spins=i * 1000,
                          spin_ns=int(i * 2e6 * procs), parks=(5 - i) * 500, wakeups=(5 - i) * 500)
    s.write()


def runnext():
    s = Synth("runnext", 3)
    for wl, params, per in (("pingpong", "cap=0;messages=10000;pairs=1", 60), ("spawnwait", "n=100000", 80)):
        for procs in (1, 2):
            for pol, rn, k in (("go", "on", 1.0), ("no-runnext", "off", 1.6)):
                for rep in range(REPS):
                    s.row(wl, params, pol, procs, rep, per * k * procs * 10000, 10000, runnext=rn,
                          extra="round_trips=10000" if wl == "pingpong" else "")
    s.write()


def sim_scaling():
    s = Synth("sim_scaling", 4)
    for name in ("fib", "uts", "matmul"):
        with open(os.path.join(SRC, name + ".csv"), newline="") as f:
            r0 = next(r for r in csv.DictReader(f) if r["rep"] == "-1" and r["policy"] == "go")
        kv = dict(p.split("=", 1) for p in r0["extra"].split(";"))
        t1, span = float(r0["wall_ns"]), float(kv["span_ns"])
        for pol, c1, cinf in (("go", 1.1, 2.0), ("cilk-like", 0.9, 1.5)):
            for p in (1, 2, 16, 256):
                s.row(r0["workload"], r0["params"], pol, p, 0, c1 * t1 / p + cinf * span,
                      r0["tasks"], runtime="sim", extra=f"sim_seed=1;span_ns={int(span)}")
    s.write()


def sim_spin():
    s = Synth("sim_spin", 5)
    for wl, params in (("fanout", "n=1000;waves=10"), ("spawnwait", "n=100000")):
        for p in (16, 256):
            for i, (pol, cap) in enumerate(SPIN):
                for rep in range(1):
                    s.row(wl, params, pol, p, rep, 1e7 * (1.5 if i == 0 else 1 + 0.02 * (4 - i)),
                          1000, runtime="sim", spin_cap=cap, spin_ns=int(i * 1e7 * p / 16))
    s.write()


def sim_numa():
    s = Synth("sim_numa", 6)
    for nodes in (2, 8):
        for pol, k in (("go", 1.2), ("numa", 1.0), ("numa-biased", 1.02), ("hierarchical", 1.05)):
            for pin, kp in (("none", 1.15), ("compact", 1.0)):
                for rep in range(1):
                    s.row("uts", "tree=T3", pol, nodes * 8, rep, 5e8 * k * kp * nodes / 8, 4112896,
                          runtime="sim", topology=f"{nodes}x8", pin=pin, remote_steal_ns=2000)
    s.write()


def sim_gc():
    s = Synth("sim_gc", 7)
    for p in (16, 256):
        for pol, gc in GC:
            for rep in range(1):
                s.row("spawnstorm", "n=1000000", pol, p, rep, 6e7 * (1 + (3 if gc == "every-1" else 0.1) * p / 256),
                      1000000, runtime="sim", global_check=gc, global_pulls=1000000 if gc == "every-1" else 24000)
    s.write()


def space():
    """peak_stacks (Cilk's S_P) on 1 and 2 Ps: made-up counts of the real shape (go's breadth
    holds thousands of stacks, cilk-like's depth-first order a handful)."""
    s = Synth("space", 8)
    bundles = (("go", {}, 1.0), ("cilk-like", dict(steal="one", runnext="off", local_order="lifo",
                                                  join="inline"), 0.0))
    for wl, params, tasks, wide in (("fib", "cutoff=0;n=30;spawn=one", 1346268, 20000),
                                    ("nqueens", "cutoff=0;n=12", 856188, 9000),
                                    ("uts", "g=1;tree=T1", 4130071, 50000)):
        for pol, cols, k in bundles:
            for procs in (1, 2):
                for rep in range(REPS):
                    peak = int(k * wide * (1 + 0.4 * (procs - 1)) * s.rng.uniform(0.98, 1.02)) \
                        if k else s.rng.randint(1, 3) + 2 * (procs - 1)
                    s.row(wl, params, pol, procs, rep, 4e7 / procs, tasks,
                          extra=f"peak_stacks={max(1, peak)}", **cols)
    s.write()


def main():
    os.makedirs(DST, exist_ok=True)
    for name in KEEP:
        trim(name)
    bench()
    for f in (starve, spin_sweep, runnext, space, sim_scaling, sim_spin, sim_numa, sim_gc):
        f()


if __name__ == "__main__":
    main()
