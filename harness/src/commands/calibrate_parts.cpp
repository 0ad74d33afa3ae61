// calibrate's probes of the runtime's parts, each on its own without a runtime: the local run
// queue (a push and a pop), the global queue's spin lock around a list operation, a steal from
// a queue another thread just filled, the futex note's wake-up, runnext's CAS, and what a G's
// lines and a join counter cost when another core wrote them last. Only measure_cross_core
// pins its threads (to the first two CPUs); the others run within the caller's CPU set (the
// command pins the one-thread ones, the queues and runnext's CAS, with --cpu).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

#include "calibrate_internal.hpp"
#include "schedlab/harness/stats.hpp"
#include "schedlab/policies/steal.hpp"
#include "schedlab/runtime/g.hpp"
#include "schedlab/runtime/local_queue.hpp"
#include "schedlab/runtime/note.hpp"
#include "schedlab/runtime/spinlock.hpp"

namespace schedlab::harness::calibration {

namespace {

void cpu_relax_for_calibrate() { rt::cpu_relax(); }

}  // namespace

// ---- The parts -------------------------------------------------------------------------------

void measure_queues(Measured& m, int reps) {
    constexpr int kOps = 1 << 20;
    std::vector<rt::G> gs(rt::kRunQueueSize);
    rt::LocalRunQueue q;
    q.set_shared(true);  // as with more than one P: the owner's pops are CASes
    rt::GList spill;
    volatile std::uintptr_t sink = 0;
    // A push and a pop per G; the simulator charges the pop as local_op (the push is spawn's).
    m.local_op = per_unit(reps, 2.0 * kOps, [&] {
        for (int i = 0; i < kOps; ++i) {
            q.put_tail(&gs[static_cast<std::size_t>(i) % gs.size()], spill);
            sink = sink + reinterpret_cast<std::uintptr_t>(q.pop_head());
        }
    });
    // The global queue: its spin lock taken and released around a list operation.
    rt::SpinLock lock;
    rt::GList list;
    m.global_op = per_unit(reps, 2.0 * kOps, [&] {
        for (int i = 0; i < kOps; ++i) {
            lock.lock();
            list.push_back(&gs[static_cast<std::size_t>(i) % gs.size()]);
            lock.unlock();
            lock.lock();
            sink = sink + reinterpret_cast<std::uintptr_t>(list.pop_front());
            lock.unlock();
        }
    });
}

// A thief on another thread steals from a queue its owner has just filled with k Gs: the cost
// includes moving the victim's cache lines across cores, as a real steal does. Two batch sizes
// separate the per-attempt part from the per-G part (steal-half takes k - k/2).
void measure_steal(Measured& m, int reps) {
    constexpr int kRounds = 20'000;
    std::vector<rt::G> gs(rt::kRunQueueSize);
    auto steal_ns = [&](std::uint32_t k) {
        std::vector<double> xs;
        for (int r = 0; r < reps + 1; ++r) {
            rt::LocalRunQueue victim, thief;
            victim.set_shared(true);
            thief.set_shared(true);
            std::atomic<int> phase{0};  // even: owner fills; odd: thief steals
            double total = 0;
            std::thread owner([&] {
                rt::GList spill;
                for (int i = 0; i < kRounds; ++i) {
                    while (phase.load(std::memory_order_acquire) != 2 * i) {}
                    while (victim.pop_head()) {}
                    for (std::uint32_t j = 0; j < k; ++j) victim.put_tail(&gs[j], spill);
                    phase.store(2 * i + 1, std::memory_order_release);
                }
            });
            for (int i = 0; i < kRounds; ++i) {
                while (phase.load(std::memory_order_acquire) != 2 * i + 1) {}
                std::uint32_t stolen = 0;
                const auto t0 = Clock::now();
                thief.steal_from<policies::StealHalf>(victim, false, stolen);
                total += ns_since(t0);
                while (thief.pop_head()) {}
                phase.store(2 * i + 2, std::memory_order_release);
            }
            owner.join();
            if (r > 0) xs.push_back(total / kRounds);
        }
        return median(xs);
    };
    const double small = steal_ns(2), big = steal_ns(64);  // 1 and 32 Gs moved
    m.steal_per_g = std::max(0.0, (big - small) / 31.0);
    m.steal_attempt = std::max(0.0, small - m.steal_per_g);
}

// Two threads hand a turn back and forth through the runtime's futex notes: the round trip is
// two wake-ups, each from the wakeup() call to the sleeper running; wake is the waker's own
// time in wakeup() with a sleeper present.
void measure_wake(Measured& m, int reps) {
    constexpr int kRounds = 2'000;
    std::vector<double> rtt, wake;
    for (int r = 0; r < reps; ++r) {
        rt::Note ping, pong;
        double in_wakeup = 0;
        std::thread other([&] {
            for (int i = 0; i < kRounds; ++i) {
                ping.sleep();
                ping.clear();
                pong.wakeup();
            }
        });
        const auto t0 = Clock::now();
        for (int i = 0; i < kRounds; ++i) {
            std::this_thread::sleep_for(std::chrono::microseconds(20));  // let the other sleep
            const auto w0 = Clock::now();
            ping.wakeup();
            in_wakeup += ns_since(w0);
            pong.sleep();
            pong.clear();
        }
        const double total = ns_since(t0);
        other.join();
        wake.push_back(in_wakeup / kRounds);
        rtt.push_back(total / kRounds);
    }
    // The sleep_for is part of each round: measure it alone and take it out.
    const double nap = per_unit(3, 200, [] {
        for (int i = 0; i < 200; ++i) std::this_thread::sleep_for(std::chrono::microseconds(20));
    });
    m.wake = median(wake);
    // One round: nap, the wake to the other thread running, its wake back to us running.
    m.unpark = std::max(0.0, (median(rtt) - nap) / 2.0);
}

// ---- Across cores ------------------------------------------------------------------------------

// What a G costs when it runs on another core than the one that wrote it last. One thread
// writes kObjs G-shaped objects (a real G descriptor and the top of a stack, as many lines as a
// parked fork-join G uses), then another thread (or, for the baseline, the same one) reads and
// writes them as prepare_run and a resume do, visiting them in a random order chained through
// the objects, so no two visits overlap (a real switch does not overlap with the next either).
// migrate = cross-thread visit - same-thread visit. The same for a WaitGroup-style counter, one
// per cache line, decremented with a locked read-modify-write: remote_done = cross-thread RMW
// - same-thread RMW. Both need two CPUs.
void measure_cross_core(Measured& m, int reps) {
    if (std::thread::hardware_concurrency() < 2) return;
    m.stack_lines = std::clamp<std::size_t>((parked_stack_bytes() + 63) / 64, 2, 32);
    const std::size_t lines = m.stack_lines;
    constexpr std::size_t kObjs = 256;  // <= 256 x (2 KB + 192 B): within one core's L2, where the lines stay
    struct alignas(64) StackTop {
        std::uint64_t words[8];  // one cache line of stack
    };
    std::vector<rt::G> gs(kObjs);
    std::vector<StackTop> tops(kObjs * lines);
    const std::vector<std::uint32_t> order = random_order(kObjs, 0x9e3779b97f4a7c15ull);
    struct alignas(64) Counter {
        std::atomic<std::uint64_t> v{0};
    };
    std::vector<Counter> counters(kObjs);
    auto write_all = [&] {
        for (std::size_t k = 0; k < kObjs; ++k) {
            const std::uint32_t i = order[k];
            rt::G& g = gs[i];
            g.ctx = &tops[i * lines];
            g.id = k;
            std::memset(g.closure, int(k), sizeof g.closure);
            tops[i * lines].words[0] = order[(k + 1) % kObjs];  // the chain: where the next visit goes
            for (std::size_t l = 0; l < lines; ++l)
                for (int w = l ? 0 : 1; w < 8; ++w) tops[i * lines + l].words[w] = k + w;
            counters[i].v.store(order[(k + 1) % kObjs], std::memory_order_release);  // chained too
        }
    };
    volatile std::uint64_t sink = 0;
    auto visit_all = [&] {
        std::uint64_t acc = 0;
        std::uint32_t i = order[0];
        for (std::size_t k = 0; k < kObjs; ++k) {
            rt::G& g = gs[i];
            auto* top = static_cast<StackTop*>(g.ctx);
            acc += g.id + g.closure[0];
            g.state.store(rt::GState::Running, std::memory_order_relaxed);
            for (std::size_t l = 0; l < lines; ++l) top[l].words[1] += acc;  // the frames, popped
            i = static_cast<std::uint32_t>(top->words[0]);
        }
        sink = acc;
    };
    auto done_all = [&] {
        std::uint64_t i = order[0];
        for (std::size_t k = 0; k < kObjs; ++k) i = counters[i].v.fetch_add(0, std::memory_order_acq_rel);
        sink = i;
    };
    // Median over reps of the time of `part` per object, after the writes were done by the
    // other thread (remote) or by this one. The writer stays busy (spinning) while the reader
    // works: an idle core may write its cache back on the way to sleep, and the lines would
    // then come from the shared cache, not from the other core, as they do in a busy run.
    std::atomic<int> req{0};  // 1: write; 2: written; 3: reader done; -1: quit
    std::thread writer([&] {
        const bool pinned = pin_to_nth_cpu(1);
        for (;;) {
            int r;
            while ((r = req.load(std::memory_order_acquire)) == 0 || r == 2) cpu_relax_for_calibrate();
            if (r < 0) return;
            if (r == 1) {
                if (pinned) write_all();
                req.store(2, std::memory_order_release);
            } else if (r == 3) {
                req.store(0, std::memory_order_release);
            }
        }
    });
    auto timed = [&](bool remote, const std::function<void()>& part) {
        std::vector<double> xs;
        for (int r = 0; r < reps + 1; ++r) {
            if (remote) {
                req.store(1, std::memory_order_release);
                while (req.load(std::memory_order_acquire) != 2) cpu_relax_for_calibrate();
            } else {
                write_all();
            }
            const auto t0 = Clock::now();
            part();
            if (r > 0) xs.push_back(ns_since(t0) / kObjs);
            if (remote) {
                req.store(3, std::memory_order_release);
                while (req.load(std::memory_order_acquire) != 0) cpu_relax_for_calibrate();
            }
        }
        return median(xs);
    };
    std::vector<double> mig, done;
    std::thread reader([&] {
        if (!pin_to_nth_cpu(0)) return;
        const double mr = timed(true, visit_all), ml = timed(false, visit_all);
        mig.push_back(mr - ml);
        done.push_back(timed(true, done_all) - timed(false, done_all));
    });
    reader.join();
    req.store(-1, std::memory_order_release);
    writer.join();
    if (mig.empty()) return;
    m.migrate = std::max(0.0, mig[0]);
    m.remote_done = std::max(0.0, done[0]);
}

// runnext's put as with more than one P (a CAS) against as with one (plain stores).
void measure_shared_put(Measured& m, int reps) {
    constexpr int kOps = 1 << 20;
    std::vector<rt::G> gs(2);
    volatile std::uintptr_t sink = 0;
    auto loop = [&](bool shared) {
        rt::LocalRunQueue q;
        q.set_shared(shared);
        return per_unit(reps, kOps, [&] {
            for (int i = 0; i < kOps; ++i) {
                sink = sink + reinterpret_cast<std::uintptr_t>(q.swap_runnext(&gs[i & 1]));
            }
        });
    };
    m.runnext_cas = std::max(0.0, loop(true) - loop(false));
    m.shared_put = m.runnext_cas;
}

}  // namespace schedlab::harness::calibration
