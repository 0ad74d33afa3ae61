#!/usr/bin/env bash
# schedlab-go (peers/go) as the harness runs it: every workload at a small size on 1 and 2
# procs answers right, counts the same tasks and writes the same params as schedlab, the UTS
# trees have their published sizes, bad input is one line and exit status 2, a crashed run is
# exit status 1; then go vet and the Go unit tests (inputs identical to the C++ ones).
# Usage: go_test.sh path/to/schedlab-go [path/to/schedlab|""] [path/to/go peers/go-dir]
set -uo pipefail
SG=$1
SCHEDLAB=${2:-}
GO=${3:-}
SRC=${4:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
EXPECT_CMD=$SG
EXPECT_PREFIX="schedlab-go: "
# shellcheck source=../support/expect_error.sh
source "$(dirname "$0")/../support/expect_error.sh"  # fails, ok, bad, expect_error

HEADER='experiment,workload,params,policy,steal,global_check,spin_cap,runnext,victim,runtime,procs,rep,wall_ns,tasks,result_ok,seed,extra'

# Small cases: workload and params (';'-separated).
CASES=(
  "fib|n=18"
  "fib|n=18;spawn=both;cutoff=4"
  "nqueens|n=8"
  "nqueens|n=9;cutoff=3"
  "uts|tree=small"
  "uts|tree=custom;t=binomial;b=40;q=0.2;m=4;r=5"
  "uts|tree=custom;t=hybrid;d=8;b=3;g=2"
  "matmul|n=70;leaf=16"
  "cholesky|n=96;tile=16"
  "cholesky|n=40;tile=8;measure=1"
  "randdag|width=16;depth=8;grain=200"
  "spawnstorm|n=3000"
  "fanout|waves=3;n=200;grain=100"
  "pipeline|messages=2000;workers=3;cap=0"
  "pipeline|messages=2000;cap=2;grain=50"
  "pingpong|messages=2000;pairs=2"
  "pingpong|messages=500;cap=1;sample_every=1"
  "spawnwait|n=3000"
  "parked|n=2000"
  "blocking|blockers=3;calls=10;block_us=100;computers=2;grain=1000"
  "blocking|blockers=2;calls=10;block_us=50;dist=exp;call=pipe;mode=plain;computers=1;grain=1000"
  "fairness|hogs=2;hog_ms=20;chunk_us=100;probes=2;interval_us=500"
  "fairness|hogs=1;hog_ms=15;points=0;probes=1;interval_us=1000"
)

listed=$("$SG" list)
for w in fib nqueens uts matmul cholesky randdag spawnstorm fanout pipeline pingpong spawnwait parked starve blocking fairness; do
  printf '%s\n' "$listed" | grep -qx "$w" || bad "list lacks $w"
done
[ "$(printf '%s\n' "$listed" | wc -l)" -ge 15 ] && ok "list names every workload" || bad "list: $listed"

for c in "${CASES[@]}"; do
  w=${c%%|*}; p=${c#*|}
  for procs in 1 2; do
    out="$T/out.csv"
    if ! "$SG" run --workload "$w" --params "$p" --procs "$procs" --reps 2 --warmup 1 --seed 7 >"$out" 2>"$T/err"; then
      bad "$w $p procs=$procs: exit $? ($(cat "$T/err"))"; continue
    fi
    [ "$(head -1 "$out")" = "$HEADER" ] || bad "$w $p: header $(head -1 "$out")"
    rows=$(tail -n +2 "$out")
    [ "$(printf '%s\n' "$rows" | wc -l)" -eq 2 ] || { bad "$w $p procs=$procs: not 2 rows"; continue; }
    # Fields that do not depend on the run: 17 columns, NA policy columns, runtime, procs, rep, seed.
    shape=$(printf '%s\n' "$rows" | awk -F, '{print NF, $1 "|" $4 $5 $6 $7 $8 $9, $10, $11, $12, $16}')
    want=$(printf '17 |NANANANANANA go %s 0 7\n17 |NANANANANANA go %s 1 7' "$procs" "$procs")
    [ "$shape" = "$want" ] || bad "$w $p procs=$procs: columns $shape"
    if [ "$(printf '%s\n' "$rows" | cut -d, -f15 | sort -u)" = "1" ] && [ ! -s "$T/err" ]; then
      ok "$w $p procs=$procs: result_ok=1"
    else
      bad "$w $p procs=$procs: wrong answer: $(cat "$T/err")"
    fi
    [ "$(printf '%s\n' "$rows" | cut -d, -f14 | sort -u | wc -l)" -eq 1 ] || bad "$w $p: tasks differ between reps"
    printf '%s\n' "$rows" | head -1 >"$T/$w-$procs.row"
  done
  # The same params column and task count as schedlab's for the same parameters.
  if [ -n "$SCHEDLAB" ]; then
    args=()
    IFS=';' read -ra kvs <<<"$p"
    for kv in "${kvs[@]}"; do args+=(--param "$kv"); done
    if ! "$SCHEDLAB" run -w "$w" -p go -P 1 -r 1 --warmup 0 "${args[@]}" >"$T/c.csv" 2>"$T/cerr"; then
      bad "$w $p: schedlab failed: $(cat "$T/cerr")"; continue
    fi
    crow=$(tail -1 "$T/c.csv"); grow=$(cat "$T/$w-1.row")
    cp=$(cut -d, -f3 <<<"$crow"); gp=$(cut -d, -f3 <<<"$grow")
    ct=$(cut -d, -f14 <<<"$crow"); gt=$(cut -d, -f14 <<<"$grow")
    [ "$cp" = "$gp" ] && ok "$w $p: params column as schedlab's ($gp)" || bad "$w $p: params '$gp', schedlab '$cp'"
    [ "$ct" = "$gt" ] && ok "$w $p: $gt tasks, as schedlab" || bad "$w $p: $gt tasks, schedlab $ct"
    # The extra keys schedlab writes for it (pingpong's timings and matmul's error differ in value).
    # (peak_stacks and the blocking-call and preemption counts are the schedlab runtime's own,
    # like its counters.)
    keys() { tr ';' '\n' | grep -Ev '^$|^(peak_stacks|syscalls|handoffs|retakes|preempt_requests|preemptions)=' | cut -d= -f1 | tr '\n' ' '; }
    ck=$(awk -F, '{print $NF}' <<<"$crow" | keys)
    gk=$(awk -F, '{print $NF}' <<<"$grow" | keys)
    [ "$ck" = "$gk" ] || bad "$w $p: extra keys '$gk', schedlab '$ck'"
  fi
done

# UTS: the published sizes, through the parallel traversal (the small tree and T1).
"$SG" run --workload uts --params tree=small --procs 2 --reps 1 --warmup 0 >"$T/uts.csv" 2>&1
grep -q ',1,1,nodes=1732;leaves=1050;depth=6$' "$T/uts.csv" && ok "uts small: 1732 nodes, 1050 leaves" \
  || bad "uts small: $(tail -1 "$T/uts.csv")"
"$SG" run --workload uts --params tree=T1 --procs 2 --reps 1 --warmup 0 >"$T/t1.csv" 2>&1
grep -q ',4130070,1,1,nodes=4130071;leaves=3305118;depth=10$' "$T/t1.csv" \
  && ok "uts T1: 4130071 nodes, 3305118 leaves, depth 10, 4130070 tasks" || bad "uts T1: $(tail -1 "$T/t1.csv")"

# Bad input: exit 2, one line starting "schedlab-go: ".
expect_error "no command" "no command"
expect_error "unknown command" "did you mean 'run'" runn
expect_error "unknown workload" "did you mean 'fib'" run --workload fibb
expect_error "missing workload" "--workload is required" run --procs 1
expect_error "unknown option" "unrecognised option" run --workload fib --frobnicate 1
expect_error "unknown parameter" "did you mean 'cutoff'" run --workload fib --params 'cutof=3'
expect_error "out of range" "out of range [0, 60]" run --workload fib --params 'n=61'
expect_error "not an integer" "is not an integer" run --workload nqueens --params 'n=+8'
expect_error "not key=value" "is not key=value" run --workload fib --params 'n'
expect_error "bad choice" "is not one of: one, both" run --workload fib --params 'spawn=three'
expect_error "preset fixes the tree" "is fixed by tree=T1" run --workload uts --params 'b=3'
expect_error "randdag fanin" "is more than width" run --workload randdag --params 'width=2;fanin=3'
expect_error "negative duration" "block_us=-5 is out of range" run --workload blocking --params 'block_us=-5'
expect_error "unknown distribution" "is not one of: fixed, uniform, exp" run --workload blocking --params 'dist=normal'
expect_error "unknown mode" "is not one of: blocking, handoff, plain" run --workload blocking --params 'mode=async'
expect_error "fairness points" "is not a boolean" run --workload fairness --params 'points=2'
expect_error "procs 0" "out of range" run --workload fib --procs 0
expect_error "procs too many" "out of range" run --workload fib --procs 1025
expect_error "reps 0" "out of range" run --workload fib --reps 0
expect_error "seed not a number" "is not a number" run --workload fib --seed x

# A crash is exit status 1, not Go's 2 (which would read as bad input): a SIGSEGV sent to the
# running child makes the Go runtime abort with status 2.
"$SG" run --workload fib --params n=50 --procs 1 --reps 1 --warmup 0 >/dev/null 2>"$T/crash" &
pid=$!
child=""
for _ in $(seq 50); do
  child=$(pgrep -P "$pid" | head -1)
  [ -n "$child" ] && break
  sleep 0.1
done
if [ -n "$child" ]; then
  sleep 0.2
  kill -SEGV "$child"
  wait "$pid"; rc=$?
  [ $rc -eq 1 ] && ok "a crashed run exits 1" || bad "a crashed run exits $rc"
else
  kill "$pid"; wait "$pid"
  bad "no child process to crash"
fi

if [ -n "$GO" ]; then
  export GOCACHE="${GOCACHE:-$T/go-cache}" GOPATH="${GOPATH:-$T/go-path}" GOFLAGS=-mod=mod GOPROXY=off CGO_ENABLED=0
  (cd "$SRC" && "$GO" vet .) >"$T/vet" 2>&1 && ok "go vet" || bad "go vet: $(cat "$T/vet")"
  GOFMT="$("$GO" env GOROOT)/bin/gofmt"
  [ -z "$(cd "$SRC" && "$GOFMT" -l . 2>&1)" ] && ok "gofmt" || bad "gofmt: $(cd "$SRC" && "$GOFMT" -l . 2>&1)"
  (cd "$SRC" && "$GO" test -short -count=1 .) >"$T/gotest" 2>&1 && ok "go test -short (inputs as in C++, UTS T1 serial)" \
    || bad "go test: $(cat "$T/gotest")"
fi

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
