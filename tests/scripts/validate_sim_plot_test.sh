#!/usr/bin/env bash
# scripts/validate_sim_plot.py as scripts/validate_sim runs it, on a slice of a real validation
# (tests/scripts/fixture/validation: the fib and randdag rows of the 2026-11-23 run, in git history
# as results/2026-11-23-third/sim_validation): the side-by-side CSV with the medians and errors,
# medians and errors, the figure, and the CPU-speed line when cpu_speeds.csv is there.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SRC=$ROOT/tests/scripts/fixture/validation
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

for f in real sim; do
  { head -1 "$SRC/$f.csv"; grep -E '^sim_validation,(fib|randdag),' "$SRC/$f.csv"; } > "$T/$f.csv"
done
out=$(/usr/bin/python3 "$ROOT/scripts/validate_sim_plot.py" "$T/real.csv" "$T/sim.csv" "$T" 2>&1) \
  && ok "runs without cpu_speeds.csv" || bad "validate_sim_plot.py: $out"
[ -s "$T/sim_validation.png" ] && ok "figure written" || bad "no figure"
rows=$(tail -n +2 "$T/sim_validation.csv" | wc -l)
[ "$rows" -eq 12 ] && ok "12 configurations (3 workloads x 2 policies x 2 procs)" || bad "rows: $rows"
# The randdag go P=1 row: the medians of the 7 real and 7 simulated runs, and the error between.
row=$(grep '^randdag,.*,go,1,' "$T/sim_validation.csv")
real=$(awk -F, '$2 == "randdag" && $4 == "go" && $11 == 1 { print $13 }' "$T/real.csv" | sort -n | sed -n 4p)
[ "$(echo "$row" | cut -d, -f5)" = "$real" ] && ok "real median is the 4th of 7" || bad "median: $row vs $real"
echo "$out" | grep -q "CPU speed" && bad "a CPU-speed line without the file" || ok "no CPU-speed line without the file"

printf 'round,cpu,loop_step_ns\n1,0,2.0\n1,1,1.0\n2,0,1.5\n2,1,1.0\n3,0,1.0\n3,1,1.0\n' > "$T/cpu_speeds.csv"
out=$(/usr/bin/python3 "$ROOT/scripts/validate_sim_plot.py" "$T/real.csv" "$T/sim.csv" "$T" 2>&1)
echo "$out" | grep -q "cpu0 1.50, cpu1 1.00; slowest/fastest CPU per round: median 1.50, max 2.00" \
  && ok "CPU-speed line: medians per CPU and the per-round ratio" || bad "CPU-speed line: $(echo "$out" | tail -1)"
echo "$out" | grep -q "ns per load" && bad "a memory line from a file without mem_load_ns" \
  || ok "no memory line without mem_load_ns"
printf 'round,cpu,loop_step_ns,mem_load_ns\n1,0,1.0,300\n1,1,1.0,100\n2,0,1.0,90\n2,1,1.0,100\n3,0,1.0,100\n3,1,1.0,100\n' \
  > "$T/cpu_speeds.csv"
out=$(/usr/bin/python3 "$ROOT/scripts/validate_sim_plot.py" "$T/real.csv" "$T/sim.csv" "$T" 2>&1)
echo "$out" | grep -q "ns per load over 64 MiB, median of rounds): cpu0 100, cpu1 100; slowest/fastest CPU per round: median 1.11, max 3.00" \
  && ok "memory line: medians per CPU and the per-round ratio" || bad "memory line: $(echo "$out" | tail -2)"

# Per-round pairs: a real run and the simulated run of the same victim seed (the real row's
# seed, the simulated row's sim_seed). Walls 100/200/300 real and 110/180/300 simulated:
# errors +10, -10 and 0 per round (median 0.0), against -10.0 between the medians.
mkdir -p "$T/pairs"
for f in real sim; do
  head -1 "$SRC/$f.csv" > "$T/pairs/$f.csv"
  row=$(awk -F, '$2 == "randdag" && $4 == "go" && $11 == 1 { print; exit }' "$SRC/$f.csv")
  i=0
  for wall in $([ $f = real ] && echo 100 200 300 || echo 110 180 300); do
    i=$((i + 1))
    echo "$row" | awk -F, -v OFS=, -v w="$wall" -v s="$i" -v kind=$f \
      '{ $12 = s - 1; $13 = w; $34 = s; if (kind == "sim") $35 = "sim_seed=" s; print }' >> "$T/pairs/$f.csv"
  done
done
/usr/bin/python3 "$ROOT/scripts/validate_sim_plot.py" "$T/pairs/real.csv" "$T/pairs/sim.csv" "$T/pairs" > /dev/null 2>&1
row=$(tail -n +2 "$T/pairs/sim_validation.csv")
[ "$(echo "$row" | cut -d, -f7,8)" = "-10.0,0.0" ] \
  && ok "error of the medians -10.0, median of the per-round errors 0.0" || bad "paired: $row"
# The real runs' spread: fastest 100, slowest 300; the simulated median (180) against the fastest.
[ "$(echo "$row" | tr -d "\r" | cut -d, -f14-16)" = "100,300,80.0" ] \
  && ok "fastest and slowest real run, error against the fastest +80.0" || bad "spread: $row"
# Files from before the migrations counter: its three columns are empty.
[ "$(echo "$row" | tr -d "\r" | cut -d, -f17-19)" = ",," ] \
  && ok "no migrations columns' values without the counter" || bad "migrations: $row"
# With the counter (a column at the end here: the script reads columns by name), medians 2000
# real and 2500 simulated: +25.0.
mkdir -p "$T/mig"
for f in real sim; do
  vals=$([ $f = real ] && echo "1000 2000 3000" || echo "1500 2500 2600")
  awk -F, -v OFS=, -v vals="$vals" 'BEGIN { split(vals, v, " ") }
    NR == 1 { print $0, "migrations"; next } { print $0, v[NR - 1] }' "$T/pairs/$f.csv" > "$T/mig/$f.csv"
done
/usr/bin/python3 "$ROOT/scripts/validate_sim_plot.py" "$T/mig/real.csv" "$T/mig/sim.csv" "$T/mig" > /dev/null 2>&1
row=$(tail -n +2 "$T/mig/sim_validation.csv" | tr -d "\r")
[ "$(echo "$row" | cut -d, -f17-19)" = "2000.0,2500.0,25.0" ] \
  && ok "migrations: medians 2000 real, 2500 simulated, error +25.0" || bad "migrations: $row"

# The CPUs' distance (pair_rtt_ns): the same pairs at P = 2, rounds 1 and 3 near (100 and 120
# ns), round 2 far (500 ns; the split at sqrt(100 x 500) = 224 ns): near +10 and 0, median +5.0;
# far -10.0. Round trips within 2x of each other: no split.
mkdir -p "$T/dist"
for f in real sim; do
  awk -F, -v OFS=, 'NR > 1 { $11 = 2 } { print }' "$T/pairs/$f.csv" > "$T/dist/$f.csv"
done
printf 'round,cpu,loop_step_ns,mem_load_ns,pair_rtt_ns\n1,0,1,90,100\n1,1,1,90,95\n2,0,1,90,500\n2,1,1,90,480\n3,0,1,90,120\n3,1,1,90,110\n' \
  > "$T/dist/cpu_speeds.csv"
out=$(/usr/bin/python3 "$ROOT/scripts/validate_sim_plot.py" "$T/dist/real.csv" "$T/dist/sim.csv" "$T/dist" 2>&1)
echo "$out" | grep -q "round trip between the CPUs: median of rounds 120 ns, 100-500" \
  && ok "round-trip line: the largest of each round's CPUs, median and range" || bad "round trip: $out"
echo "$out" | grep -q "near (round trip < 224 ns) in rounds 1,3; far in rounds 2" \
  && echo "$out" | grep -Eq "^  randdag .* go +near +\+5\.0% +far +-10\.0%" \
  && ok "P = 2 paired error near +5.0, far -10.0" || bad "near/far: $out"
sed -i 's/,500$/,190/; s/,480$/,180/' "$T/dist/cpu_speeds.csv"
out=$(/usr/bin/python3 "$ROOT/scripts/validate_sim_plot.py" "$T/dist/real.csv" "$T/dist/sim.csv" "$T/dist" 2>&1)
echo "$out" | grep -q "near (round trip" && bad "a near/far split of round trips within 2x" \
  || ok "no near/far split when the round trips are within 2x"

if [ $fails -ne 0 ]; then echo "$fails failed"; exit 1; fi
echo "all passed"
