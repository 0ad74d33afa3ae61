// calibrate's probes of the runtime as a whole: rt::Runtime<policies::Go> running short
// programs on 1 P (spawn storm, spawn+join, spawnwait, yield, ping-pong, the spawnwait loop's
// drift over a runnext-steal pause, the working-set curve), on 2 Ps with the other P busy, and
// the stack a parked fork-join G has in use. Each figure is a composite of single costs
// (calibrate_solve.cpp solves them); every use of the runtime's templates is in this file.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "calibrate_internal.hpp"
#include "schedlab/harness/stats.hpp"
#include "schedlab/runtime/schedlab.hpp"

namespace schedlab::harness::calibration {

namespace {

using R = GoRuntime;

// n rounds of fork one empty child, join it: J (calibrate_solve.cpp), and on 2 Ps shared_put_ns.
void spawn_join_loop(std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
        R::Group g;
        g.spawn([] {});
        g.wait();
    }
}

}  // namespace

// ---- The runtime on 1 P --------------------------------------------------------------------

void measure_runtime(Measured& m, int reps, std::int64_t n) {
    Options o;
    o.procs = 1;
    R rt(o);
    m.spawn_storm = per_unit(reps, double(n), [&] {
        rt.run([n] {
            R::WaitGroup wg;
            wg.add(n);
            for (std::int64_t i = 0; i < n; ++i) R::go([&wg] { wg.done(); });
            wg.wait();
            return 0;
        });
    });
    m.spawn_join = per_unit(reps, double(n), [&] {
        rt.run([n] {
            spawn_join_loop(n);
            return 0;
        });
    });
    m.yield = per_unit(reps, double(n), [&] {
        rt.run([n] {
            for (std::int64_t i = 0; i < n; ++i) R::yield();
            return 0;
        });
    });
    // A round trip of two Gs over two unbuffered channels (the pingpong workload's loop
    // without its clock reads): per message one send that hands off to the parked receiver
    // and readies it, one receive that parks, a switch.
    m.ping_pong = per_unit(reps, double(n), [&] {
        rt.run([n] {
            typename R::template Chan<std::int64_t> ping(0), pong(0);
            R::WaitGroup wg;
            wg.add(2);
            R::go([&] {
                for (std::int64_t i = 0; i < n; ++i) {
                    ping.send(i);
                    if (pong.recv() != i) std::abort();
                }
                wg.done();
            });
            R::go([&] {
                for (std::int64_t i = 0; i < n; ++i) pong.send(ping.recv());
                wg.done();
            });
            wg.wait();
            return 0;
        });
    });
    // A thief that saw a G in a victim's runnext looks again kRunnextStealPauseNs later, and
    // finds the same G (descriptor) there only if the victim is at the same point of its loop.
    // A simulated victim keeps an exact period, so the thief's return would land at one fixed
    // phase of it; a real one drifts. The drift: the spawnwait loop (go f(); <-done) on 1 P,
    // timed in stretches of as many rounds as fit in the pause; 4 x the median absolute
    // deviation of the stretches' durations (the width of a uniform spread with that MAD).
    {
        using Chan = typename R::template Chan<std::int64_t>;
        auto rounds = [](Chan& ch, std::int64_t k) {
            for (std::int64_t i = 0; i < k; ++i) {
                R::go([&ch, i] { ch.send(i); });
                if (ch.recv() != i) std::abort();
            }
        };
        const double per_round = m.spawn_wait = per_unit(reps, double(n), [&] {
            rt.run([&] {
                Chan ch(0);
                rounds(ch, n);
                return 0;
            });
        });
        const auto k = std::max<std::int64_t>(1, std::llround(double(rt::kRunnextStealPauseNs) / per_round));
        const std::int64_t stretches = std::max<std::int64_t>(100, n / k);
        std::vector<double> spreads;
        for (int rep = 0; rep < reps; ++rep) {
            std::vector<double> xs;
            xs.reserve(static_cast<std::size_t>(stretches));
            rt.run([&] {
                Chan ch(0);
                rounds(ch, k);  // warm
                auto t0 = Clock::now();
                for (std::int64_t s = 0; s < stretches; ++s) {
                    rounds(ch, k);
                    const auto t1 = Clock::now();
                    xs.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
                    t0 = t1;
                }
                return 0;
            });
            spreads.push_back(4.0 * mad(xs));
        }
        m.pause_jitter = median(spreads);
    }
}

// Switching to a G whose stack and descriptor have left the caches costs more. K Gs take turns
// (each yields to the FIFO global queue, so it runs again after the K - 1 others), and in each
// turn a G forks a child and joins it, as a fork-join G does (the TaskGroup and WaitGroup
// frames, the join counter on its stack, the park and the resume): the time per turn for
// K = 1, 4, ..., 65536, over that for K = 1, is the extra cost of resuming a G after K - 1
// others ran (the cost model's reuse_K_ns; the children reuse one stack, freed just before).
void measure_working_set(Measured& m, int reps, std::int64_t total_yields) {
    Options o;
    o.procs = 1;
    R rt(o);
    auto per_yield = [&](std::int64_t k) {
        const std::int64_t each = std::max<std::int64_t>(4, total_yields / k);
        return per_unit(reps, double(k * each), [&] {
            rt.run([k, each] {
                R::WaitGroup wg;
                wg.add(k);
                for (std::int64_t g = 0; g < k; ++g)
                    R::go([&wg, each] {
                        for (std::int64_t i = 0; i < each; ++i) {
                            R::Group child;
                            child.spawn([] {});
                            child.wait();
                            R::yield();
                        }
                        wg.done();
                    });
                wg.wait();
                return 0;
            });
        });
    };
    for (std::int64_t k = 1; k <= 65536; k *= 4) m.ws_curve.emplace_back(double(k), per_yield(k));
}

// ---- Across cores ----------------------------------------------------------------------------

// How much stack a G parked in a fork-join wait has in use: from its saved context to the top
// of its stack (the frames of the wait, the park and the switch, the G's own, the entry's). A
// resume on another core pulls all of it over.
std::size_t parked_stack_bytes() {
    Options o;
    o.procs = 1;
    R rt(o);
    std::size_t bytes = 0;
    rt.run([&bytes] {
        R::Group outer;
        outer.spawn([&bytes] {
            rt::G* self = R::current_g();
            R::Group g;
            g.spawn([self, &bytes] {  // runs while self is parked in g.wait()
                bytes = static_cast<std::size_t>(self->stack->top() - static_cast<char*>(self->ctx));
            });
            g.wait();
        });
        outer.wait();
        return 0;
    });
    return bytes;
}

// What running with more than one P costs a fork-join G on its own P: the spawn+join loop on
// one P while a G keeps the other P busy (so no P is idle: no wake-ups, no thief), less the
// same loop on 1 P, split between the iteration's spawn and its ready (the simulator charges
// shared_put_ns on each). It covers everything the runtime does differently once Ps share
// queues: runnext's and the ring's CASes, wakep's fence and its reads of the idle count. A
// machine with one CPU keeps the CAS-only figure (measure_shared_put). The busy G spins on a
// flag in a line of its own: on the loop's stack it would share lines the loop writes
// (measured: 4x slower).
void measure_shared_mode(Measured& m, int reps, std::int64_t n) {
    if (std::thread::hardware_concurrency() < 2) return;
    struct alignas(128) Flag {
        std::atomic<int> v{0};  // 0: starting, 1: the busy G runs, 2: stop, 3: stopped
    };
    // A runtime (and so a placement of its threads) per repetition: the figure moved between
    // ~9 and ~48 ns from one runtime to the next here, and stayed put within one. Its threads are
// not pinned, so J2 may run on another CPU than J (pinned with --cpu): on a VM with unequal
// vCPUs that difference lands in the figure too (cost files record each CPU's speed).
    std::vector<double> xs;
    for (int rep = 0; rep < reps; ++rep) {
        Options o;
        o.procs = 2;
        R rt(o);
        const double two = per_unit(1, double(n), [&] {
            rt.run([n] {
                auto flag = std::make_unique<Flag>();
                auto& state = flag->v;
                R::go([&state] {
                    state.store(1);
                    while (state.load(std::memory_order_relaxed) != 2) rt::cpu_relax();
                    state.store(3);
                });
                while (state.load() == 0) R::yield();
                spawn_join_loop(n);
                state.store(2);
                while (state.load() != 3) R::yield();
                return 0;
            });
        });
        // The loop must have stayed on one P with the other one busy: a steal or a wake-up
        // means the busy G and the loop shared a P for a while, pricing that instead.
        const auto& st = rt.stats();
        if (st.steals <= 1 && st.wakeups <= 1) xs.push_back(two);
    }
    if (xs.empty()) return;
    m.shared_mode = std::max(0.0, median(xs) - m.spawn_join);
    m.shared_put = m.shared_mode / 2.0;
}

}  // namespace schedlab::harness::calibration
