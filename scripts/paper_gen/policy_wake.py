"""Policy studies of waking: the spinning cap (spin_sweep; sim_spin at simulated Ps), with the
time per round as the wake-up latency and spin_ns as the CPU burnt spinning, and runnext on/off
(runnext; the Go 1.19 peer's rows of peers_pingpong and peers_spawnwait beside them)."""

import matplotlib.pyplot as plt

from . import common as C
from . import tex
from .figures import bars, compare, sentences, lines, section
from .inputs import InputError

SPIN_ORDER = ["go+spin=none", "go+spin=1", "go+spin=half-procs", "go", "go+spin=all"]


def per_round(r):
    """Wall time of one round: a ping-pong round trip, else one task (a spawnwait round)."""
    return C.per_round_trip(r) if r["workload"] == "pingpong" else C.per_task(r)


def _spin_policies(t):
    return sorted({r["policy"] for r in t.rows},
                  key=lambda p: SPIN_ORDER.index(p) if p in SPIN_ORDER else len(SPIN_ORDER))


def _short(p):
    return "go (2s<busy)" if p == "go" else p.replace("go+spin=", "")


def spin(res, out, label, allow_missing):
    got, missing, said = {}, [], []
    for name in ("spin_sweep.csv", "sim_spin.csv"):
        try:
            got[name] = res.get(name)
        except InputError as e:
            if not allow_missing:
                raise
            missing.append(e)
    real = got.get("spin_sweep.csv")
    sim = got.get("sim_spin.csv")
    wls = sorted({r["workload"] for r in real.rows}) if real else []
    swls = sorted({r["workload"] for r in sim.rows}) if sim else []
    ncol = max(len(wls) + 1, len(swls), 1)
    fig = None
    if got:
        fig, axes = plt.subplots(2 if sim and real else 1, ncol, figsize=(2.5 * ncol + 0.4, 4.6 if sim and real else 2.3), squeeze=False)
        for ax in axes.flat:
            ax.set_visible(False)
        row = 0
    if real:
        cpu = "spin_ns" if "spin_ns" in real.header else "spins"
        pols = _spin_policies(real)
        ps = sorted({r.procs for r in real.rows})
        for i, wl in enumerate(wls):
            ax = axes[row][i]
            ax.set_visible(True)
            bars(ax, [_short(p) for p in pols],
                 [(f"{p} P", [C.est(real, per_round, workload=wl, policy=q, procs=p) for q in pols])
                  for p in ps], "time per round (ns)")
            ax.set_title(wl)
            top = ps[-1]
            for other in ("go+spin=none", "go+spin=all"):
                e = C.ratio(real, C.wall, dict(workload=wl, policy=other, procs=top), real,
                            C.wall, dict(workload=wl, policy="go", procs=top))
                said.append(f"on {tex.esc(wl)} at {top} P {compare('Go`s cap', _short(other), e)}")
            b = C.ratio(real, C.extra(cpu), dict(workload=wl, policy="go", procs=top), real,
                        C.extra(cpu), dict(workload=wl, policy="go+spin=all", procs=top))
            said.append(f"its {tex.esc(cpu)} is {tex.with_ci(b, tex.x)} that of spin=all")
        ax = axes[row][len(wls)]
        ax.set_visible(True)
        top = ps[-1]
        bars(ax, [_short(p) for p in pols],
             [(wl, [C.est(real, C.extra(cpu), workload=wl, policy=q, procs=top) for q in pols])
              for wl in wls], f"{cpu} at {top} P" + (" (ns)" if cpu == "spin_ns" else ""))
        ax.set_title("CPU burnt spinning")
        row += 1
    if sim:
        for i, wl in enumerate(swls):
            ax = axes[row][i]
            ax.set_visible(True)
            sps = sorted({r.procs for r in sim.rows})
            lines(ax, [(_short(q), [(p, C.est(sim, C.wall, workload=wl, policy=q, procs=p)) for p in sps])
                       for q in _spin_policies(sim)], "simulated makespan (ns)", "simulated P")
            ax.set_title(f"{wl} (simulator)")
            top = sps[-1]
            e = C.ratio(sim, C.wall, dict(workload=wl, policy="go+spin=all", procs=top), sim,
                        C.wall, dict(workload=wl, policy="go", procs=top))
            said.append(f"in the simulator on {tex.esc(wl)} at {top} Ps "
                             f"{compare('Go`s cap', 'spin=all', e)}")
    para = ("Figure~\\ref{fig:spin} varies how many Ms may spin: none, one, half the Ps, Go's "
            "rule (spin while twice the spinning Ms are fewer than the busy Ps) and all. "
            + sentences(said).replace("`", "'"))
    section(out, "spin", "How many Ms may spin", para,
            "The spinning cap: time per round (a ping-pong round trip, a spawn-and-wait round, "
            "a fan-out G) as the wake-up latency, and the CPU time Ms spent spinning.",
            list(got.values()), label, fig, missing)


def runnext(res, out, label, allow_missing):
    got, missing, said = {}, [], []
    for name in ("runnext.csv", "peers_pingpong.csv", "peers_spawnwait.csv"):
        try:
            got[name] = res.get(name)
        except InputError as e:
            if not allow_missing:
                raise
            missing.append(e)
    t = got.get("runnext.csv")
    fig = None
    if t:
        wls = sorted({r["workload"] for r in t.rows})
        fig, axes = plt.subplots(1, len(wls), figsize=(2.8 * len(wls) + 0.4, 2.3), squeeze=False)
        for ax, wl in zip(axes[0], wls):
            ps = sorted({r.procs for r in t.rows if r["workload"] == wl})
            peer = got.get(f"peers_{wl}.csv")
            series = [(pol, [C.est(t, per_round, workload=wl, policy=pol, procs=p) for p in ps])
                      for pol in ("go", "no-runnext")]
            if peer and peer.select(runtime="go"):
                series.append(("Go 1.19", [C.est(peer, per_round, runtime="go", procs=p,
                                                 cap=lambda r: r.par.get("cap", "0") == "0") for p in ps]))
            bars(ax, [f"{p} P" for p in ps], series, "time per round (ns)")
            ax.set_title(wl)
            for p in ps:
                e = C.ratio(t, per_round, dict(workload=wl, policy="no-runnext", procs=p), t,
                            per_round, dict(workload=wl, policy="go", procs=p))
                s = f"on {tex.esc(wl)} at {p} P {compare('runnext on', 'runnext off', e)}"
                g = C.est(peer, per_round, runtime="go", procs=p) if peer else None
                if g:
                    s += f" (Go 1.19: {tex.with_ci(g, tex.ns)} per round)"
                said.append(s)
    para = ("Figure~\\ref{fig:runnext} switches the runnext slot off (the no-runnext bundle) on "
            "the two workloads that hand a G to the one just readied. " +
            sentences(said))
    section(out, "runnext", "runnext on and off", para,
            "runnext on (go) and off (no-runnext): time per round, the Go 1.19 peer beside "
            "them where it was run.", list(got.values()), label, fig, missing)


def generate(res, out, label, allow_missing):
    spin(res, out, label, allow_missing)
    runnext(res, out, label, allow_missing)
