"""Policy study of NUMA: victim orders (go's random order, numa = same node first, numa-biased,
hierarchical) on the emulated topology of numa.csv and on simulated 2-8 node topologies
(sim_numa.csv), with and without pinning where the CSV varies the pin column."""

from . import common as C
from . import tex
from .figures import bars, compare, sentences, panels, section
from .inputs import InputError

ORDER = ["go", "numa", "numa-biased", "hierarchical"]


def _pols(t):
    return sorted({r["policy"] for r in t.rows},
                  key=lambda p: ORDER.index(p) if p in ORDER else len(ORDER))


def _topo_key(s):
    return [int(x) for x in s.split("x") if x.isdigit()] or [0]


def generate(res, out, label, allow_missing):
    got, missing, said = {}, [], []
    for name in ("numa.csv", "sim_numa.csv"):
        try:
            got[name] = res.get(name)
        except InputError as e:
            if not allow_missing:
                raise
            missing.append(e)
    panes = []
    for name, t in got.items():
        for wl in sorted({r["workload"] for r in t.rows}):
            for topo in sorted({r.get("topology", "flat") for r in t.rows if r["workload"] == wl},
                               key=_topo_key):
                panes.append((name, t, wl, topo))
    fig, axes = panels(len(panes), width=2.3) if panes else (None, [])
    for ax, (name, t, wl, topo) in zip(axes, panes):
        pols = _pols(t)
        pins = sorted({r.get("pin", "none") for r in t.rows if r.get("topology") == topo})
        bars(ax, pols, [(f"pin={pin}", [C.est(t, C.wall, policy=q, workload=wl, topology=topo, pin=pin)
                                        for q in pols]) for pin in pins],
             "simulated makespan (ns)" if name.startswith("sim_") else "wall time (ns)")
        ax.set_title(f"{wl}, {topo} ({'simulator' if name.startswith('sim_') else 'emulated'})")
        where = "in the simulator" if name.startswith("sim_") else "emulated"
        go = C.metric(t, C.wall, policy="go", workload=wl, topology=topo, pin="none")
        for q in pols[1:]:
            e = C.ratio(t, C.wall, dict(policy="go", workload=wl, topology=topo, pin="none"), t, C.wall,
                        dict(policy=q, workload=wl, topology=topo, pin="none")) if go else None
            said.append(f"{where} on {tex.esc(wl)}, {tex.esc(topo)} {compare(tex.esc(q), 'go', e)}")
        for pin in pins:
            if pin != "none":
                e = C.ratio(t, C.wall, dict(policy="go", workload=wl, topology=topo, pin="none"), t, C.wall,
                            dict(policy="go", workload=wl, topology=topo, pin=pin))
                said.append(f"{where} on {tex.esc(wl)}, {tex.esc(topo)} "
                                 f"{compare(f'go pinned ({tex.esc(pin)})', 'go unpinned', e)}")
    para = ("Figure~\\ref{fig:numa} compares the victim orders on NUMA topologies: the emulated "
            "one adds a fixed cost to every steal from another node; the simulator's topologies "
            "have more nodes and Ps than this machine. " +
            sentences(said))
    section(out, "numa", "Victim order and pinning on NUMA topologies", para,
            "Victim orders (and pinning, where varied) by topology.", list(got.values()),
            label, fig, missing)
