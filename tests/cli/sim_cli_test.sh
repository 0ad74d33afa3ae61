#!/usr/bin/env bash
# `schedlab sim` and `schedlab calibrate` as a user runs them: the same columns as `schedlab
# run` with runtime=sim, the same file bit for bit from the same command, bad input one line and
# exit 2, nothing clobbered, and a calibrated cost file that sim reads back.
# Usage: sim_cli_test.sh path/to/schedlab
set -uo pipefail
SCHEDLAB=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
EXPECT_CMD=$SCHEDLAB
# shellcheck source=../support/expect_error.sh
source "$(dirname "$0")/../support/expect_error.sh"  # fails, ok, bad, expect_error

expect_error "workload without a graph" "simulator cannot run pipeline" sim -w pipeline -P 2
expect_error "blocking calls are not simulated" "simulator cannot run blocking" sim -w blocking -P 2
expect_error "preemption is not simulated" "simulator cannot run fairness" sim -w fairness -P 2
expect_error "timers are not simulated" "simulator cannot run timers" sim -w timers -P 2
expect_error "pingpong too big to simulate" "too many to simulate" sim -w pingpong -P 2 --param pairs=1000 --param messages=100000
expect_error "unknown workload" "did you mean 'fib'" sim -w fibb -P 2
expect_error "unknown policy" "did you mean 'cilk-like'" sim -w fib -p cilk-lik -P 2
expect_error "sweep policy not simulated" "not compiled into the simulator" sim -w fib -p go+gc=7 -P 2
expect_error "unknown parameter" "did you mean 'cutoff'" sim -w fib -P 2 --param cutof=3
expect_error "fib too big to simulate" "out of range" sim -w fib -P 2 --param n=50
expect_error "topology too small" "fewer than procs" sim -w fib -P 256 --topology 2x32
expect_error "bad topology" "is not flat, machine" sim -w fib -P 2 --topology 2y2
expect_error "procs 0" "out of range" sim -w fib -P 0
printf 'spawn_ns = 3\nswitch_nz = 4\n' > "$T/bad.txt"
expect_error "bad cost file" "unknown key 'switch_nz'" sim -w fib -P 2 --costs "$T/bad.txt"
expect_error "missing cost file" "cannot read" sim -w fib -P 2 --costs "$T/none.txt"

# Same columns as run; runtime=sim; every simulated run checks out; the counters are filled.
a="$T/a.csv"
if "$SCHEDLAB" sim -w fib -p go,cilk-like -P 1,2,64 --param n=16 --param spawn=both -r 2 -o "$a" 2>"$T/log"; then
  ok "sim writes $a"
else
  bad "sim failed: $(cat "$T/log")"
fi
"$SCHEDLAB" run -w fib -P 1 --param n=5 -r 1 --warmup 0 -o "$T/run.csv" 2>/dev/null
[ "$(head -1 "$a")" = "$(head -1 "$T/run.csv")" ] && ok "the same header as schedlab run" || bad "header: $(head -1 "$a")"
[ "$(tail -n +2 "$a" | wc -l)" -eq 12 ] && ok "2 policies x 3 procs x 2 reps = 12 rows" || bad "rows: $(tail -n +2 "$a" | wc -l)"
[ "$(tail -n +2 "$a" | cut -d, -f10 | sort -u)" = "sim" ] && ok "runtime=sim" || bad "runtime column"
[ "$(tail -n +2 "$a" | cut -d, -f15 | sort -u)" = "1" ] && ok "every simulated run checks out" || bad "result_ok not all 1"
[ "$(tail -n +2 "$a" | cut -d, -f14 | sort -u)" = "3192" ] && ok "fib(16) spawn=both: 3192 tasks, as the real run" \
  || bad "tasks: $(tail -n +2 "$a" | cut -d, -f14 | sort -u)"
[ "$(awk -F, 'NR > 1 && $11 == 64 && $21 > 0' "$a" | wc -l)" -ge 1 ] && ok "steals counted at 64 Ps" || bad "no steals at 64 Ps"
grep -q '"runtime":"sim"' "$a.meta.json" && grep -q '"switch_ns"' "$a.meta.json" && ok "meta.json records the costs" \
  || bad "meta.json: $(head -c 300 "$a.meta.json")"

# Deterministic: the same command again gives the same CSV, bit for bit (uts and randdag too).
b="$T/b.csv"
"$SCHEDLAB" sim -w fib -p go,cilk-like -P 1,2,64 --param n=16 --param spawn=both -r 2 -o "$b" 2>/dev/null
cmp -s "$a" "$b" && ok "same command, same CSV" || bad "the CSVs differ: $(diff "$a" "$b" | head -4)"
for w in "uts --param tree=small" "randdag --param width=16 --param depth=16 --param grain=100" \
         "cholesky --param n=512" "spawnstorm --param n=5000" "fanout --param waves=3 --param n=500" \
         "pingpong --param pairs=3 --param messages=2000" "spawnwait --param n=3000" \
         "nqueens --param n=8" "matmul --param n=100 --param leaf=16"; do
  # shellcheck disable=SC2086
  "$SCHEDLAB" sim -w $w -p all -P 1,2,16 --topology 2x8 -r 2 > "$T/x1" 2>"$T/log" || bad "sim $w: $(cat "$T/log")"
  # shellcheck disable=SC2086
  "$SCHEDLAB" sim -w $w -p all -P 1,2,16 --topology 2x8 -r 2 > "$T/x2" 2>/dev/null
  if cmp -s "$T/x1" "$T/x2" && [ "$(tail -n +2 "$T/x1" | cut -d, -f15 | sort -u)" = "1" ]; then
    ok "sim $w: deterministic, checks out"
  else
    bad "sim $w: not deterministic or not ok"
  fi
done
# The simulated graphs have exactly the real runs' tasks.
for w in "nqueens --param n=8" "nqueens --param n=10 --param cutoff=3" "matmul --param n=100 --param leaf=16" \
         "uts --param tree=small" "fanout --param waves=2 --param n=300"; do
  # shellcheck disable=SC2086
  st=$("$SCHEDLAB" sim -w $w -P 2 -r 1 2>/dev/null | tail -1 | cut -d, -f14)
  # shellcheck disable=SC2086
  rt=$("$SCHEDLAB" run -w $w -P 2 -r 1 --warmup 0 2>/dev/null | tail -1 | cut -d, -f14)
  [ -n "$st" ] && [ "$st" = "$rt" ] && ok "sim $w: $st tasks, as the real run" || bad "sim $w: $st tasks, real $rt"
done
[ "$(awk -F, 'NR > 1 && $11 == 16 && $4 == "numa" && $22 > 0' "$T/x1" | wc -l)" -ge 1 ] \
  && ok "remote steal attempts on 2x8" || bad "no remote steal attempts counted"

# Never clobbered; --append adds only what is missing.
sum=$(md5sum < "$a")
expect_error "refuses to overwrite" "refusing to overwrite" sim -w fib -P 1 --param n=16 -o "$a"
[ "$(md5sum < "$a")" = "$sum" ] && ok "file untouched after refusal" || bad "file changed"
"$SCHEDLAB" sim -w fib -p go,cilk-like -P 1,2,64,256 --param n=16 --param spawn=both -r 2 -o "$a" --append 2>/dev/null
[ "$(tail -n +2 "$a" | wc -l)" -eq 16 ] && ok "append adds procs=256 only (16 rows)" || bad "rows after append: $(tail -n +2 "$a" | wc -l)"

"$SCHEDLAB" list workloads | grep -q "^simulator (schedlab sim): .*fib" && ok "list shows what sim runs" || bad "list workloads"

# calibrate: a cost file sim reads; never over an existing file.
c="$T/costs.txt"
if "$SCHEDLAB" calibrate --out "$c" --reps 1 --gs 2000 >/dev/null 2>"$T/log"; then ok "calibrate writes $c"; else bad "calibrate: $(cat "$T/log")"; fi
grep -q "^# cpu: " "$c" && grep -q "^switch_ns = [0-9]" "$c" && ok "cost file has its header and keys" || bad "cost file: $(head -5 "$c")"
grep -B1 "^pause_jitter_ns = [0-9]" "$c" | grep -q "^# measured: 4 x median absolute deviation" \
  && ok "calibrate measures the drift over a runnext-steal pause" || bad "pause_jitter_ns: $(grep -B1 pause_jitter "$c")"
grep -B1 "^fresh_g_ns = [0-9]" "$c" | grep -q "^# measured: spawn storm per G - spawn" \
  && grep -B1 "^chan_op_ns = [0-9]" "$c" | grep -q "^# measured: (spawnwait round - spawn+join) / 2" \
  && grep -q "^#   yield [0-9.]* ns, ring pop" "$c" \
  && ok "calibrate solves spawn, fresh_g and chan_op from the spawnwait loop and the storm" \
  || bad "fresh_g_ns/chan_op_ns: $(grep -B1 'fresh_g_ns\|chan_op_ns' "$c")"
# shared_put_ns: from the spawn+join loop on 2 Ps with the other P busy when that was measured
# (a line says how much more it took, -1 if not: one CPU, or the loop lost its P), else the CAS.
extra=$(sed -n 's/^#   spawn+join on 2 Ps, the other busy, \(-\{0,1\}[0-9.]*\) ns more than on 1 P.*/\1/p' "$c")
how=$(grep -B1 "^shared_put_ns = [0-9]" "$c" | head -1)
if [ -z "$extra" ]; then bad "cost file lacks the 2-P spawn+join line: $(grep -A1 'runnext CAS' "$c")"
elif [ "$extra" = "-1.0" ]; then
  [ "$how" = "# measured: LocalRunQueue::swap_runnext shared (CAS) less unshared" ] \
    && ok "shared_put_ns falls back to the CAS where the 2-P loop was not measured" || bad "shared_put_ns: $how"
else
  [ "$how" = "# measured: (spawn+join on 2 Ps with the other P busy - spawn+join on 1 P) / 2" ] \
    && ok "shared_put_ns from the 2-P spawn+join loop ($extra ns more than on 1 P)" || bad "shared_put_ns: $how"
fi
"$SCHEDLAB" sim -w fib -P 2 --param n=12 --costs "$c" > /dev/null 2>"$T/log" && ok "sim reads the calibrated costs" \
  || bad "sim --costs: $(cat "$T/log")"
grep -q "^# one-thread figures measured on any CPU; CPU speeds, ns per step of a load-add-store loop / per dependent load over 64 MiB: cpu[0-9]* [0-9.]*/[0-9]" "$c" \
  && ok "cost file names the CPU and each CPU's speed" || bad "cost file CPU line: $(grep one-thread "$c")"
"$SCHEDLAB" calibrate --out "$T/pinned.txt" --cpu fastest --reps 1 --gs 2000 >/dev/null 2>"$T/log" \
  && grep -q "^# one-thread figures measured on CPU [0-9]*;" "$T/pinned.txt" && ok "calibrate --cpu fastest names its CPU" \
  || bad "calibrate --cpu fastest: $(cat "$T/log")"
speeds=$("$SCHEDLAB" calibrate --cpu-speeds 2>"$T/log")
# The round trip to the next CPU: positive with two or more, -1 with one.
[ "$(echo "$speeds" | head -1)" = "cpu,loop_step_ns,mem_load_ns,pair_rtt_ns" ] \
  && [ "$(echo "$speeds" | tail -n +2 | wc -l)" -eq "$(nproc)" ] \
  && echo "$speeds" | tail -n +2 | awk -F, -v n="$(nproc)" \
       'NF != 4 || $2 <= 0 || $3 <= 0 || (n > 1 && $4 <= 0) || (n == 1 && $4 != -1) { exit 1 }' \
  && ok "calibrate --cpu-speeds: one line per CPU, all three figures" || bad "cpu-speeds: $speeds"
expect_error "calibrate on a CPU that is not there" "--cpu must be 'none', 'fastest' or a CPU" \
  calibrate --out "$T/c9.txt" --cpu 4096
expect_error "calibrate --cpu not a number" "--cpu must be" calibrate --out "$T/c9.txt" --cpu 1x
[ ! -e "$T/c9.txt" ] && ok "no cost file after a bad --cpu" || bad "bad --cpu left $T/c9.txt"
sum=$(md5sum < "$c")
expect_error "calibrate refuses to overwrite" "refusing to overwrite" calibrate --out "$c"
[ "$(md5sum < "$c")" = "$sum" ] && ok "cost file untouched" || bad "cost file changed"

if [ $fails -ne 0 ]; then echo "$fails failed"; exit 1; fi
echo "all passed"
