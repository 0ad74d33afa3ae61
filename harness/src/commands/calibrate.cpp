// schedlab calibrate: the simulator's cost model measured on this machine. Each scheduler cost
// comes from a short in-process microbenchmark of schedlab's own runtime under Go's policy
// (rt::Runtime<policies::Go>) or of its parts (the local run queue, the spin lock of the
// global queue, the M's futex note); each kernel cost from the workloads' own code. Every
// figure is the median of several timed runs, after an untimed warm-up. The file is written
// as `key = value` lines with a comment saying how each value was found, and never over an
// existing file.
//
// The runtime-level figures are composites, so the single costs are solved from them, in the
// same terms the simulator charges them (sim/include/schedlab/sim/cost_model.hpp):
//   spawn then join on 1 P:     J  = spawn + 2 local_op + 2 switch + ready
//   spawnwait (go f(); <-done): W  = J + 2 chan_op
//   unbuffered ping-pong:       PP = 2 (switch + local_op + ready) + 4 chan_op
//   yield of one G on 1 P:      Y  = 2 global_op + switch + the yield's own path
//   spawn storm on 1 P, per G:  S  = spawn + fresh_g + local_op + switch
//   spawn then join on 2 Ps, the other kept busy: J2 = J + 2 shared_put
// with local_op and global_op measured directly. W - J gives chan_op, PP then switch + ready,
// J spawn; Y bounds switch from above. In J and W the child reuses the stack and descriptor
// the previous one freed; in S 200 000 Gs are live at once, so S over spawn is fresh_g.
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <thread>
#include <vector>

#include "schedlab/harness/commands.hpp"
#include "schedlab/harness/meta.hpp"
#include "schedlab/harness/results_file.hpp"
#include "schedlab/harness/stats.hpp"
#include "schedlab/peers/serial.hpp"
#include "schedlab/runtime/local_queue.hpp"
#include "schedlab/runtime/note.hpp"
#include "schedlab/runtime/schedlab.hpp"
#include "schedlab/sim/cost_model.hpp"
#include "schedlab/workloads/grain.hpp"
#include "schedlab/workloads/matmul.hpp"
#include "schedlab/workloads/nqueens.hpp"
#include "schedlab/workloads/uts.hpp"

namespace schedlab::harness {

namespace {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;
using R = GoRuntime;

double ns_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
}

// The median over `reps` timed calls of f() (after one untimed call), divided by `units`.
double per_unit(int reps, double units, const std::function<void()>& f) {
    f();
    std::vector<double> xs;
    for (int i = 0; i < reps; ++i) {
        const auto t0 = Clock::now();
        f();
        xs.push_back(ns_since(t0) / units);
    }
    return median(xs);
}

std::uint64_t fib_serial(int n) { return n < 2 ? static_cast<std::uint64_t>(n) : fib_serial(n - 1) + fib_serial(n - 2); }

struct Measured {
    double spawn_storm = 0, spawn_join = 0, yield = 0, local_op = 0, global_op = 0;
    double steal_attempt = 0, steal_per_g = 0, wake = 0, unpark = 0, spin_pause = 0;
    double fib_call_ps = 0, spin_ps = 0, uts_node = 0, gemm_flop_ps = 0;
    double migrate = -1, remote_done = -1, shared_put = 0;  // -1: not measured (one CPU)
    double runnext_cas = 0;   // LocalRunQueue::swap_runnext shared less unshared
    double shared_mode = -1;  // spawn+join on 2 Ps (the other busy) less on 1 P; -1: not measured
    double pause_jitter = 0;  // 4 x MAD of the spawnwait loop's time over a runnext-steal pause
    double spawn_wait = 0;    // a round of the spawnwait loop (go f(); <-done) on 1 P
    double ping_pong = 0, clock_read = 0, nqueens_call_ps = 0, nqueens_task_ps = 0, leaf_flop_ps = 0;
    std::size_t stack_lines = 0;  // cache lines of stack a parked fork-join G has in use
    std::vector<std::pair<double, double>> ws_curve;  // (Gs in turn, ns per yield)
};

// n rounds of fork one empty child, join it: J below, and on 2 Ps shared_put_ns.
void spawn_join_loop(std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) {
        R::Group g;
        g.spawn([] {});
        g.wait();
    }
}

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

void cpu_relax_for_calibrate() { rt::cpu_relax(); }

// Pin the calling thread to the i-th CPU it may run on; false if there is no such CPU.
bool pin_to_nth_cpu(unsigned i) {
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return false;
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &allowed) && i-- == 0) {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(c, &one);
            return pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0;
        }
    return false;
}

// The CPUs this process may run on.
std::vector<int> allowed_cpus() {
    std::vector<int> cpus;
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return cpus;
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &allowed)) cpus.push_back(c);
    return cpus;
}

// Pins the calling thread to one CPU for its lifetime (threads it creates meanwhile inherit
// the pin), then restores the thread's previous CPU set.
class PinScope {
public:
    explicit PinScope(int cpu) : active_(cpu >= 0) {
        if (!active_) return;
        pthread_getaffinity_np(pthread_self(), sizeof saved_, &saved_);
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        if (pthread_setaffinity_np(pthread_self(), sizeof one, &one) != 0)
            throw UsageError("calibrate: cannot pin to CPU " + std::to_string(cpu));
    }
    ~PinScope() {
        if (active_) pthread_setaffinity_np(pthread_self(), sizeof saved_, &saved_);
    }
    PinScope(const PinScope&) = delete;
    PinScope& operator=(const PinScope&) = delete;

private:
    bool active_;
    cpu_set_t saved_{};
};

// 0 .. n-1 in a random order fixed by seed (Fisher-Yates with a 64-bit LCG): chains of loads
// that visit objects in it cannot be prefetched, and every calibration visits the same order.
std::vector<std::uint32_t> random_order(std::size_t n, std::uint64_t seed) {
    std::vector<std::uint32_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
    for (std::size_t i = n; i-- > 1;) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        std::swap(order[i], order[(seed >> 33) % (i + 1)]);
    }
    return order;
}

// How fast each CPU runs one thread now, two ways, pinned there:
//  - loop_step_ns: ns per step of a loop that adds into a volatile (a load, an add and a store
//    per step: bound by the core's throughput, which a sibling hyperthread shares, not by one
//    long latency chain, which it hardly slows), the mean over ~30 ms. On a VM the vCPUs need
//    not be equal: on the 2-vCPU machine this was written on, one ran this loop 1.7-2.6x slower
//    than the other for minutes at a time (its host core shared or time-sliced).
//  - mem_load_ns: ns per load of a chain of dependent loads, one cache line in each 4 KiB page
//    of 64 MiB, in a random order (past the caches and, with 4 KiB pages, the TLB's reach, as
//    a cold G's stack and descriptor are), the mean over 4 passes after one to touch them. On
//    the same VM this went from 70 to 340 ns and back within minutes, on one vCPU and not the
//    other, while the loop above saw them equal; fine-grained fork-join on 1 P ran up to 2x
//    slower with it (fib spawn=both 22-32 ms at 68-126 ns, 38-47 ms at 200-345 ns, the probe
//    just before each run), so a CPU's memory is part of its speed.
//  - pair_rtt_ns: the round trip of one cache line between this CPU and the next one it may
//    run on (the last: the first), both threads pinned, the median of 7 batches; -1 with one
//    CPU. On the same VM it was 126 ns at times and 440-500 ns for long spells (the host
//    placed the two vCPUs near or far apart); fib(25) spawn=one on 2 Ps took 6.5 ms after a
//    126 ns probe and 10-18 ms after 440-500 ns ones, while neither figure above moved.
// The first two are means, not medians of short runs: a vCPU that is descheduled in bursts
// runs some short runs at full speed, and a median would pick those. The round trip is a
// median: a batch that a descheduling stretches measures the host, not the distance.
struct CpuSpeed {
    int cpu;
    double loop_step_ns, mem_load_ns, pair_rtt_ns;
};

// The round trip of a line between the i-th and the j-th allowed CPU (ns), -1 if either
// thread cannot be pinned.
double pair_round_trip(unsigned i, unsigned j) {
    constexpr int kTrips = 2000, kBatches = 7;
    alignas(64) std::atomic<std::uint32_t> line{0};
    std::atomic<bool> ok{true};
    std::thread echo([&] {
        if (!pin_to_nth_cpu(j)) ok = false;
        for (std::uint32_t v = 1; v <= std::uint32_t(kTrips * (kBatches + 1)); ++v) {
            while (line.load(std::memory_order_acquire) != 2 * v - 1)
                if (!ok.load(std::memory_order_relaxed)) return;
            line.store(2 * v, std::memory_order_release);
        }
    });
    std::vector<double> xs;
    double out = -1;
    if (pin_to_nth_cpu(i) && ok.load()) {
        std::uint32_t v = 0;
        for (int b = 0; b < kBatches + 1; ++b) {  // the first batch warms up
            const auto t0 = Clock::now();
            for (int k = 0; k < kTrips; ++k) {
                ++v;
                line.store(2 * v - 1, std::memory_order_release);
                while (line.load(std::memory_order_acquire) != 2 * v)
                    if (!ok.load(std::memory_order_relaxed)) break;
            }
            if (b > 0) xs.push_back(ns_since(t0) / kTrips);
        }
        if (ok.load()) out = median(xs);
    }
    ok = false;
    echo.join();
    return out;
}

std::vector<CpuSpeed> cpu_speeds() {
    std::vector<CpuSpeed> out;
    const auto cpus = allowed_cpus();
    for (unsigned i = 0; i < cpus.size(); ++i) {
        CpuSpeed s{cpus[i], -1, -1, -1};  // stays so if the thread cannot be pinned there
        std::thread t([&] {
            if (!pin_to_nth_cpu(i)) return;
            constexpr std::uint64_t kSteps = 100'000'000;
            auto loop = [](std::uint64_t steps) {
                volatile std::uint64_t x = 0;
                for (std::uint64_t k = 0; k < steps; ++k) x = x + k;
            };
            loop(kSteps / 10);  // warm-up
            auto t0 = Clock::now();
            loop(kSteps);
            s.loop_step_ns = ns_since(t0) / double(kSteps);

            // The chain: pages in a fixed random order, the line within a page varied so that
            // the loads do not all fall in the same cache set.
            constexpr std::size_t kPages = 16384, kPage = 4096, kPasses = 4;
            const std::vector<std::uint32_t> order = random_order(kPages, 0x2545f4914f6cdd1dull);
            std::vector<std::byte> buf(kPages * kPage);  // zeroed: every page touched here
            auto at = [&](std::uint64_t page) { return &buf[page * kPage + (page % 64) * 64]; };
            for (std::size_t k = 0; k < kPages; ++k) {
                void* next = at(order[(k + 1) % kPages]);
                std::memcpy(at(order[k]), &next, sizeof next);
            }
            void* p = at(order[0]);
            auto chase = [&p](std::size_t n) {
                for (std::size_t k = 0; k < n; ++k) p = *static_cast<void* volatile*>(p);
            };
            chase(kPages);
            t0 = Clock::now();
            chase(kPasses * kPages);
            s.mem_load_ns = ns_since(t0) / double(kPasses * kPages);
        });
        t.join();
        if (cpus.size() > 1) {
            std::thread pair([&] { s.pair_rtt_ns = pair_round_trip(i, (i + 1) % cpus.size()); });
            pair.join();
        }
        out.push_back(s);
    }
    return out;
}

// The CPU that `--cpu fastest` picks: the lowest sum of the two speeds, each relative to the
// best CPU's, so that a CPU slow at either loses (-1 figures: the CPU could not be measured).
int fastest_cpu(const std::vector<CpuSpeed>& speeds) {
    double best_loop = 0, best_mem = 0;
    for (const auto& s : speeds)
        if (s.loop_step_ns > 0 && s.mem_load_ns > 0) {
            if (best_loop == 0 || s.loop_step_ns < best_loop) best_loop = s.loop_step_ns;
            if (best_mem == 0 || s.mem_load_ns < best_mem) best_mem = s.mem_load_ns;
        }
    int cpu = -1;
    double best = 0;
    for (const auto& s : speeds) {
        if (s.loop_step_ns <= 0 || s.mem_load_ns <= 0) continue;
        const double score = s.loop_step_ns / best_loop + s.mem_load_ns / best_mem;
        if (cpu < 0 || score < best) cpu = s.cpu, best = score;
    }
    return cpu;
}

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

// What running with more than one P costs a fork-join G on its own P: the spawn+join loop on
// one P while a G keeps the other P busy (so no P is idle: no wake-ups, no thief), less the
// same loop on 1 P, split between the iteration's spawn and its ready (the simulator charges
// shared_put_ns on each). It covers everything the runtime does differently once Ps share
// queues: runnext's and the ring's CASes, wakep's fence and its reads of the idle count. A
// machine with one CPU keeps the CAS-only figure above. The busy G spins on a flag in a line
// of its own: on the loop's stack it would share lines the loop writes (measured: 4x slower).
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

// ---- Kernels -------------------------------------------------------------------------------

void measure_kernels(Measured& m, int reps) {
    constexpr int kFibN = 27;
    std::uint64_t calls = 0;
    for (std::uint64_t a = 1, b = 1, i = 1; i < kFibN; ++i) {  // calls of the naive recursion
        const std::uint64_t c = a + b + 1;
        a = b;
        b = c;
        calls = c;
    }
    volatile int n = kFibN;
    volatile std::uint64_t sink = 0;
    m.fib_call_ps = 1000.0 * per_unit(reps, double(calls), [&] { sink = fib_serial(n); });
    m.spin_ps = 1000.0 / workloads::spin_iters_per_ns();
    {
        const workloads::NQueens::Board b{11, 0, 0, 0, 0};
        const auto calls = static_cast<double>(workloads::NQueens::serial_calls(b));
        m.nqueens_call_ps = 1000.0 * per_unit(reps, calls, [&] { sink = workloads::NQueens::serial(b); });
        // The workload's own task body, each spawn a plain call (the serial-elision peer): a
        // task per node of the same tree, its frame's answers array, group and closures
        // included, which the bare search above has none of.
        workloads::Params p;
        p.set("n", "11");
        workloads::NQueens w(p);
        m.nqueens_task_ps = 1000.0 * per_unit(reps, calls, [&] {
            peers::Serial::run(1, [&] { w.template run<peers::Serial>(); });
            sink = w.check().ok;
        });
    }
    {
        // The matmul workload's default leaf (64) on its default matrices (512 x 512): blocks
        // are views with a leading dimension of 512, visited in turn as the recursion does.
        constexpr std::int64_t n = 512, b = 64, nb = n / b;
        std::vector<double> x, y, z(n * n, 0.0);
        workloads::matmul_detail::random_inputs(1, n, x, y);
        m.leaf_flop_ps = 1000.0 * per_unit(reps, 2.0 * n * n * n, [&] {
            for (std::int64_t i = 0; i < nb; ++i)
                for (std::int64_t j = 0; j < nb; ++j)
                    for (std::int64_t k = 0; k < nb; ++k)
                        workloads::matmul_detail::leaf_multiply(&z[(i + j * n) * b], n, &x[(i + k * n) * b], n,
                                                                &y[(k + j * n) * b], n, b, b, b);
        });
        sink = static_cast<std::uint64_t>(z[0] != 0);
    }
    {
        constexpr int kReads = 1 << 20;
        m.clock_read = per_unit(reps, kReads, [&] {
            for (int i = 0; i < kReads; ++i) sink = sink + static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
        });
    }
    {
        workloads::Params p;
        p.set("tree", "small");
        const workloads::Uts uts(p);
        const auto nodes = static_cast<double>(uts.tree().count_serial().nodes);
        m.uts_node = per_unit(reps, nodes, [&] { sink = uts.tree().count_serial().nodes; });
    }
    {
        constexpr int b = 128;  // the cholesky workload's default tile
        // One thread, as in the workload (cholesky.cpp is built without OpenMP). This file
        // is (it links the OpenMP peer), and Eigen would otherwise split the product over
        // OpenMP threads: half the time on a quiet machine, 80x it when pinned to one CPU.
        const int threads = Eigen::nbThreads();
        Eigen::setNbThreads(1);
        const Eigen::MatrixXd a = Eigen::MatrixXd::Random(b, b), c = Eigen::MatrixXd::Random(b, b);
        Eigen::MatrixXd out = Eigen::MatrixXd::Random(b, b);
        m.gemm_flop_ps = 1000.0 * per_unit(reps, 2.0 * b * b * b, [&] { out.noalias() -= a * c.transpose(); });
        sink = static_cast<std::uint64_t>(out(0, 0) != 0);
        Eigen::setNbThreads(threads);
    }
    {
        constexpr int kRelax = 1 << 16;  // the runtime's pause between steal passes: 32 cpu_relax
        m.spin_pause = 32.0 * per_unit(reps, kRelax, [] {
            for (int i = 0; i < kRelax; ++i) rt::cpu_relax();
        });
    }
}

std::uint64_t round_ns(double x) { return static_cast<std::uint64_t>(std::max(0.0, x) + 0.5); }

}  // namespace

int cmd_calibrate(const std::vector<std::string>& args, const std::vector<std::string>& /*argv*/) {
    po::options_description desc("calibrate options");
    desc.add_options()
        ("help,h", "this help")
        ("out,o", po::value<std::string>(), "cost file to write (refuses to overwrite one)")
        ("reps,r", po::value<int>()->default_value(7), "timed runs per figure (the median is kept)")
        ("gs", po::value<std::int64_t>()->default_value(200'000), "Gs (or yields) per runtime run")
        ("cpu", po::value<std::string>()->default_value("none"),
         "run the one-thread measurements on this CPU: a number, 'fastest' (by --cpu-speeds), or 'none' (where "
         "the OS puts them)")
        ("cpu-speeds",
         "print each CPU's speed as CSV and exit: ns per step of a load-add-store loop, ns per dependent load "
         "over 64 MiB, ns for a cache line's round trip to the next CPU");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& err) {
        throw UsageError(std::string("calibrate: ") + err.what());
    }
    if (vm.count("help")) {
        std::cout << desc;
        return 0;
    }
    if (vm.count("cpu-speeds")) {
        std::printf("cpu,loop_step_ns,mem_load_ns,pair_rtt_ns\n");
        for (const auto& s : cpu_speeds())
            std::printf("%d,%.4f,%.1f,%.1f\n", s.cpu, s.loop_step_ns, s.mem_load_ns, s.pair_rtt_ns);
        return 0;
    }
    if (!vm.count("out")) throw UsageError("calibrate: --out FILE is required");
    const std::string out = vm["out"].as<std::string>();
    const int reps = vm["reps"].as<int>();
    const std::int64_t gs = vm["gs"].as<std::int64_t>();
    if (reps < 1 || reps > 1000) throw UsageError("--reps must be between 1 and 1000");
    if (gs < 1000 || gs > 100'000'000) throw UsageError("--gs must be between 1000 and 100000000");
    // The CPU of the one-thread measurements, chosen before anything is written.
    const std::string cpu_arg = vm["cpu"].as<std::string>();
    const auto speeds = cpu_speeds();
    int cpu = -1;
    if (cpu_arg == "fastest") {
        cpu = fastest_cpu(speeds);
    } else if (cpu_arg != "none") {
        char* end = nullptr;
        errno = 0;
        const long v = std::strtol(cpu_arg.c_str(), &end, 10);
        const auto allowed = allowed_cpus();
        if (cpu_arg.empty() || *end != '\0' || errno != 0 || v < 0 ||
            std::find(allowed.begin(), allowed.end(), int(v)) == allowed.end())
            throw UsageError("calibrate: --cpu must be 'none', 'fastest' or a CPU this process may run on, not '" +
                             cpu_arg + "'");
        cpu = int(v);
    }
    // Refuse before measuring: claim the name now (O_EXCL), fill it through a temporary file.
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        if (errno == EEXIST) throw UsageError("refusing to overwrite " + out + " (remove it or pick another name)");
        throw UsageError("cannot create " + out + ": " + std::strerror(errno));
    }
    ::close(fd);
    Measured m;
    try {
        std::fprintf(stderr, "schedlab: calibrating (the runtime on 1 P, queues, steals, wake-ups, kernels)...\n");
        {
            const PinScope pin(cpu);  // the one-thread figures (and the 1-P runtime's M)
            measure_runtime(m, reps, gs);
            measure_working_set(m, reps, gs);
            measure_queues(m, reps);
            measure_shared_put(m, reps);
            measure_kernels(m, reps);
        }
        measure_steal(m, reps);
        measure_wake(m, reps);
        measure_cross_core(m, reps);
        measure_shared_mode(m, reps, gs);
    } catch (...) {
        ::unlink(out.c_str());
        throw;
    }

    sim::CostModel c;
    // The equations at the top. At 1 P the split of a G's round trip between switch and ready
    // cannot be told apart: ping-pong fixes their sum, the yield bounds switch from above (it
    // adds the yield's own path). Switch takes the bound, capped by the sum; ready the rest.
    const double chan = std::max(0.0, (m.spawn_wait - m.spawn_join) / 2.0);
    const double sum = std::max(0.0, m.ping_pong / 2.0 - m.local_op - 2.0 * chan);
    const double sw = std::min(std::max(0.0, m.yield - 2 * m.global_op), sum);
    const double spawn = std::max(0.0, m.spawn_join - 2.0 * m.local_op - sw - sum);
    c.local_op_ns = round_ns(m.local_op);
    c.global_op_ns = round_ns(m.global_op);
    c.switch_ns = round_ns(sw);
    c.spawn_ns = round_ns(spawn);
    c.fresh_g_ns = round_ns(std::max(0.0, m.spawn_storm - spawn - m.local_op - sw));
    c.ready_ns = round_ns(sum - sw);
    c.chan_op_ns = round_ns(chan);
    c.steal_attempt_ns = round_ns(m.steal_attempt);
    c.steal_per_g_ns = round_ns(m.steal_per_g);
    c.wake_ns = round_ns(m.wake);
    c.unpark_latency_ns = round_ns(m.unpark);
    c.spin_pause_ns = round_ns(m.spin_pause);
    if (m.migrate >= 0) c.migrate_ns = round_ns(m.migrate);
    if (m.remote_done >= 0) c.remote_done_ns = round_ns(m.remote_done);
    c.shared_put_ns = round_ns(m.shared_put);
    c.pause_jitter_ns = round_ns(m.pause_jitter);
    c.clock_read_ns = round_ns(m.clock_read);
    c.nqueens_call_ps = round_ns(m.nqueens_call_ps);
    c.nqueens_task_ps = round_ns(m.nqueens_task_ps);
    c.leaf_flop_ps = round_ns(m.leaf_flop_ps);
    {
        std::uint64_t* reuse[] = {&c.reuse_64_ns, &c.reuse_256_ns, &c.reuse_1024_ns, &c.reuse_4096_ns,
                                  &c.reuse_16384_ns, &c.reuse_65536_ns};
        std::size_t i = 0;
        for (const auto& [k, ns] : m.ws_curve)
            if (k >= 64 && i < std::size(reuse)) *reuse[i++] = round_ns(ns - m.ws_curve.front().second);
    }
    c.fib_call_ps = round_ns(m.fib_call_ps);
    c.spin_ps_per_iter = round_ns(m.spin_ps);
    c.uts_node_ns = round_ns(m.uts_node);
    c.gemm_flop_ps = round_ns(m.gemm_flop_ps);
    c.runnext_steal_pause_ns = rt::kRunnextStealPauseNs;
    c.spin_ns = rt::kDefaultSpinNs;
    c.time_slice_ns = rt::kTimeSliceNs;
    c.slice_check_every = rt::kSliceCheckEvery;

    char date[64];
    const std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
    char buf[1024];
    std::string text = "# schedlab simulator cost model, measured by `schedlab calibrate`\n";
    text += std::string("# date: ") + date + "\n# cpu: " + cpu_model() + " (" +
            std::to_string(std::thread::hardware_concurrency()) + " CPUs)\n";
    std::snprintf(buf, sizeof buf, "# medians of %d timed runs after a warm-up; runtime runs of %lld Gs on 1 P.\n",
                  reps, static_cast<long long>(gs));
    text += buf;
    text += "# one-thread figures measured on " + (cpu >= 0 ? "CPU " + std::to_string(cpu) : std::string("any CPU")) +
            "; CPU speeds, ns per step of a load-add-store loop / per dependent load over 64 MiB:";
    for (const auto& s : speeds) {
        std::snprintf(buf, sizeof buf, " cpu%d %.3f/%.0f", s.cpu, s.loop_step_ns, s.mem_load_ns);
        text += buf;
    }
    text += "\n";
    std::snprintf(buf, sizeof buf,
                  "# measured: spawn storm %.1f ns/G, spawn+join %.1f ns/iteration, spawnwait %.1f ns/round,\n"
                  "#   yield %.1f ns, ring pop %.1f ns, locked global-queue op %.1f ns;\n"
                  "#   steal %.1f ns per attempt + %.2f ns per G (cross-thread);\n"
                  "#   futex wake %.0f ns in the waker, %.0f ns wake-to-run; across cores: a G's lines %.0f ns,\n"
                  "#   a join counter's RMW %.0f ns (-1: one CPU, not measured); runnext CAS %.1f ns;\n"
                  "#   spawn+join on 2 Ps, the other busy, %.1f ns more than on 1 P (-1: not measured); a parked\n"
                  "#   fork-join G has %zu cache lines of stack in use; ping-pong round trip %.1f ns;\n#   clock read %.1f ns\n",
                  m.spawn_storm, m.spawn_join, m.spawn_wait, m.yield, m.local_op, m.global_op, m.steal_attempt, m.steal_per_g,
                  m.wake, m.unpark, m.migrate, m.remote_done, m.runnext_cas, m.shared_mode, m.stack_lines, m.ping_pong,
                  m.clock_read);
    text += buf;
    text += "# ns per turn (fork, join, yield) with K Gs in turn:";
    for (const auto& [k, ns] : m.ws_curve) {
        std::snprintf(buf, sizeof buf, " %.0f:%.1f", k, ns);
        text += buf;
    }
    text += "\n";
    auto how = [&m](const std::string& key) -> const char* {
        if (key == "spawn_ns") return "spawn+join - 2 x ring pop - switch - (switch + ready)";
        if (key == "fresh_g_ns") return "spawn storm per G - spawn - ring pop - switch";
        if (key == "ready_ns") return "ping-pong round trip / 2 - ring pop - 2 x chan_op - switch";
        if (key == "switch_ns")
            return "min(yield of one G on 1 P - 2 locked global-queue ops, ping-pong round trip / 2 - ring pop - "
                   "2 x chan_op)";
        if (key == "local_op_ns") return "LocalRunQueue put_tail + pop_head loop, half of a pair";
        if (key == "global_op_ns") return "SpinLock lock + GList push or pop + unlock";
        if (key == "steal_attempt_ns") return "steal_from a queue another thread just filled, 1 G moved, less one G";
        if (key == "steal_per_g_ns") return "steal_from of 32 Gs minus of 1 G, over 31";
        if (key == "wake_ns") return "Note::wakeup with a thread asleep on it, time in the call";
        if (key == "unpark_latency_ns") return "half the round trip of two threads waking each other through Notes";
        if (key == "spin_pause_ns") return "32 cpu_relax, timed in a loop";
        if (key == "migrate_ns")
            return m.migrate >= 0 ? "G descriptor + a parked fork-join G's stack lines visited after another CPU "
                                    "wrote them, less after this CPU did (random chained order)"
                                  : nullptr;
        if (key == "remote_done_ns")
            return m.remote_done >= 0 ? "locked decrement of a counter another CPU last wrote, less one this CPU did"
                                      : nullptr;
        if (key == "shared_put_ns")
            return m.shared_mode >= 0 ? "(spawn+join on 2 Ps with the other P busy - spawn+join on 1 P) / 2"
                                      : "LocalRunQueue::swap_runnext shared (CAS) less unshared";
        if (key == "chan_op_ns")
            return "(spawnwait round - spawn+join) / 2: the loops differ by a send and a receive";
        if (key == "clock_read_ns") return "std::chrono::steady_clock::now() in a loop";
        if (key == "pause_jitter_ns")
            return "4 x median absolute deviation of the spawnwait loop's time over one runnext-steal pause, 1 P";
        if (key == "nqueens_call_ps") return "nqueens' serial search of an 11 x 11 board, per call, in ps";
        if (key == "nqueens_task_ps") return "nqueens(11) through the serial-elision peer (spawn = call), per task, in ps";
        if (key == "leaf_flop_ps") return "matmul's leaf product, 64 x 64 blocks of 512 x 512 matrices, per flop, in ps";
        if (key.rfind("reuse_", 0) == 0) return "a turn (fork, join, yield) among K Gs on 1 P, less with 1 G (curve above)";
        if (key == "fib_call_ps") return "serial naive fib(27), per call, in ps";
        if (key == "spin_ps_per_iter") return "workloads::spin_iters_per_ns, inverted, in ps";
        if (key == "uts_node_ns") return "serial traversal of the UTS tree 'small', per node";
        if (key == "gemm_flop_ps") return "Eigen 128x128 tile GEMM (C -= A B^T), per flop, in ps";
        if (key == "runnext_steal_pause_ns" || key == "spin_ns" || key == "time_slice_ns" ||
            key == "slice_check_every")
            return "the runtime's constant (constants.hpp)";
        return nullptr;
    };
    sim::for_each_cost(c, [&](const char* name, std::uint64_t v, const char* source) {
        const char* h = how(name);
        text += std::string("# ") + (h ? std::string("measured: ") + h : std::string("default: ") + source) + "\n";
        text += std::string(name) + " = " + std::to_string(v) + "\n";
    });
    const std::string tmp = out + ".tmp";
    {
        std::ofstream f(tmp, std::ios::trunc);
        f << text;
        if (!f.flush()) {
            ::unlink(out.c_str());
            throw UsageError("cannot write " + tmp);
        }
    }
    if (std::rename(tmp.c_str(), out.c_str()) != 0) {
        ::unlink(out.c_str());
        throw UsageError("cannot rename " + tmp + " to " + out);
    }
    std::fputs(text.c_str(), stdout);
    std::fprintf(stderr, "schedlab: wrote %s\n", out.c_str());
    return 0;
}

}  // namespace schedlab::harness
