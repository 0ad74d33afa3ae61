# Shared by the command-line tests (sourced): ok/bad reporting and expect_error.
# The sourcing script sets EXPECT_CMD (the program) and optionally EXPECT_PREFIX (what every
# error line must start with), and reads $fails at the end.
fails=0
ok() { echo "ok   - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }

# expect_error "what" "expected stderr substring" args...: exit 2, one line, the prefix and the
# substring.
expect_error() {
  local what=$1 want=$2; shift 2
  local err rc
  err=$("$EXPECT_CMD" "$@" 2>&1 >/dev/null); rc=$?
  if [ $rc -ne 2 ]; then bad "$what: exit $rc, not 2 ($err)"; return; fi
  if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then bad "$what: more than one line: $err"; return; fi
  case "$err" in "${EXPECT_PREFIX:-}"*"$want"*) ok "$what";; *) bad "$what: '$err' lacks '$want'";; esac
}
