#!/usr/bin/env bash
# scripts/paper on the committed fixture (tests/paper/fixture/, see its README):
# (a) --no-pdf writes every table and figure, each table (claims, cilk, space, inputs) with at
#     least one data row and no "not measured" placeholder, and touches nothing outside --out;
# (b) a required CSV removed (or emptied) from a copy: one line on stderr naming it and its
#     experiment, exit status 2, nothing on stdout; a missing results folder likewise;
# (c) when latexmk is installed (scripts/setup --paper), the PDF builds from the fixture;
#     without TeX this part is skipped with a message (the test still passes).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PAPER="$ROOT/scripts/paper"
FIX="$ROOT/tests/paper/fixture"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

# (a) every fragment and figure from the fixture.
before=$(cd "$ROOT" && git status --porcelain --untracked-files=all -- paper tests/paper scripts 2>/dev/null)
if "$PAPER" "$FIX" --out "$T/gen" --no-pdf >"$T/out" 2>"$T/err"; then
  ok "scripts/paper --no-pdf exits 0 on the fixture"
else
  bad "scripts/paper --no-pdf failed: $(cat "$T/err")"
fi
for t in claims cilk space inputs; do
  n=$(grep -c '% data row$' "$T/gen/$t.tex" 2>/dev/null || echo 0)
  if [ "$n" -ge 1 ]; then ok "$t.tex has $n data rows"; else bad "$t.tex has no data row"; fi
done
[ "$(grep -c '^C[0-9]* &' "$T/gen/claims.tex")" -ge 28 ] && ok "claims.tex: C1-C14 in both tables" \
  || bad "claims.tex lacks a claim row"
for f in steal gc spin runnext numa; do
  if [ -s "$T/gen/$f.tex" ] && [ -s "$T/gen/$f.pdf" ] && grep -q 'includegraphics' "$T/gen/$f.tex"; then
    ok "$f.tex and $f.pdf written"
  else
    bad "$f.tex or $f.pdf missing or without a figure"
  fi
done
[ -s "$T/gen/cilk_sim.pdf" ] && ok "cilk_sim.pdf written" || bad "cilk_sim.pdf missing"
grep -q 'newcommand{\\machinecpus}{2}' "$T/gen/macros.tex" && ok "macros.tex: \\machinecpus from the sidecars" \
  || bad "macros.tex lacks \\machinecpus{2}"
if grep -l 'not measured in this results folder' "$T/gen"/*.tex >/dev/null 2>&1; then
  bad "a placeholder in a complete fixture's output: $(grep -l 'not measured in this' "$T/gen"/*.tex)"
else
  ok "no 'not measured' placeholder"
fi
grep -q 'written by' "$T/gen/steal.tex" && ok "figure captions name their CSV and command" \
  || bad "steal.tex caption lacks the command"
after=$(cd "$ROOT" && git status --porcelain --untracked-files=all -- paper tests/paper scripts 2>/dev/null)
[ "$before" = "$after" ] && ok "nothing written outside --out" || bad "files changed outside --out"

# expect_exit2 "what" "expected substring" args...: exit 2, one line on stderr, nothing on stdout.
expect_exit2() {
  local what=$1 want=$2; shift 2
  local out err rc
  out=$("$PAPER" "$@" 2>"$T/err2"); rc=$?
  err=$(cat "$T/err2")
  if [ $rc -ne 2 ]; then bad "$what: exit $rc, not 2 ($err)"; return; fi
  if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] || [ -z "$err" ]; then bad "$what: stderr is not one line: $err"; return; fi
  if [ -n "$out" ]; then bad "$what: printed on stdout: $out"; return; fi
  case $err in *"$want"*) ok "$what: $err";; *) bad "$what: '$err' lacks '$want'";; esac
}

# (b) one required CSV missing, one empty, the folder missing.
cp -r "$FIX" "$T/res"
rm "$T/res/starve.csv" "$T/res/starve.csv.meta.json"
expect_exit2 "missing CSV" "starve.csv is missing; it is written by scripts/experiments/full/starve.cfg" \
  "$T/res" --out "$T/gen_b" --no-pdf
[ -z "$(ls -A "$T/gen_b" 2>/dev/null)" ] && ok "nothing generated when an input is missing" \
  || bad "files generated despite the missing input: $(ls "$T/gen_b")"
cp "$FIX/starve.csv" "$T/res/" && : >"$T/res/spin_sweep.csv"
expect_exit2 "empty CSV" "spin_sweep.csv is empty" "$T/res" --out "$T/gen_b" --no-pdf
expect_exit2 "missing results folder" "does not exist" "$T/no/such/dir" --out "$T/gen_c" --no-pdf
# --allow-missing: the gap is visible in the output instead.
if "$PAPER" "$T/res" --out "$T/gen_d" --no-pdf --allow-missing >/dev/null 2>"$T/err" \
   && grep -q 'not measured in this results folder' "$T/gen_d/claims.tex"; then
  ok "--allow-missing writes a 'not measured' row"
else
  bad "--allow-missing: $(cat "$T/err")"
fi

# (c) the PDF, where TeX is installed.
if command -v latexmk >/dev/null && command -v pdflatex >/dev/null; then
  if "$PAPER" "$FIX" --out "$T/pdf" >"$T/out" 2>"$T/err" && [ -s "$T/pdf/paper.pdf" ]; then
    ok "paper.pdf built from the fixture"
  else
    bad "PDF build failed: $(cat "$T/err")"
  fi
else
  echo "skip - PDF build: latexmk not installed (scripts/setup --paper installs it)"
fi

if [ $fails -ne 0 ]; then echo "$fails check(s) failed"; exit 1; fi
echo "all checks passed"
