"""Reading one results folder: schedlab CSVs (README.md "CSV columns"), their .meta.json
sidecars and the microbenchmark JSON. Files written before the columns local_order and join
(or migrations ... park_ns) existed are read as well: an absent column reads as ''."""

import csv
import json
import os

from .inputs import REQUIRED, InputError, MissingInput, default_command

LEADING = ["experiment", "workload", "params", "policy", "steal", "global_check", "spin_cap",
           "runnext", "victim", "runtime", "procs", "rep", "wall_ns", "tasks", "result_ok"]


def parse_kv(text):
    """'k=v;k=v' -> {k: v} (strings)."""
    out = {}
    for part in (text or "").split(";"):
        if part:
            k, _, v = part.partition("=")
            out[k.strip()] = v.strip()
    return out


def num(text, default=None):
    try:
        return float(text)
    except (TypeError, ValueError):
        return default


class Row(dict):
    """One CSV row; .kv is `extra` parsed, .par is `params` parsed."""

    @property
    def kv(self):
        if "_kv" not in self.__dict__:
            self.__dict__["_kv"] = parse_kv(self.get("extra", ""))
        return self.__dict__["_kv"]

    @property
    def par(self):
        if "_par" not in self.__dict__:
            self.__dict__["_par"] = parse_kv(self.get("params", ""))
        return self.__dict__["_par"]

    def x(self, key, default=None):
        """A number from extra, a counter column, or params (in that order)."""
        if key in self.kv:
            return num(self.kv[key], default)
        if key in self and self[key] != "":
            return num(self[key], default)
        if key in self.par:
            return num(self.par[key], default)
        return default

    @property
    def procs(self):
        return int(self["procs"])

    @property
    def rep(self):
        return int(self["rep"])

    @property
    def wall(self):
        return float(self["wall_ns"])

    @property
    def who(self):
        """The policy for schedlab's (and the simulator's) rows, 'peer <runtime>' for a peer's."""
        rt = self.get("runtime", "schedlab")
        return self["policy"] if rt in ("schedlab", "sim") else f"peer {rt}"


class Table:
    """The rows of one CSV and its sidecar's commands."""

    def __init__(self, name, path, rows, header, commands):
        self.name, self.path, self.rows, self.header = name, path, rows, header
        self.commands = commands

    @property
    def command(self):
        return "; ".join(self.commands) if self.commands else default_command(self.name)

    def select(self, timing=True, **want):
        """Rows matching every column=value (a value may be a set or a callable); timing=True:
        measured repetitions only (rep >= 0, result_ok = 1), timing=False: the instrumented
        rep = -1 rows, timing=None: all."""
        out = []
        for r in self.rows:
            if timing is True and (r.rep < 0 or r.get("result_ok") != "1"):
                continue
            if timing is False and r.rep >= 0:
                continue
            ok = True
            for k, v in want.items():
                k = k.rstrip("_")
                cell = r.get(k, "")
                if callable(v):
                    ok = v(r)
                elif isinstance(v, (set, frozenset, list, tuple)):
                    ok = cell in {str(x) for x in v}
                else:
                    ok = cell == str(v)
                if not ok:
                    break
            if ok:
                out.append(r)
        return out

    def values(self, *cols):
        """Sorted distinct values of some columns over all rows."""
        return sorted({tuple(r.get(c, "") for c in cols) if len(cols) > 1 else r.get(cols[0], "")
                       for r in self.rows}, key=_natural)


def _natural(v):
    parts = v if isinstance(v, tuple) else (v,)
    return tuple((0, float(p), "") if num(p) is not None else (1, 0.0, p) for p in parts)


def read_commands(path):
    try:
        with open(path + ".meta.json") as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return [], {}
    runs = meta.get("runs") if isinstance(meta, dict) else None
    runs = runs if isinstance(runs, list) else [meta]
    cmds = []
    for r in runs:
        if not isinstance(r, dict):
            continue
        c = r.get("command")
        if isinstance(c, list):
            c = " ".join(str(x) for x in c)
        if c and c not in cmds:
            cmds.append(str(c))
    return cmds, (runs[0] if runs and isinstance(runs[0], dict) else {})


def read_csv(name, path):
    if not os.path.exists(path):
        raise MissingInput(path, "is missing", name)
    try:
        with open(path, newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if not header:
                raise InputError(path, "is empty (no header line)", name)
            missing = [c for c in LEADING if c not in header]
            if missing:
                raise InputError(path, f"is not a schedlab CSV (no column {missing[0]})", name)
            rows = []
            for i, cells in enumerate(reader, start=2):
                if not cells:
                    continue
                if len(cells) != len(header):
                    raise InputError(path, f"is unreadable (row {i} has {len(cells)} cells, "
                                     f"the header {len(header)})", name)
                r = Row(zip(header, cells))
                try:
                    r.procs, r.rep, r.wall  # noqa: B018 (validate the numbers once)
                except ValueError:
                    raise InputError(path, f"is unreadable (row {i}: procs, rep or wall_ns is "
                                     "not a number)", name) from None
                rows.append(r)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputError(path, f"is unreadable ({e.__class__.__name__})", name) from None
    if not rows:
        raise InputError(path, "has no data rows", name)
    cmds, _ = read_commands(path)
    return Table(name, path, rows, header, cmds)


class Bench:
    """runtime_bench.json: the aggregates of each benchmark run name."""

    def __init__(self, name, path):
        if not os.path.exists(path):
            raise MissingInput(path, "is missing", name)
        try:
            with open(path) as f:
                data = json.load(f)
        except (OSError, ValueError, UnicodeDecodeError):
            raise InputError(path, "is unreadable (not JSON)", name) from None
        self.name, self.path, self.stats = name, path, {}
        for b in data.get("benchmarks", []) if isinstance(data, dict) else []:
            if b.get("run_type") == "aggregate":
                self.stats.setdefault(b.get("run_name", ""), {})[b.get("aggregate_name")] = b
        if not self.stats:
            raise InputError(path, "has no benchmark aggregates", name)
        meta_path = os.path.join(os.path.dirname(path), "runtime_bench.meta.json")
        try:
            with open(meta_path) as f:
                meta = json.load(f)
            c = meta.get("command_line") or meta.get("command")
            self.command = " ".join(c) if isinstance(c, list) else str(c)
            if meta.get("bench_command"):
                self.command += " (" + str(meta["bench_command"]).split(" --benchmark_out=")[0] + ")"
        except (OSError, ValueError, AttributeError):
            self.command = default_command(name)

    def find(self, prefix, counter):
        """(median, stddev, repetitions) of a counter of the first run name starting with prefix."""
        for run, aggs in self.stats.items():
            if run.startswith(prefix) and counter in aggs.get("median", {}):
                sd = aggs.get("stddev", {}).get(counter)
                return aggs["median"][counter], sd, aggs["median"].get("repetitions")
        return None


class Results:
    """One results folder; files are read once, on first use."""

    def __init__(self, path):
        self.dir = path
        self._cache = {}

    def path(self, name):
        return os.path.join(self.dir, name)

    def get(self, name):
        if name not in self._cache:
            try:
                if name.endswith(".json"):
                    self._cache[name] = Bench(name, self.path(name))
                else:
                    self._cache[name] = read_csv(name, self.path(name))
            except InputError as e:
                self._cache[name] = e
        v = self._cache[name]
        if isinstance(v, Exception):
            raise v
        return v

    def check_all(self):
        """Read every required input; the first problem is raised."""
        for name in REQUIRED:
            self.get(name)

    def machine(self):
        """cores, CPU model, kernel, compiler, dates from the sidecars that exist."""
        info = {"cores": set(), "cpu_model": set(), "kernel": set(), "compiler": set(),
                "date": set(), "git_commit": set(), "numa": set()}
        # The sweeps' sidecars first; the microbenchmarks' (other field formats) only if none.
        names = [n for n in REQUIRED if not n.endswith(".json")]
        names += [n for n in REQUIRED if n.endswith(".json")]
        for name in names:
            if name.endswith(".json"):
                if info["cores"]:
                    break
                p = os.path.join(self.dir, "runtime_bench")
            else:
                p = self.path(name)
            _, m = read_commands(p)
            for r in [m] if m else []:
                for k in ("cores", "cpu_model", "kernel", "compiler", "git_commit"):
                    if r.get(k):
                        info[k].add(str(r[k]))
                d = r.get("date") or r.get("date_utc")
                if d:
                    info["date"].add(str(d)[:10])
                n = r.get("numa_nodes")
                if isinstance(n, list):
                    info["numa"].add(str(len(n)))
                elif n:
                    info["numa"].add(str(n))
        return info
