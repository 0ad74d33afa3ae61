#!/usr/bin/env bash
# Print the metadata sidecar (<file>.meta.json) for one results file as JSON on stdout:
# git commit and dirty flag, compiler, build preset and flags, CPU model, core count, NUMA
# topology, kernel, UTC date and the exact command that produced the file.
#
# Usage: scripts/write_meta.sh --preset NAME [--build-dir DIR] [--field KEY=VALUE]... -- COMMAND...
#   --preset     the CMake preset the measured binary was built with
#   --build-dir  that preset's build directory; compiler and flags are then read from its
#                CMakeCache.txt (otherwise the compiler is `c++`)
#   --field      an extra string field (repeatable), e.g. --field bench_command="..."
#   COMMAND...   the exact command line being recorded, one word per argument
# The caller redirects stdout to a temporary name and renames it (never clobber a result).
set -euo pipefail

die() { echo "write_meta.sh: $*" >&2; exit 2; }

# JSON string literal for $1: escapes backslash, quote and every control character.
json_str() {
  local s=$1 i c
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\t'/\\t}
  s=${s//$'\r'/\\r}
  for i in {1..31}; do
    case $i in 9|10|13) continue;; esac
    printf -v c "\\$(printf '%03o' "$i")"
    s=${s//"$c"/$(printf '\\u%04x' "$i")}
  done
  printf '"%s"' "$s"
}

# JSON array of strings from the arguments.
json_arr() {
  local sep="" a out="["
  for a in "$@"; do out+="$sep$(json_str "$a")"; sep=", "; done
  printf '%s]' "$out"
}

# Value of KEY in a CMakeCache.txt ("KEY:TYPE=value"), empty when absent.
cache_get() {
  local file=$1 key=$2
  sed -n "s/^${key}:[A-Z]*=//p" "$file" | head -n 1
}

preset="" build_dir="" fields=()
while [ $# -gt 0 ]; do
  case $1 in
    --preset) [ $# -ge 2 ] || die "--preset needs a value"; preset=$2; shift 2;;
    --preset=*) preset=${1#*=}; shift;;
    --build-dir) [ $# -ge 2 ] || die "--build-dir needs a value"; build_dir=$2; shift 2;;
    --build-dir=*) build_dir=${1#*=}; shift;;
    --field) [ $# -ge 2 ] || die "--field needs KEY=VALUE"; fields+=("$2"); shift 2;;
    --field=*) fields+=("${1#*=}"); shift;;
    --) shift; break;;
    *) die "unknown argument '$1' (usage: --preset NAME [--build-dir DIR] [--field K=V]... -- COMMAND...)";;
  esac
done
[ -n "$preset" ] || die "--preset is required"
command=("$@")
# The same command as one shell-quoted line, ready to paste.
command_line=""
[ ${#command[@]} -gt 0 ] && printf -v command_line '%q ' "${command[@]}"
command_line=${command_line% }

# Git state of the tree this script lives in. Files under results/ do not make it dirty:
# the run being recorded writes there.
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if commit=$(git -C "$repo_root" rev-parse --verify -q HEAD 2>/dev/null); then
  if [ -n "$(git -C "$repo_root" status --porcelain -- . ':(exclude)results' 2>/dev/null)" ]; then
    dirty=true
  else
    dirty=false
  fi
else
  commit="uncommitted"
  dirty=true
fi

# Compiler and flags: from the build directory's cache when given, else the default c++.
compiler="c++" build_type="" cxx_flags="" sanitize=""
cache="${build_dir:+$build_dir/CMakeCache.txt}"
if [ -n "$cache" ] && [ -f "$cache" ]; then
  compiler=$(cache_get "$cache" CMAKE_CXX_COMPILER)
  build_type=$(cache_get "$cache" CMAKE_BUILD_TYPE)
  cxx_flags=$(cache_get "$cache" CMAKE_CXX_FLAGS)
  if [ -n "$build_type" ]; then
    bt_flags=$(cache_get "$cache" "CMAKE_CXX_FLAGS_$(printf '%s' "$build_type" | tr '[:lower:]' '[:upper:]')")
    cxx_flags="${cxx_flags:+$cxx_flags }$bt_flags"
  fi
  sanitize=$(cache_get "$cache" SCHEDLAB_SANITIZE)
fi
compiler_version=$("${compiler:-c++}" --version 2>/dev/null | head -n 1 || true)

cpu_model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
if [ -z "$cpu_model" ] && command -v lscpu >/dev/null; then
  cpu_model=$(LC_ALL=C lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
fi
cores=$(nproc)

numa_cpus=()
for node in /sys/devices/system/node/node[0-9]*; do
  [ -d "$node" ] || continue
  numa_cpus+=("$(cat "$node/cpulist" 2>/dev/null || true)")
done

{
  printf '{\n'
  printf '  "git_commit": %s,\n' "$(json_str "$commit")"
  printf '  "git_dirty": %s,\n' "$dirty"
  printf '  "compiler": %s,\n' "$(json_str "$compiler_version")"
  printf '  "preset": %s,\n' "$(json_str "$preset")"
  printf '  "build_type": %s,\n' "$(json_str "$build_type")"
  printf '  "cxx_flags": %s,\n' "$(json_str "$cxx_flags")"
  printf '  "sanitize": %s,\n' "$(json_str "$sanitize")"
  printf '  "cpu_model": %s,\n' "$(json_str "$cpu_model")"
  printf '  "cores": %s,\n' "$cores"
  printf '  "numa_nodes": %s,\n' "${#numa_cpus[@]}"
  printf '  "numa_node_cpus": %s,\n' "$(json_arr "${numa_cpus[@]+"${numa_cpus[@]}"}")"
  printf '  "kernel": %s,\n' "$(json_str "$(uname -r)")"
  printf '  "date_utc": %s,\n' "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
  for f in "${fields[@]+"${fields[@]}"}"; do
    case $f in *=*) ;; *) die "--field '$f' is not KEY=VALUE";; esac
    printf '  %s: %s,\n' "$(json_str "${f%%=*}")" "$(json_str "${f#*=}")"
  done
  printf '  "command_line": %s,\n' "$(json_str "$command_line")"
  printf '  "command": %s\n' "$(json_arr "${command[@]+"${command[@]}"}")"
  printf '}\n'
}
