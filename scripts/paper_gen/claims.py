"""The claims table: C1-C14 of REFERENCE.md section 3, each measured and given a verdict by an
explicit rule (RULES below, printed under the table). The verdict is on Go 1.19 (the peer
runtime, runtime=go rows) where the claim is about Go's runtime and the peer measures it, else on
schedlab's go bundle (and the simulator where the claim needs more cores than this machine has).
Every rule decides on 95% confidence intervals: "at most L" holds when the CI's upper end is
<= L, is false when its lower end is > L, and is "partly" when the CI straddles L."""

from . import common as C
from . import tex
from .inputs import InputError
from .stats import est_median, median

P1 = {"procs": 1}

CLAIMS = [  # number, claim (REFERENCE.md section 3), source
    ("C1", "spawning a goroutine costs ~200 ns and ~2 KB", "seed article: 200 ns, 2 KB initial stack"),
    ("C2", "an OS thread costs ~50 µs to create and reserves ~8 MB of virtual stack", "seed article: 50 µs, 8 MB"),
    ("C3", "goroutine context switch 0.1-0.3 µs vs OS thread 1-10 µs", "seed article"),
    ("C4", "go f(); wait sustains 30-50 M spawns/s per core thanks to runnext", "seed article"),
    ("C5", "unbuffered channel ping-pong: 5-15 M ops/s on one core; hand-off 200-400 ns unbuffered, 100-200 ns buffered", "seed article"),
    ("C6", "a park/unpark context switch costs 1-3 µs", "seed article"),
    ("C7", "a small buffer (1-2) on a hot fan-out channel improves throughput up to 10x", "seed article"),
    ("C8", "stealing half minimises both starvation and ping-pong; stealing one or all is worse", "seed article; Vyukov 2012 (work stealing)"),
    ("C9", "without the 61st-tick global check, a local producer starves Gs in the global queue", "seed article; Go's proc.go"),
    ("C10", "capping spinning Ms at ~GOMAXPROCS/2 avoids burning cores while keeping wake latency low", "seed article; Vyukov 2012 (spinning Ms)"),
    ("C11", "a million parked goroutines cost ~2-4 GB", "seed article"),
    ("C12", "NUMA-blind stealing costs throughput; pinning a process to one node gains 10-25%", "seed article"),
    ("C13", "a single global queue with a lock stops scaling at ~16 cores (Go 1.0)", "Vyukov 2012 (Go 1.0's global run queue)"),
    ("C14", "random work stealing is within a constant factor of optimal for DAGs: T_P <= T1/P + O(Tinf)", "Blumofe and Leiserson 1999"),
]

RULES = {
    "C1": "holds if ns per G (spawn storm, 1 P) is at most 2x 200 ns and the resident bytes per parked G (first repetition) at most 2x 2 KB; partly if one of the two.",
    "C2": "creation: holds if a thread's ns per task (spawn storm, runtime threads, 1 P) lies within a factor 2 of 50 µs (25-100 µs); the 8 MB reservation is not measured (the harness records resident memory, not reserved address space), so the verdict is at most partly.",
    "C3": "holds if a G switch (half an unbuffered ping-pong round trip, 1 P) is at most 0.3 µs and a thread switch (same, runtime threads) lies in 1-10 µs; partly if one of the two.",
    "C4": "the rate decides: false if go f(); <-done takes more than 1e9/30e6 = 33.3 ns per round on 1 P (CI above it); holds if it takes at most that and switching runnext off (no-runnext, runnext.csv) makes it slower (ratio CI above 1); partly otherwise.",
    "C5": "an op is one message; holds if on 1 P the unbuffered rate is at least 5 M/s, the unbuffered hand-off at most 400 ns and the buffered (cap 1) at most 200 ns; partly if some.",
    "C6": "the cross-P hand-off (half a round trip, 1 pair, 2 Ps, cap 0) must lie within a factor 2 of 1-3 µs (0.5-6 µs); below that with fewer than 0.5 parks per round trip no park happened, and the claim is not measurable here.",
    "C7": "best throughput gain T(cap 0)/T(cap c), c in {1, 2}, go bundle, over the Ps measured: holds if its CI's lower end is at least 2, partly if above 1, false otherwise.",
    "C8": "per workload at the largest P: T(one)/T(half) and T(all)/T(half) with every other dimension Go's; holds if every ratio's CI lies above 1, false if any lies below 1, partly otherwise.",
    "C9": "on 1 P (the producer's P is the only one; at 2 P the other P pulls the global queue): a victim is starved when it runs only after the producer's last round (served_during below victims, starve.csv); holds if some are starved under gci-never in every repetition's set and none under the go bundle (every 61st tick), partly if both starve, false otherwise.",
    "C10": "per workload at the largest P (spin_sweep.csv, and sim_spin.csv at simulated P): latency kept if T(go)/T(spin=all) is at most 1.1, cores saved if the go bundle's spin time (spin_ns; spins if absent) is below spin=all's; holds if both everywhere, false if neither anywhere, partly otherwise.",
    "C11": "holds if a million times the resident bytes per parked task (first repetition: later ones reuse freed stacks) lies within a factor 2 of 2-4 GB (1-8 GB).",
    "C12": "NUMA-blind costs throughput if T(go)/T(best NUMA-aware order) has a CI above 1 on the largest topology; pinning gains 10-25% if T(unpinned)/T(pinned) lies in 1.10-1.25; holds if both, partly if one.",
    "C13": "not measurable here: schedlab has no Go-1.0 mode with a single locked queue and no local queues; the closest proxy (the global queue looked at every tick, go+gc=1, sim_gc.csv) is reported, not judged.",
    "C14": "per fork-join workload under the go bundle, over the simulated Ps (three or more P test the model): holds if c1's CI lies in 0.5-2 and c_inf's CI upper end is at most 10; partly if some workloads; false if none.",
}


def verdict_text(v):
    return {"holds": r"\textbf{holds}", "false": r"\textbf{false}", "partly": "partly"}.get(
        v, tex.esc(v or C.NOT_MEASURABLE))


class Claim:
    def __init__(self):
        self.go, self.sl, self.sim, self.verdict, self.why, self.tables = "---", "---", "---", None, "", []

    def use(self, res, name):
        t = res.get(name)
        if t not in self.tables:
            self.tables.append(t)
        return t


def c1(res, c):
    ss, pk = c.use(res, "peers_spawnstorm.csv"), c.use(res, "peers_parked.csv")
    out = {}
    for who, filt in (("go", {"runtime": "go"}), ("sl", {"runtime": "schedlab", "policy": "go"})):
        e = C.est(ss, C.per_task, **filt, **P1)
        b = C.est(pk, C.extra("rss_per_task_bytes"), rep=0, **filt)
        v = C.combine([C.at_most(e, 400), C.at_most(b, 4096)])
        setattr(c, who, f"{tex.with_ci(e, tex.ns)}/G; {tex.with_ci(b, tex.nbytes)}/G" + (f" ({v})" if v else ""))
        out[who] = v
    c.verdict = out["go"] or out["sl"]


def c2(res, c):
    ss = c.use(res, "peers_spawnstorm.csv")
    e = C.est(ss, C.per_task, runtime="threads", **P1)
    if e is None:
        c.why = "peers_spawnstorm.csv has no runtime=threads rows"
        return
    v = C.within(e, 25e3, 100e3)
    c.sl = f"OS threads (runtime threads, not the go bundle): {tex.with_ci(e, tex.ns)}/thread"
    c.verdict = C.combine([v, None])


def c3(res, c):
    pp = c.use(res, "peers_pingpong.csv")
    thr = C.est(pp, C.per_handoff, runtime="threads", **P1)
    tv = C.within(thr, 1e3, 10e3)
    for who, filt in (("go", {"runtime": "go"}), ("sl", {"runtime": "schedlab", "policy": "go"})):
        g = C.est(pp, C.per_handoff, cap=lambda r: r.par.get("cap") == "0", **filt, **P1)
        v = C.combine([C.at_most(g, 300), tv]) if g else None
        setattr(c, who, f"G {tex.with_ci(g, tex.ns)}; thread {tex.with_ci(thr, tex.ns)}" + (f" ({v})" if v else ""))
        if who == "go" or c.verdict is None:
            c.verdict = v if who == "go" else (c.verdict or v)
    try:
        b = c.use(res, "runtime_bench.json").find("BM_Yield/gs:2/procs:1", "ns_per_yield")
        if b:
            c.sl += f"; yield {tex.ns(b[0])} (bench median)"
    except InputError:
        pass


def c4(res, c):
    sw, rn = c.use(res, "peers_spawnwait.csv"), c.use(res, "runnext.csv")
    on = C.metric(rn, C.per_task, workload="spawnwait", policy="go", **P1)
    off = C.metric(rn, C.per_task, workload="spawnwait", policy="no-runnext", **P1)
    gain = C.est_ratio(off, on) if on and off else None
    gv = C.at_least(gain, 1.0000001) if gain else None
    for who, filt in (("go", {"runtime": "go"}), ("sl", {"runtime": "schedlab", "policy": "go"})):
        e = C.est(sw, C.per_task, **filt, **P1)
        rv = C.at_most(e, 1e9 / 30e6)
        v = rv if rv in (C.FALSE, None) else C.combine([rv, gv])
        rate = e.inverse(1e9) if e else None
        setattr(c, who, f"{tex.with_ci(rate, lambda x: tex.count(x))}/s" + (f" ({v})" if v else ""))
        if who == "go":
            c.verdict = v
    c.sl += f"; no-runnext/go {tex.with_ci(gain, tex.x)}"
    c.verdict = c.verdict or v


def c5(res, c):
    pg, pp = c.use(res, "pingpong.csv"), c.use(res, "peers_pingpong.csv")
    one = lambda r: r.par.get("pairs", "1") == "1"  # noqa: E731
    u = C.est(pg, C.per_handoff, policy="go", pairs=one, cap=lambda r: r.par.get("cap") == "0", **P1)
    b = C.est(pg, C.per_handoff, policy="go", pairs=one, cap=lambda r: r.par.get("cap") == "1", **P1)
    g = C.est(pp, C.per_handoff, runtime="go", cap=lambda r: r.par.get("cap") == "0", **P1)
    vs = C.combine([C.at_most(u, 200), C.at_most(u, 400), C.at_most(b, 200)])
    vg = C.combine([C.at_most(g, 200), C.at_most(g, 400), None]) if g else None
    c.sl = (f"unbuf. {tex.with_ci(u, tex.ns)} ({tex.count(1e9 / u.value) if u else '---'}/s); "
            f"cap 1 {tex.with_ci(b, tex.ns)}" + (f" ({vs})" if vs else ""))
    c.go = (f"unbuf. {tex.with_ci(g, tex.ns)} ({tex.count(1e9 / g.value) if g else '---'}/s)"
            + (f" ({vg})" if vg else ""))
    c.verdict = vg or vs


def c6(res, c):
    pg, pp = c.use(res, "pingpong.csv"), c.use(res, "peers_pingpong.csv")
    cap0 = lambda r: r.par.get("cap") == "0" and r.par.get("pairs", "1") == "1"  # noqa: E731
    s = C.est(pg, C.per_handoff, policy="go", cap=cap0, procs=2)
    parks = C.est(pg, lambda r: (r.x("parks") or 0) / C.round_trips(r), policy="go", cap=cap0, procs=2)
    g = C.est(pp, C.per_handoff, runtime="go", cap=cap0, procs=2)

    def judge(e, p):
        if e is None:
            return None
        if e.hi < 500 and (p is None or p.value < 0.5):
            return C.NOT_MEASURABLE
        return C.within(e, 500, 6e3)
    vs, vg = judge(s, parks), judge(g, None)
    c.sl = f"{tex.with_ci(s, tex.ns)}; {tex.plain(parks.value) if parks else '---'} parks/round trip" + (f" ({vs})" if vs else "")
    c.go = tex.with_ci(g, tex.ns) + (f" ({vg})" if vg else "")
    c.verdict = vg or vs
    if c.verdict == C.NOT_MEASURABLE:
        c.why = "the hand-offs did not park"


def c7(res, c):
    pl = c.use(res, "pipeline.csv")
    best = None
    for p in sorted({r.procs for r in pl.rows}):
        for cap in ("1", "2"):
            e = C.ratio(pl, C.wall, dict(policy="go", procs=p, where=lambda r: r.par.get("cap") == "0"),
                        pl, C.wall, dict(policy="go", procs=p, where=lambda r, k=cap: r.par.get("cap") == k))
            if e and (best is None or e.value > best[0].value):
                best = (e, p, cap)
    if best:
        e, p, cap = best
        c.sl = f"cap {cap} at {p} P: {tex.with_ci(e, tex.x)}"
        c.verdict = C.HOLDS if e.lo >= 2 else (C.PARTLY if e.lo > 1 else C.FALSE)


def c8(res, c):
    parts, texts = [], []
    for name in ("steal_sweep.csv", "steal_sweep_uts.csv"):
        t = c.use(res, name)
        p = max(r.procs for r in t.rows)
        same = C.same_dims_as(t)
        half = C.metric(t, C.wall, steal="half", procs=p, where=same)
        for other in ("one", "all"):
            o = C.metric(t, C.wall, steal=other, procs=p, where=same)
            if half and o:
                e = C.est_ratio(o, half)
                parts.append(C.above_one(e))
                texts.append(f"{t.rows[0]['workload']} {other}/half {tex.with_ci(e, tex.x)}")
    c.sl = "; ".join(texts) or "---"
    c.verdict = (C.FALSE if C.FALSE in parts else C.combine(parts)) if parts else None


def c9(res, c):
    # Starvation is a victim in the global queue waiting until the local producer is done:
    # served_during (victims run before the producer's last round) below victims. Judged on
    # 1 P, where the producer's P is the only one; at 2 P the other P pulls the global queue.
    st = c.use(res, "starve.csv")
    mw, sd, vi = C.extra("max_wait_ns"), C.extra("served_during"), C.extra("victims")

    def starved(**filt):
        rows = st.select(**filt)
        if not rows:
            return None
        return any(sd(r) < vi(r) for r in rows if sd(r) is not None and vi(r) is not None)

    texts = []
    for p in sorted({r.procs for r in st.rows if r.get("runtime") == "schedlab"}):
        e61 = C.est(st, mw, policy="go", runtime="schedlab", procs=p)
        en = C.est(st, mw, policy="gci-never", runtime="schedlab", procs=p)
        if e61 and en:
            texts.append(f"{p} P: longest wait every 61st tick {tex.with_ci(e61, tex.ns)}, never "
                         f"{tex.with_ci(en, tex.ns)}")
    c.sl = "; ".join(texts) or "---"
    g = C.est(st, mw, runtime="go", procs=1)
    c.go = f"1 P: longest wait {tex.with_ci(g, tex.ns)}" if g else "---"
    never1 = starved(policy="gci-never", runtime="schedlab", procs=1)
    go1 = starved(policy="go", runtime="schedlab", procs=1)
    if never1 is None or go1 is None:
        c.verdict = None
    elif never1 and not go1:
        c.verdict = C.HOLDS
    elif never1 == go1:
        c.verdict = C.FALSE if not never1 else C.PARTLY
    else:
        c.verdict = C.FALSE


def _spin(t):
    parts, texts = [], []
    cpu = "spin_ns" if "spin_ns" in t.header else "spins"
    p = max(r.procs for r in t.rows)
    for wl in sorted({r["workload"] for r in t.rows}):
        lat = C.ratio(t, C.wall, dict(workload=wl, policy="go", procs=p), t, C.wall,
                      dict(workload=wl, policy="go+spin=all", procs=p))
        burn = C.ratio(t, C.extra(cpu), dict(workload=wl, policy="go", procs=p), t, C.extra(cpu),
                       dict(workload=wl, policy="go+spin=all", procs=p))
        if lat is None:
            continue
        parts += [C.at_most(lat, 1.1), C.below_one(burn)]
        texts.append(f"{wl} {p} P: T {tex.with_ci(lat, tex.x)}, {cpu.replace('_', chr(92) + '_')} {tex.with_ci(burn, tex.x)}")
    return parts, texts


def c10(res, c):
    parts, texts = _spin(c.use(res, "spin_sweep.csv"))
    c.sl = "go/spin=all: " + ("; ".join(texts) or "---")
    try:
        sp, st = _spin(c.use(res, "sim_spin.csv"))
        parts += sp
        c.sim = "; ".join(st) or "---"
    except InputError as e:
        c.sim = tex.not_measured(e, c.label)
    c.verdict = C.combine(parts) if parts else None


def c11(res, c):
    pk = c.use(res, "peers_parked.csv")
    out = {}
    for who, filt in (("go", {"runtime": "go"}), ("sl", {"runtime": "schedlab", "policy": "go"})):
        b = C.est(pk, C.extra("rss_per_task_bytes"), rep=0, **filt)
        e = b.scale(1e6) if b else None
        out[who] = C.within(e, 1e9, 8e9)
        setattr(c, who, f"{tex.with_ci(e, tex.nbytes)} per $10^6$" + (f" ({out[who]})" if out[who] else ""))
    try:
        b = c.use(res, "runtime_bench.json").find("BM_ParkedGsMemory", "bytes_per_G")
        if b:
            c.sl += f"; bench ($10^6$ parked): {tex.nbytes(b[0] * 1e6)}"
    except InputError:
        pass
    c.verdict = out["go"] or out["sl"]


def c12(res, c):
    nu = c.use(res, "numa.csv")
    aware = ("numa", "numa-biased", "hierarchical")

    def blind_cost(t, topo, pin="none"):
        wls = {r["workload"] for r in t.rows}
        wl = "uts" if "uts" in wls else sorted(wls)[0]  # one workload, never pooled
        go = C.metric(t, C.wall, policy="go", workload=wl, topology=topo, pin=pin)
        best = min((C.metric(t, C.wall, policy=a, workload=wl, topology=topo, pin=pin) for a in aware),
                   key=lambda v: median(v) if v else float("inf"))
        return C.est_ratio(go, best) if go and best else None
    topo = max(nu.values("topology"), key=len)
    e = blind_cost(nu, topo)
    c.sl = f"{tex.esc(topo)} emulated: go/best-aware {tex.with_ci(e, tex.x)}"
    parts = [None, None]
    try:
        sn = c.use(res, "sim_numa.csv")
        topos = sorted(sn.values("topology"), key=lambda s: [int(x) for x in s.split("x") if x.isdigit()] or [0])
        big = topos[-1]
        b = blind_cost(sn, big)
        parts[0] = C.above_one(b)
        pins = [p for p in sn.values("pin") if p != "none"]
        texts = [f"{tex.esc(big)}: go/best-aware {tex.with_ci(b, tex.x)}"]
        if pins:
            w = "uts" if sn.select(workload="uts") else sn.rows[0]["workload"]
            g = C.ratio(sn, C.wall, dict(policy="go", workload=w, topology=big, pin="none"), sn,
                        C.wall, dict(policy="go", workload=w, topology=big, pin=pins[0]))
            parts[1] = C.within(g, 1.10, 1.25)
            texts.append(f"unpinned/{tex.esc(pins[0])} {tex.with_ci(g, tex.x)}")
        else:
            texts.append("pinning not varied")
        c.sim = "; ".join(texts)
        if parts[1] is None:
            c.why = ("pinning not measurable here: the machine has one NUMA node and the "
                     "simulator does not model placement")
    except InputError as err:
        c.sim = tex.not_measured(err, c.label)
    if parts[0] is None:
        parts[0] = C.above_one(e)
    c.verdict = C.combine(parts)


def c13(res, c):
    sg = c.use(res, "sim_gc.csv")
    ps = sorted({r.procs for r in sg.rows})
    pol = "go+gc=1" if sg.select(policy="go+gc=1") else "go"
    lo, hi = ps[0], ps[-1]
    a = C.est(sg, C.wall, policy=pol, procs=lo)
    b = C.est(sg, C.wall, policy=pol, procs=hi)
    gp = C.est(sg, C.extra("global_pulls"), policy=pol, procs=hi)
    c.sim = (f"{tex.esc(pol)}: T at {hi} P / T at {lo} P "
             f"{tex.x(b.value / a.value) if a and b else '---'}; global pulls at {hi} P {tex.count(gp.value) if gp else '---'}")
    c.verdict = C.NOT_MEASURABLE
    c.why = "no single-queue (Go 1.0) mode"


def c14(res, c, cilk_sim, cilk_real):
    parts, texts = [], []
    for r in cilk_sim:
        if r["policy"] != "go" or not r["fit"] or r["fit"][3] < 3:
            continue
        c1, cinf = r["fit"][0], r["fit"][1]
        ok = 0.5 <= c1.lo and c1.hi <= 2 and cinf.hi <= 10
        parts.append(C.HOLDS if ok else C.FALSE)
        texts.append(f"{tex.esc(r['wl'])} $c_1$ {tex.plain(c1.value)}, $c_\\infty$ {tex.plain(cinf.value)}")
    c.sim = "; ".join(texts) or "---"
    real = [r for r in cilk_real if r["policy"] == "go" and r["fit"]]
    c.sl = "; ".join(f"{tex.esc(r['wl'])} $c_\\infty$ {tex.plain(r['fit'][1].value)}" for r in real) or "---"
    if parts:
        c.verdict = C.HOLDS if all(p == C.HOLDS for p in parts) else (C.FALSE if all(p == C.FALSE for p in parts) else C.PARTLY)
    try:
        c.use(res, "sim_scaling.csv")
    except InputError as e:
        c.sim = tex.not_measured(e, c.label)


def generate(res, out, label, allow_missing, cilk_real, cilk_sim):
    fns = [c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, None]
    rows, how = [], []
    for (num, text, src), fn in zip(CLAIMS, fns):
        c = Claim()
        c.label = label
        try:
            if fn is None:
                c14(res, c, cilk_sim, cilk_real)
            else:
                fn(res, c)
        except InputError as e:
            if not allow_missing:
                raise
            c.verdict, c.why = "not measured", ""
            c.sl = tex.not_measured(e, label)
        v = verdict_text(c.verdict) + (f" ({tex.esc(c.why)})" if c.why else "")
        rows.append([num, tex.esc(text), c.go, c.sl, c.sim, v])
        cmds = "; ".join(f"{tt_name(t, label)}: {tex.tt(t.command)}" for t in c.tables) or "---"
        how.append([num, tex.esc(src), tex.esc(RULES[num]), cmds])
    head = ["", "claim", "Go 1.19 (peer)", "schedlab go bundle", "simulator", "verdict"]
    spec = r"p{0.03\linewidth}p{0.16\linewidth}p{0.16\linewidth}p{0.24\linewidth}p{0.15\linewidth}p{0.09\linewidth}"
    foot = (r"Medians with bootstrap 95\% CIs in brackets; a sub-verdict in parentheses is that "
            r"column's own. The verdict is on Go 1.19 where the peer measures the claim, else on "
            r"schedlab's go bundle and the simulator, by the rule of Table~\ref{tab:claims-how}.")
    body = tex.longtable(spec, head, rows, "The claims of the seed articles, measured.", "tab:claims", foot)
    head2 = ["", "source", "verdict rule", "data and command"]
    spec2 = r"p{0.03\linewidth}p{0.15\linewidth}p{0.40\linewidth}p{0.30\linewidth}"
    body2 = tex.longtable(spec2, head2, how, "How each claim is measured and judged.", "tab:claims-how")
    out.text("claims.tex", body + "\n\n" + body2)
    return rows


def tt_name(t, label):
    import os
    return tex.tt(os.path.join(label, t.name))


__all__ = ["generate", "CLAIMS", "RULES", "est_median"]
