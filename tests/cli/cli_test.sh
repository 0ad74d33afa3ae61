#!/usr/bin/env bash
# The schedlab command as a user runs it: bad input gives one line and exit status 2, results
# are never clobbered or duplicated, an interrupted sweep resumes, summarize reads the output.
# Usage: cli_test.sh path/to/schedlab
set -uo pipefail
SCHEDLAB=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
EXPECT_CMD=$SCHEDLAB
# shellcheck source=../support/expect_error.sh
source "$(dirname "$0")/../support/expect_error.sh"  # fails, ok, bad, expect_error

expect_error "unknown command" "did you mean 'sweep'" swep
expect_error "unknown policy" "did you mean 'cilk-like'" run -w fib -p cilk-lik -P 1
expect_error "unknown workload" "did you mean 'fib'" run -w fibb -P 1
expect_error "procs 0" "out of range" run -w fib -P 0
expect_error "procs too many" "out of range" run -w fib -P 5000
expect_error "procs not a number" "is not a number" run -w fib -P two
expect_error "reps 0" "--reps must be" run -w fib -P 1 -r 0
expect_error "rounds over reps" "--rounds must be" sweep -w fib -P 1 -r 2 --rounds 3
expect_error "spin sweep not in the simulator by another name" "unknown policy" sim -w fib -p sweep:spinn -P 4
expect_error "unknown parameter" "did you mean 'cutoff'" run -w fib -P 1 --param cutof=3
expect_error "negative size" "out of range" run -w fib -P 1 --param n=-4
expect_error "negative duration" "block_us=-1 is out of range" run -w blocking -P 1 --param block_us=-1
expect_error "unknown distribution" "is not one of: fixed, uniform, exp" run -w blocking -P 1 --param dist=normal
expect_error "timers: max below min" "max_us must be at least min_us" run -w timers -P 1 --param min_us=50 --param max_us=10
expect_error "timers: negative count" "gs=-5 is out of range" run -w timers -P 1 --param gs=-5
expect_error "not k=v" "is not k=v" run -w fib -P 1 --param n
expect_error "unknown option" "unrecognised option" run -w fib --frobnicate
expect_error "unwritable path" "does not exist" run -w fib -P 1 --param n=10 -o /nonexistent/dir/x.csv
expect_error "bad topology" "is not flat, machine" run -w fib -P 1 --topology 2y2
expect_error "bad pinning" "is not none, compact" run -w fib -P 1 --pin sideways
expect_error "bad memory node" "cannot bind memory to node 77" run -w fib -P 1 --membind 77
expect_error "missing workload" "--workload is required" run -P 1
# Boost 1.74 loops forever quoting a value that holds its own placeholder: we quote it safely.
expect_error "a placeholder in a bad value" "the argument ('%25value%25') for option '--reps' is invalid" run -w fib -P 1 --reps %value%
expect_error "a placeholder in an experiment file" "hang-value-placeholder: the argument ('0 = f %25value%25'')" sweep --config "$(dirname "$0")/../fuzz/corpus/config/hang-value-placeholder"
expect_error "resume nothing" "nothing to resume" run -w fib -P 1 -o "$T/none.csv" --resume
expect_error "list topic" "did you mean 'workloads'" list workload
expect_error "summarize missing file" "cannot read" summarize "$T/missing.csv"

# A run writes the CSV with DESIGN.md's columns first, and a metadata sidecar.
out="$T/fib.csv"
if "$SCHEDLAB" run -w fib -p go,cilk-like -P 1,2 --param n=12 -r 3 --warmup 0 -o "$out" 2>"$T/log"; then
  ok "run writes $out"
else
  bad "run failed: $(cat "$T/log")"
fi
head -1 "$out" | grep -q '^experiment,workload,params,policy,steal,global_check,spin_cap,runnext,victim,runtime,procs,rep,wall_ns,tasks,result_ok,gs_run,' \
  && ok "header starts with the design's columns" || bad "header: $(head -1 "$out")"
[ "$(tail -n +2 "$out" | wc -l)" -eq 12 ] && ok "2 policies x 2 procs x 3 reps = 12 rows" || bad "rows: $(tail -n +2 "$out" | wc -l)"
[ "$(tail -n +2 "$out" | cut -d, -f15 | sort -u)" = "1" ] && ok "every answer checked out" || bad "result_ok not all 1"
grep -q '"git_commit"' "$out.meta.json" && grep -q '"placements"' "$out.meta.json" \
  && ok "meta.json sidecar" || bad "meta.json missing or incomplete"
[ ! -e "$out.partial" ] && ok "no partial file left" || bad "partial file left behind"

# A preset's params column lists the keys the workload reads, in run and in sim alike.
for cmd in "run -w uts --param tree=small -P 1 -r 1 --warmup 0" "sim -w uts --param tree=small -P 2"; do
  # shellcheck disable=SC2086
  got=$("$SCHEDLAB" $cmd 2>/dev/null | tail -n +2 | cut -d, -f3 | sort -u)
  [ "$got" = "g=1;tree=small" ] && ok "${cmd%% *}: uts preset params column" || bad "${cmd%% *}: uts params column: $got"
done

# Never clobbered: the same command refuses and leaves the file as it was.
sum=$(md5sum < "$out")
expect_error "refuses to overwrite" "refusing to overwrite" run -w fib -P 1 --param n=12 -r 3 -o "$out"
[ "$(md5sum < "$out")" = "$sum" ] && ok "file untouched after refusal" || bad "file changed"

# --append adds only rows that are not there yet.
"$SCHEDLAB" run -w fib -p go,cilk-like -P 1,2,3 --param n=12 -r 3 --warmup 0 -o "$out" --append 2>/dev/null
[ "$(tail -n +2 "$out" | wc -l)" -eq 18 ] && ok "append adds procs=3 only (18 rows)" || bad "rows after append: $(tail -n +2 "$out" | wc -l)"
[ "$(tail -n +2 "$out" | cut -d, -f1-12 | sort | uniq -d | wc -l)" -eq 0 ] && ok "no duplicate rows" || bad "duplicates after append"
[ "$(grep -c '"command"' "$out.meta.json")" -eq 2 ] && ok "meta.json keeps both runs" || bad "meta runs: $(grep -c '"command"' "$out.meta.json")"

# Resume after a torn write: the last line half written, as kill -9 can leave it.
torn="$T/torn.csv"
"$SCHEDLAB" sweep -w fib -p go -P 1,2 --param n=10,11 -r 4 --warmup 0 -o "$torn" 2>/dev/null
full_rows=$(tail -n +2 "$torn" | sort | cut -d, -f1-12)
mv "$torn" "$torn.partial"; rm -f "$torn.meta.json"
head -c -40 "$torn.partial" > "$T/cut" && mv "$T/cut" "$torn.partial"
"$SCHEDLAB" sweep -w fib -p go -P 1,2 --param n=10,11 -r 4 --warmup 0 -o "$torn" --resume 2>/dev/null
[ "$(tail -n +2 "$torn" | sort | cut -d, -f1-12)" = "$full_rows" ] && ok "resume after a torn line: every row once" \
  || bad "resume after torn line: rows differ"

# A real kill -9 in the middle of a sweep, then --resume.
killed="$T/killed.csv"
"$SCHEDLAB" sweep -w fib -p go,no-runnext -P 1,2 --param n=8,9 -r 300 --warmup 0 -o "$killed" 2>/dev/null &
pid=$!
for _ in $(seq 100); do [ -s "$killed.partial" ] && [ "$(wc -l < "$killed.partial")" -gt 20 ] && break; sleep 0.05; done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
if [ -e "$killed" ]; then
  bad "the sweep finished before it could be killed (make it longer)"
else
  before=$(($(wc -l < "$killed.partial") - 1))
  "$SCHEDLAB" sweep -w fib -p go,no-runnext -P 1,2 --param n=8,9 -r 300 --warmup 0 -o "$killed" --resume 2>/dev/null
  rows=$(tail -n +2 "$killed" | wc -l)
  uniq_rows=$(tail -n +2 "$killed" | cut -d, -f1-12 | sort -u | wc -l)
  [ "$rows" -eq 2400 ] && [ "$uniq_rows" -eq 2400 ] && ok "kill -9 after ~$before rows, resume: 2400 rows, none twice" \
    || bad "after kill -9 and resume: $rows rows, $uniq_rows distinct"
fi

# An experiment file for sweep.
cat > "$T/exp.cfg" <<CFG
workload = fib
policy = sweep:steal
procs = 1,2
param = n=11
reps = 2
warmup = 0
experiment = steal-sweep
CFG
"$SCHEDLAB" sweep --config "$T/exp.cfg" -o "$T/cfg.csv" 2>/dev/null
npol=$(tail -n +2 "$T/cfg.csv" | cut -d, -f4 | sort -u | wc -l)
[ "$npol" -ge 2 ] && grep -q '^steal-sweep,' "$T/cfg.csv" && ok "sweep --config: $npol steal points" || bad "config sweep: $npol policies"

# The simulator's sidecar is JSON (the cost model's name once was quoted twice).
"$SCHEDLAB" sim -w fib --param n=10 -P 2 -o "$T/sim.csv" 2>/dev/null
/usr/bin/python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/sim.csv.meta.json" 2>/dev/null \
  && ok "sim writes a sidecar that parses as JSON" || bad "sim sidecar is not JSON"

# Rounds interleave the configurations: rep 0 of each, then rep 1 of each.
"$SCHEDLAB" sweep -w fib --param n=10 -p go,no-runnext -P 1 -r 2 --rounds 2 --warmup 0 -o "$T/rounds.csv" 2>/dev/null
order=$(tail -n +2 "$T/rounds.csv" | cut -d, -f4,12 | tr '\n' ' ')
[ "$order" = "go,0 no-runnext,0 go,1 no-runnext,1 " ] && ok "sweep --rounds 2 interleaves the policies" || bad "rounds order: $order"

# summarize reads what run wrote.
if "$SCHEDLAB" summarize "$out" > "$T/summary" 2>&1 && grep -q "speedup" "$T/summary" && grep -q "cilk-like" "$T/summary"; then
  ok "summarize"
else
  bad "summarize: $(head -5 "$T/summary")"
fi
# Other runtimes: the same workload on the serial elision and the plain-thread peer, in the
# same CSV as schedlab's rows; the peers' rows have no policy and no counters.
expect_error "unknown runtime" "did you mean 'threads'" run -w fib -P 1 --runtime thread
expect_error "placement with a peer" "apply to the schedlab runtime only" run -w fib -P 1 --runtime schedlab,serial --topology 1x1
peers="$T/peers.csv"
if "$SCHEDLAB" run -w fib -p go -P 1,2 --param n=14 -r 3 --warmup 0 --work-span --runtime schedlab,threads,serial -o "$peers" 2>"$T/log"; then
  ok "run --runtime schedlab,threads,serial"
else
  bad "run --runtime failed: $(cat "$T/log")"
fi
grep -q "serial runs on at most 1 proc" "$T/log" && ok "serial at 2 procs is left out with a note" || bad "no note for serial at 2 procs: $(cat "$T/log")"
# schedlab: 2 procs x 3 reps + the work-span row; threads: 2 x 3; serial: 1 x 3.
[ "$(tail -n +2 "$peers" | wc -l)" -eq 16 ] && ok "16 rows (7 schedlab, 6 threads, 3 serial)" || bad "peer rows: $(tail -n +2 "$peers" | wc -l)"
[ "$(awk -F, '$10 != "schedlab"' "$peers" | tail -n +2 | cut -d, -f4-9 | sort -u)" = "NA,NA,NA,NA,NA,NA" ] \
  && ok "a peer's policy columns read NA" || bad "peer policy columns: $(awk -F, '$10 == "serial"' "$peers" | head -1)"
[ "$(awk -F, '$10 == "threads" {print $16}' "$peers" | sort -u)" = "" ] && ok "a peer's counter cells are empty" \
  || bad "peer counters: $(awk -F, '$10 == "threads"' "$peers" | head -1)"
[ "$(awk -F, 'NR > 1 && $12 >= 0 {print $14}' "$peers" | sort -u)" = "609" ] && ok "every runtime ran fib(14)'s 609 tasks" \
  || bad "tasks differ between runtimes: $(awk -F, 'NR > 1 {print $10, $14}' "$peers" | sort -u)"
if "$SCHEDLAB" summarize "$peers" > "$T/psum" 2>&1 && grep -q "Cilk table" "$T/psum" \
   && awk '/Cilk table/ {t = 1} t && $1 == "fib" && $3 == "go" && $4 != "-" {found = 1} END {exit !found}' "$T/psum"; then
  ok "summarize puts the serial elision's Ts in the Cilk table"
  grep -q "peer threads" "$T/psum" && ok "summarize names a peer's rows 'peer <runtime>'" || bad "no 'peer threads' rows: $(cat "$T/psum")"
else
  bad "summarize with serial rows: $(cat "$T/psum")"
fi
if "$SCHEDLAB" list runtimes | grep -q "^  serial"; then ok "list runtimes shows serial"; else bad "list runtimes"; fi

# The memory bound: a configuration that would pass it is stopped with one line and recorded as
# failed; the sweep's other rows are written, the exit status is 2, and a resume skips it.
mem=$T/mem.csv
"$SCHEDLAB" sweep -w fib,nqueens --param n=10,18 -P 1 -r 1 --warmup 0 --max-memory 1G -o "$mem" 2> "$T/mem.err"
st=$?
[ $st -eq 2 ] && ok "over the memory bound: exit 2" || bad "over the memory bound: exit $st"
grep -q "nqueens cutoff=0;n=18 go procs=1: the process reached .* over the 1.0 GiB memory limit; use smaller parameters" "$T/mem.err" \
  && ok "over the memory bound: one line naming the configuration" || bad "memory message: $(cat "$T/mem.err")"
[ "$(grep -c '^[^,]*,fib,' "$mem")" -eq 2 ] && [ "$(grep -c '^[^,]*,nqueens,.*n=10,' "$mem")" -eq 1 ] \
  && ok "over the memory bound: the other configurations' rows are written" || bad "rows: $(cut -c1-60 "$mem")"
grep -q '^[^,]*,nqueens,.*n=18,.*"failed=the process reached' "$mem" && ok "the failed configuration has a failed= row" \
  || bad "no failed row: $(cat "$mem")"
"$SCHEDLAB" summarize "$mem" > /dev/null 2>&1 && ok "summarize reads a CSV with a failed row" || bad "summarize fails on a failed row"
grep -v '^[^,]*,fib,cutoff=0;n=18' "$mem" > "$T/mem2.csv.partial"
"$SCHEDLAB" sweep -w fib,nqueens --param n=10,18 -P 1 -r 1 --warmup 0 --max-memory 1G -o "$T/mem2.csv" --resume 2> "$T/mem2.err"
grep -q "failed before (its row's extra says why); skipped" "$T/mem2.err" && [ "$(grep -c '^' "$T/mem2.csv")" -eq 5 ] \
  && ok "resume skips a configuration that failed over the memory bound" || bad "resume: $(cat "$T/mem2.err")"
# A configuration whose process dies of a signal (each runs in a child process by default):
# its rows so far stay, the rep it was in gets a failed row naming the signal, the next
# configuration runs, and a resume skips it. The child is sent SIGSEGV from outside, as a crash
# in a workload would end it.
crash="$T/crash.csv"
"$SCHEDLAB" sweep -w fib -p go,no-runnext -P 1 --param n=8 -r 3000 --warmup 0 -o "$crash" 2> "$T/crash.err" &
pid=$!
for _ in $(seq 200); do [ -s "$crash.partial" ] && [ "$(wc -l < "$crash.partial")" -gt 20 ] && break; sleep 0.05; done
kill -SEGV "$(pgrep -P $pid | head -1)" 2>/dev/null
wait $pid
st=$?
if [ "$(grep -c '^' "$crash")" -gt 3000 ]; then
  [ $st -eq 1 ] && grep -q "go procs=1: killed by signal 11 (SIGSEGV, Segmentation fault); recorded as failed" "$T/crash.err"     && ok "a crashed configuration: exit 1 and one line naming it" || bad "crash: exit $st, $(cat "$T/crash.err")"
  [ "$(grep -c ',no-runnext,' "$crash")" -eq 3000 ] && [ "$(grep -c '"failed=killed by signal 11' "$crash")" -eq 1 ] \
    && ok "a crashed configuration: a failed row, its earlier rows and the next configuration's kept" \
    || bad "crash rows: $(grep -c ',go,' "$crash") go, $(grep -c ',no-runnext,' "$crash") no-runnext"
  grep -v ',no-runnext,' "$crash" > "$T/crash2.csv.partial"
  "$SCHEDLAB" sweep -w fib -p go,no-runnext -P 1 --param n=8 -r 3000 --warmup 0 -o "$T/crash2.csv" --resume 2> "$T/crash2.err"
  grep -q "fib cutoff=0;n=8;spawn=one go procs=1 failed before" "$T/crash2.err" && [ "$(grep -c ',no-runnext,' "$T/crash2.csv")" -eq 3000 ] \
    && ok "resume skips a crashed configuration" || bad "resume after a crash: $(cat "$T/crash2.err")"
else
  bad "the crash sweep has $(grep -c '^' "$crash" 2>/dev/null) lines (exit $st): $(cat "$T/crash.err")"
fi
"$SCHEDLAB" run -w fib -P 1 --param n=10 -r 1 --isolate=false > /dev/null 2>&1 && ok "--isolate=false runs in-process" \
  || bad "--isolate=false"
expect_error "bad --isolate" "isolate" run -w fib -P 1 --isolate=maybe
expect_error "bad --max-memory" "bad memory size '12X'" run -w fib -P 1 --max-memory 12X
expect_error "--retry-failed alone" "--retry-failed goes with --resume" run -w fib -P 1 --retry-failed
# --schedtrace: lines on stderr while a run goes on (isolated: the child's stderr), the CSV unchanged
"$SCHEDLAB" run -w fib -P 2 --param n=30 -r 1 --warmup 0 --schedtrace 5 --scheddetail > "$T/trace.csv" 2> "$T/trace.err"
if grep -Eq '^SCHED [0-9]+ms: procs=2 idleprocs=[0-2] threads=[0-9]+ spinningthreads=[0-9]+ idlethreads=[0-9]+ syscallprocs=[0-2] runqueue=[0-9]+ \[[0-9]+ [0-9]+\]$' "$T/trace.err" \
   && grep -Eq '^  P1: status=(running|syscall|idle) schedtick=[0-9]+ ' "$T/trace.err" && [ "$(grep -c '^fib,' "$T/trace.csv")" -eq 1 ]; then
  ok "--schedtrace prints Go-style lines, --scheddetail one per P"
else
  bad "--schedtrace: $(head -3 "$T/trace.err")"
fi
expect_error "--scheddetail alone" "--scheddetail needs --schedtrace" run -w fib -P 1 --scheddetail
expect_error "--schedtrace too long" "--schedtrace must be between" run -w fib -P 1 --schedtrace 9999999
expect_error "--schedtrace on a peer only" "apply to the schedlab runtime only" run -w fib -P 1 --runtime serial --schedtrace 10

echo "x,y" > "$T/foreign.csv"; echo "1,2" >> "$T/foreign.csv"
expect_error "summarize a foreign CSV" "is not a schedlab CSV" summarize "$T/foreign.csv"

if [ $fails -ne 0 ]; then echo "$fails failed"; exit 1; fi
echo "all passed"
