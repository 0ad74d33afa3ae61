#!/usr/bin/python3
"""Turn a Google Benchmark JSON of schedlab_bench (with --benchmark_repetitions) into a
Markdown table: the median and spread of each benchmark's headline figure, next to the target
from issue 2 where there is one. Usage: scripts/bench_table.py results/NAME/runtime_bench.json"""
import json
import re
import sys

# benchmark name (regex on the run name) -> (headline counter, unit, target or None, what)
HEADLINES = [
    (r"^BM_SpawnStorm/procs:1", "ns_per_G", "ns/G", 100, "spawn 10^6 Gs from one G, then wait"),
    (r"^BM_SpawnStorm/", "ns_per_G", "ns/G", None, "spawn 10^6 Gs from one G, then wait"),
    (r"^BM_SpawnThenWait/procs:1", "ns_per_iter", "ns/iter", 50, "go f(); <-done"),
    (r"^BM_PingPongUnbuffered/procs:1", "ns_per_round_trip", "ns", 80, "unbuffered ping-pong round trip"),
    (r"^BM_PingPongUnbuffered/procs:2", "ns_per_round_trip", "ns", 150, "unbuffered ping-pong round trip"),
    (r"^BM_PingPongBuffered/", "ns_per_round_trip", "ns", None, "buffered (cap 1) ping-pong round trip"),
    (r"^BM_Yield/", "ns_per_yield", "ns/yield", None, "yield (Gosched, through the global queue)"),
    (r"^BM_FibGPerCall/n:30/procs:1", "ns_per_G", "ns/G", 60, "fib(30), a G per call"),
    (r"^BM_FibGPerCall/n:30/procs:2", "ns_per_G", "ns/G", 40, "fib(30), a G per call (wall/Gs)"),
    (r"^BM_FibGPerCall/", "ns_per_G", "ns/G", None, "fib, a G per call"),
    (r"^BM_ParkedGsMemory/", "bytes_per_G", "B/G", 4608, "10^6 parked Gs, RSS"),
    (r"^BM_MachineComputeScaling", "aggregate_speedup", "x", None, "machine: 2 threads' compute speedup"),
    (r"^BM_MachineMemoryScaling", "aggregate_speedup", "x", None, "machine: 2 threads' pointer-chase speedup"),
]


def headline(run_name):
    for pattern, counter, unit, target, what in HEADLINES:
        if re.search(pattern, run_name):
            return counter, unit, target, what
    return None


def main(argv):
    if len(argv) != 2:
        print("usage: bench_table.py FILE.json", file=sys.stderr)
        return 2
    try:
        with open(argv[1]) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        print(f"bench_table: cannot read {argv[1]}: {e}", file=sys.stderr)
        return 2
    stats = {}  # run_name -> {aggregate: counters}
    order = []
    for b in data.get("benchmarks", []):
        if b.get("run_type") != "aggregate":
            continue
        name = b["run_name"]
        if name not in stats:
            stats[name] = {}
            order.append(name)
        stats[name][b["aggregate_name"]] = b
    ctx = data.get("context", {})
    reps = {stats[n]["median"].get("repetitions") for n in order if "median" in stats[n]}
    reps_s = "/".join(str(r) for r in sorted(r for r in reps if r is not None)) or "?"
    print(f"Host: {ctx.get('host_name', '?')}, {ctx.get('num_cpus', '?')} CPUs, "
          f"{ctx.get('date', '?')}; medians of {reps_s} repetitions; cv = stddev/mean.")
    print()
    print("| benchmark | figure | median | cv | target | met |")
    print("|---|---|---|---|---|---|")
    for name in order:
        h = headline(name)
        if h is None:
            continue
        counter, unit, target, what = h
        med = stats[name].get("median", {}).get(counter)
        cv = stats[name].get("cv", {}).get(counter)
        if med is None:
            continue
        cv_s = f"{100 * cv:.1f}%" if cv is not None else "-"
        tgt = f"<= {target}" if target is not None else "-"
        met = "-" if target is None else ("yes" if med <= target else "no")
        label = re.sub(r"/(iterations:\d+|manual_time|real_time)", "", name)
        print(f"| {label} ({what}) | {unit} | {med:.4g} | {cv_s} | {tgt} | {met} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
