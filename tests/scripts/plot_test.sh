#!/usr/bin/env bash
# scripts/plot.py as a user runs it: on committed schedlab CSVs it writes every figure the data
# allow, as non-empty PNG and PDF, and leaves other files alone; a missing or CSV-less directory
# is one line on stderr and exit status 2.
# Usage: plot_test.sh [FIXTURE.csv ...]   (default: tests/scripts/data/*.csv, which hold the
# data for all seven figures; each fixture is copied with its .meta.json into a temp directory)
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY=/usr/bin/python3
PLOT="$ROOT/scripts/plot.py"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

if [ $# -gt 0 ]; then
  fixtures=("$@")
  expected=(wall_time counters)  # what any fixture with a good row gives
else
  fixtures=("$ROOT"/tests/scripts/data/*.csv)
  expected=(speedup wall_time heatmap_gc_steal pingpong_cdf counters pipeline_throughput runtimes)
fi

mkdir -p "$T/results/figures"
for f in "${fixtures[@]}"; do
  if [ ! -s "$f" ]; then bad "fixture $f missing or empty"; continue; fi
  cp "$f" "$T/results/"
  [ -f "$f.meta.json" ] && cp "$f.meta.json" "$T/results/"
done
echo "not a figure" > "$T/results/figures/notes.txt"   # someone else's file in FIGDIR
echo "x,y" > "$T/results/other.csv"                     # a CSV that is not schedlab's

# expect_exit2 "what" args...: exit 2, one line on stderr, nothing on stdout.
expect_exit2() {
  local what=$1; shift
  local out err rc
  out=$("$PY" "$PLOT" "$@" 2>"$T/err"); rc=$?
  err=$(cat "$T/err")
  if [ $rc -ne 2 ]; then bad "$what: exit $rc, not 2 ($err)"; return; fi
  if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] || [ -z "$err" ]; then
    bad "$what: stderr is not one line: $err"; return
  fi
  if [ -n "$out" ]; then bad "$what: printed on stdout: $out"; return; fi
  ok "$what ($err)"
}

out=$("$PY" "$PLOT" "$T/results" 2>"$T/err"); rc=$?
if [ $rc -eq 0 ]; then ok "plot.py exits 0 on the fixtures"; else bad "plot.py exit $rc: $(cat "$T/err")"; fi
grep -q "skipping .*other.csv" "$T/err" && ok "a non-schedlab CSV is skipped with a warning" \
  || bad "no warning about other.csv: $(cat "$T/err")"
# Every figure plot.py says it wrote, and every expected one, exists as non-empty PNG and PDF.
written=$(printf '%s\n' "$out" | sed -n 's/^wrote *\([a-z_]*\):.*/\1/p')
for name in $(printf '%s\n' "${expected[@]}" $written | sort -u); do
  for ext in png pdf; do
    p="$T/results/figures/$name.$ext"
    if [ -s "$p" ]; then ok "$name.$ext written"; else bad "$name.$ext missing or empty"; fi
  done
done
[ "$(cat "$T/results/figures/notes.txt")" = "not a figure" ] && ok "other files in FIGDIR untouched" \
  || bad "notes.txt in FIGDIR was changed"
[ -z "$(find "$T/results/figures" -name '.*')" ] && ok "no temporary files left" \
  || bad "temporary files left: $(find "$T/results/figures" -name '.*')"

# --out and --format: only the asked-for format, in the asked-for directory.
if "$PY" "$PLOT" "$T/results" --out "$T/only_png" --format png >/dev/null 2>&1 \
   && [ -s "$T/only_png/wall_time.png" ] && [ -z "$(find "$T/only_png" -name '*.pdf')" ]; then
  ok "--out DIR --format png writes PNGs only"
else
  bad "--out DIR --format png"
fi

expect_exit2 "missing directory" "$T/no/such/dir"
mkdir -p "$T/empty" && echo "a,b" > "$T/empty/x.csv"
expect_exit2 "directory without a schedlab CSV" "$T/empty"
expect_exit2 "bad --format" "$T/results" --format gif

if [ $fails -ne 0 ]; then echo "$fails check(s) failed"; exit 1; fi
echo "all checks passed"
