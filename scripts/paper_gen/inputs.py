"""The inputs the paper needs, in one place: results file -> the experiment that writes it and
what it feeds. scripts/paper checks them all before writing anything; a missing one is one line
naming the file and its experiment (or, with --allow-missing, a visible "not measured" row)."""

import os

FULL = "scripts/experiments/full"
_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

# name -> (what writes it, what it feeds). The simulator's experiments are in FULL/sim/
# (scripts/reproduce runs them with `schedlab sim`). Every experiment file writes the CSV of its basename
# (scripts/reproduce runs `schedlab sweep --config FULL/<name>.cfg --out results/<set>/<name>.csv`).
REQUIRED = {
    "fib.csv": (f"{FULL}/fib.cfg", "Cilk table; C14"),
    "nqueens.csv": (f"{FULL}/nqueens.cfg", "Cilk table; C14"),
    "uts.csv": (f"{FULL}/uts.cfg", "Cilk table; C14"),
    "matmul.csv": (f"{FULL}/matmul.cfg", "Cilk table; C14"),
    "cholesky.csv": (f"{FULL}/cholesky.cfg", "Cilk table; C14"),
    "space.csv": (f"{FULL}/space.cfg", "Cilk space table"),
    "gc_sweep.csv": (f"{FULL}/gc_sweep.cfg", "global-check figure"),
    "starve.csv": (f"{FULL}/starve.cfg", "C9; global-check figure (longest wait)"),
    "steal_sweep.csv": (f"{FULL}/steal_sweep.cfg", "C8; steal-fraction figure"),
    "steal_sweep_uts.csv": (f"{FULL}/steal_sweep_uts.cfg", "C8; steal-fraction figure"),
    "spin_sweep.csv": (f"{FULL}/spin_sweep.cfg", "C10; spinning figure"),
    "runnext.csv": (f"{FULL}/runnext.cfg", "C4; runnext figure"),
    "pipeline.csv": (f"{FULL}/pipeline.cfg", "C7"),
    "pingpong.csv": (f"{FULL}/pingpong.cfg", "C5, C6"),
    "numa.csv": (f"{FULL}/numa.cfg", "C12; NUMA figure"),
    "peers_fib.csv": (f"{FULL}/peers_fib.cfg", "Cilk table (T_S)"),
    "peers_nqueens.csv": (f"{FULL}/peers_nqueens.cfg", "Cilk table (T_S)"),
    "peers_spawnstorm.csv": (f"{FULL}/peers_spawnstorm.cfg", "C1, C2"),
    "peers_spawnwait.csv": (f"{FULL}/peers_spawnwait.cfg", "C4; runnext figure (Go peer)"),
    "peers_pingpong.csv": (f"{FULL}/peers_pingpong.cfg", "C3, C5, C6; runnext figure (Go peer)"),
    "peers_parked.csv": (f"{FULL}/peers_parked.cfg", "C1, C11"),
    "runtime_bench.json": ("the microbenchmark step (build/release/harness/bench/schedlab_bench)",
                           "C3, C11"),
    "sim_scaling.csv": (f"{FULL}/sim/sim_scaling.cfg", "Cilk table (simulated P); C14"),
    "sim_spin.csv": (f"{FULL}/sim/sim_spin.cfg", "C10 at 16-256 Ps; spinning figure"),
    "sim_numa.csv": (f"{FULL}/sim/sim_numa.cfg", "C12 at 2-8 nodes; NUMA figure"),
    "sim_gc.csv": (f"{FULL}/sim/sim_gc.cfg", "C13 at 16-256 Ps; global-check figure"),
}


class InputError(Exception):
    """A results file the paper needs is missing or unreadable: one line for the user."""

    def __init__(self, path, problem, name):
        self.path, self.problem, self.name = path, problem, name
        super().__init__(f"{path} {problem}")


class MissingInput(InputError):
    pass


def writer_of(name, results_dir):
    """'it is written by ...' for one required file of results_dir."""
    what, _ = REQUIRED.get(name, (f"{FULL}/{os.path.splitext(name)[0]}.cfg", ""))
    if what.endswith(".cfg") and not os.path.exists(os.path.join(_ROOT, what)):
        what += " (not in this checkout yet)"
    set_name = os.path.basename(os.path.normpath(results_dir))
    return f"it is written by {what} (scripts/reproduce --name {set_name})"


def message(err, results_dir):
    return f"paper: {err.path} {err.problem}; {writer_of(err.name, results_dir)}"


def default_command(name):
    """The command to cite when a CSV has no .meta.json sidecar with a command."""
    if name == "runtime_bench.json":
        return "scripts/reproduce (microbenchmark step: schedlab_bench)"
    what = REQUIRED.get(name, (f"{FULL}/{os.path.splitext(name)[0]}.cfg",))[0]
    return f"schedlab {'sim' if name.startswith('sim_') else 'sweep'} --config {what}"
