// Microbenchmarks of schedlab's G/M/P runtime under Go's policy: spawning, channel hand-offs,
// yield, a G-per-call recursion, and the memory a parked G costs.
//
// Timing: every benchmark times each rt.run() itself (UseManualTime), so the figure covers
// exactly one run of the scheduler, Ms starting and stopping included, and nothing of Google
// Benchmark's own loop. The derived figure (ns per G, per round trip, ...) is total manual
// time over total units across the iterations of one repetition; with
// --benchmark_repetitions its median lands in the aggregates.
//
// Warm-up: a Runtime keeps its G slabs and stack pool across runs, and the first touch of a
// fresh stack page costs a page fault (~8-16 us on a VM). Each benchmark therefore builds ONE
// Runtime, does one untimed run of the same work, and only then times runs. The exception is
// BM_ParkedGsMemory, which needs a fresh Runtime to see what a parked G really costs.
//
// Each benchmark also exports the scheduler counters of its last run (steals, parks,
// overflows, global_pulls, spawns), so they land in the JSON output.
//
// Cost: the full suite with --benchmark_repetitions=5 takes about 2.5 minutes on the 2-core
// VM, ~60 s of it BM_ParkedGsMemory (a million fresh stack pages, ~12 us each to fault in).
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <malloc.h>
#include <memory>
#include <sys/syscall.h>
#include <unistd.h>

#include "schedlab/runtime/schedlab.hpp"

namespace {

using R = schedlab::GoRuntime;
using Clock = std::chrono::steady_clock;

// Work sizes, chosen so the whole suite with --benchmark_repetitions=5 stays within about
// three minutes on a 2-core VM.
constexpr std::int64_t kSpawnStormGs = 1'000'000;
constexpr std::int64_t kSpawnThenWaitIters = 1'000'000;
constexpr std::int64_t kPingPongRoundTrips = 1'000'000;
constexpr std::int64_t kYieldsPerG = 1'000'000;
constexpr std::int64_t kParkedGs = 1'000'000;
constexpr std::int64_t kBlockingCalls = 1'000'000;
constexpr std::int64_t kHandoffCalls = 20'000;

std::unique_ptr<R> make_runtime(int procs) {
    schedlab::Options o;
    o.procs = procs;
    return std::make_unique<R>(o);
}

// One rt.run(main), timed; returns the wall time in nanoseconds and stores main's result.
template <class F, class Out>
double timed_run(R& rt, F& main, Out& out) {
    const auto t0 = Clock::now();
    out = rt.run(main);
    const auto t1 = Clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count();
}

void export_stats(benchmark::State& state, const schedlab::Stats& s) {
    state.counters["steals"] = static_cast<double>(s.steals);
    state.counters["parks"] = static_cast<double>(s.parks);
    state.counters["overflows"] = static_cast<double>(s.overflows);
    state.counters["global_pulls"] = static_cast<double>(s.global_pulls);
    state.counters["spawns"] = static_cast<double>(s.spawns);
}

// Finish a benchmark: derived per-unit figure, item rate, and the last run's counters.
void finish(benchmark::State& state, const R& rt, const char* per_unit_name, double total_ns,
            double total_units) {
    if (total_units > 0) state.counters[per_unit_name] = total_ns / total_units;
    state.SetItemsProcessed(static_cast<std::int64_t>(total_units));
    export_stats(state, rt.stats());
}

// Warm up once, then time one rt.run(main) per benchmark iteration. verify(result) returns an
// error message or nullptr; units(rt) is how many units (Gs, round trips, ...) a run did.
template <class F, class Verify, class Units>
void measure(benchmark::State& state, R& rt, F& main, Verify verify, Units units,
             const char* per_unit_name) {
    auto result = rt.run(main);  // warm-up: faults in every stack and G the work needs
    double total_ns = 0, total_units = 0;
    for (auto _ : state) {
        const double ns = timed_run(rt, main, result);
        state.SetIterationTime(ns * 1e-9);
        if (const char* error = verify(result)) {
            state.SkipWithError(error);
            break;
        }
        total_ns += ns;
        total_units += units(rt);
    }
    finish(state, rt, per_unit_name, total_ns, total_units);
}

// Registration shapes: whole runs timed by hand, in milliseconds, on 1 and 2 Ps (or 1 only).
void timed_runs(benchmark::internal::Benchmark* b, int iterations) {
    b->Iterations(iterations)->UseManualTime()->Unit(benchmark::kMillisecond);
}
void on_one_and_two_ps(benchmark::internal::Benchmark* b) {
    b->ArgName("procs")->Arg(1)->Arg(2);
    timed_runs(b, 5);
}
void on_one_p(benchmark::internal::Benchmark* b) {
    b->ArgName("procs")->Arg(1);
    timed_runs(b, 5);
}

// Resident set size in bytes, from /proc/self/statm (second field: resident pages).
std::int64_t rss_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return -1;
    long size = 0, resident = 0;
    const int got = std::fscanf(f, "%ld %ld", &size, &resident);
    std::fclose(f);
    if (got != 2) return -1;
    return static_cast<std::int64_t>(resident) * static_cast<std::int64_t>(sysconf(_SC_PAGESIZE));
}

// ---- 1. Spawn storm ------------------------------------------------------------------------
// main spawns N trivial Gs (each only calls wg.done()) and waits for all of them.
void BM_SpawnStorm(benchmark::State& state) {
    const int procs = static_cast<int>(state.range(0));
    const std::int64_t n = kSpawnStormGs;
    auto rt = make_runtime(procs);
    auto main = [n] {
        R::WaitGroup wg;
        wg.add(n);
        for (std::int64_t i = 0; i < n; ++i) R::go([&wg] { wg.done(); });
        wg.wait();
        return wg.count();
    };
    measure(
        state, *rt, main,
        [](std::int64_t left) { return left == 0 ? nullptr : "WaitGroup counter not zero after wait"; },
        [](const R& r) { return static_cast<double>(r.stats().spawns); },  // N + main
        "ns_per_G");
}
BENCHMARK(BM_SpawnStorm)->Apply(on_one_and_two_ps);

// ---- 2. Spawn then wait ----------------------------------------------------------------------
// `go f(); <-done` in a loop: f sends on an unbuffered channel that main receives from.
void BM_SpawnThenWait(benchmark::State& state) {
    const int procs = static_cast<int>(state.range(0));
    const std::int64_t n = kSpawnThenWaitIters;
    auto rt = make_runtime(procs);
    auto main = [n] {
        R::Chan<int> done(0);
        std::int64_t sum = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            R::go([&done] { done.send(1); });
            sum += done.recv();
        }
        return sum;
    };
    measure(
        state, *rt, main, [n](std::int64_t sum) { return sum == n ? nullptr : "wrong number of receives"; },
        [n](const R&) { return static_cast<double>(n); }, "ns_per_iter");
}
BENCHMARK(BM_SpawnThenWait)->Apply(on_one_p);

// ---- 3./4. Ping-pong -------------------------------------------------------------------------
// main and one other G bounce a counter over two channels of capacity `cap`; one round trip
// is main's send on `ping` plus its receive on `pong`.
void ping_pong(benchmark::State& state, std::size_t cap) {
    const int procs = static_cast<int>(state.range(0));
    const std::int64_t n = kPingPongRoundTrips;
    auto rt = make_runtime(procs);
    auto main = [n, cap] {
        R::Chan<std::int64_t> ping(cap), pong(cap);
        R::go([&ping, &pong, n] {
            for (std::int64_t i = 0; i < n; ++i) pong.send(ping.recv() + 1);
        });
        std::int64_t v = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            ping.send(v);
            v = pong.recv();
        }
        return v;
    };
    measure(
        state, *rt, main, [n](std::int64_t v) { return v == n ? nullptr : "ping-pong counter mismatch"; },
        [n](const R&) { return static_cast<double>(n); }, "ns_per_round_trip");
}
void BM_PingPongUnbuffered(benchmark::State& state) { ping_pong(state, 0); }
void BM_PingPongBuffered(benchmark::State& state) { ping_pong(state, 1); }
BENCHMARK(BM_PingPongUnbuffered)->Apply(on_one_and_two_ps);
BENCHMARK(BM_PingPongBuffered)->Apply(on_one_and_two_ps);

// ---- 5. Yield --------------------------------------------------------------------------------
// `gs` Gs each yield kYieldsPerG times (Go's Gosched: through the global queue); main waits.
void BM_Yield(benchmark::State& state) {
    const auto gs = static_cast<std::int64_t>(state.range(0));
    const int procs = static_cast<int>(state.range(1));
    const std::int64_t n = kYieldsPerG;
    auto rt = make_runtime(procs);
    auto main = [gs, n] {
        R::WaitGroup wg;
        wg.add(gs);
        for (std::int64_t g = 0; g < gs; ++g)
            R::go([&wg, n] {
                for (std::int64_t i = 0; i < n; ++i) R::yield();
                wg.done();
            });
        wg.wait();
        return 0;
    };
    measure(
        state, *rt, main, [](int) -> const char* { return nullptr; },
        [gs, n](const R&) { return static_cast<double>(gs * n); }, "ns_per_yield");
}
BENCHMARK(BM_Yield)
    ->ArgNames({"gs", "procs"})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Apply([](benchmark::internal::Benchmark* b) { timed_runs(b, 5); });

// ---- 6. fib with a G per call ----------------------------------------------------------------
// fib(n) spawns fib(n-1) and fib(n-2) as Gs, waits for both on a WaitGroup, and adds.
void fib_g(int n, std::int64_t* out) {
    if (n < 2) {
        *out = n;
        return;
    }
    std::int64_t a = 0, b = 0;
    R::WaitGroup wg;
    wg.add(2);
    R::go([n, &a, &wg] {
        fib_g(n - 1, &a);
        wg.done();
    });
    R::go([n, &b, &wg] {
        fib_g(n - 2, &b);
        wg.done();
    });
    wg.wait();
    *out = a + b;
}

constexpr std::int64_t fib_plain(int n) { return n < 2 ? n : fib_plain(n - 1) + fib_plain(n - 2); }
static_assert(fib_plain(27) == 196418 && fib_plain(30) == 832040);

void BM_FibGPerCall(benchmark::State& state) {
    const int n = static_cast<int>(state.range(0));
    const int procs = static_cast<int>(state.range(1));
    std::int64_t expected = 0, a = 0, b = 1;  // iterative fib for the check
    for (int i = 0; i < n; ++i) {
        expected = a + b;
        a = b;
        b = expected;
    }
    expected = a;
    auto rt = make_runtime(procs);
    auto main = [n] {
        std::int64_t r = 0;
        fib_g(n, &r);  // main is the root call: every call is a G
        return r;
    };
    measure(
        state, *rt, main, [expected](std::int64_t got) { return got == expected ? nullptr : "fib result is wrong"; },
        [](const R& r) { return static_cast<double>(r.stats().spawns); },  // calls, main included
        "ns_per_G");
    state.counters["stacks"] = static_cast<double>(rt->stack_pool().stacks_created());
}
BENCHMARK(BM_FibGPerCall)
    ->ArgNames({"n", "procs"})
    ->Args({27, 1})
    ->Args({27, 2})
    ->Args({30, 1})
    ->Args({30, 2})
    ->Apply([](benchmark::internal::Benchmark* b) { timed_runs(b, 2); });

// ---- 7. Memory of parked Gs ------------------------------------------------------------------
// main spawns N Gs that each count themselves in and park receiving from one unbuffered
// channel; once all N have counted in, main samples RSS, then closes the channel to release
// them. bytes_per_G = (RSS with N parked - RSS before the spawns) / N, on a FRESH Runtime so
// that every G struct and stack page is new memory. The timed figure is spawn-until-all-parked.
void BM_ParkedGsMemory(benchmark::State& state) {
    const int procs = static_cast<int>(state.range(0));
    const std::int64_t n = kParkedGs;
    double bytes_per_g = 0, ns_per_g = 0;
    std::int64_t rss_before = 0, rss_parked = 0;
    schedlab::Stats stats{};
    std::size_t stacks = 0;
    bool ok = true;
    for (auto _ : state) {
        // Give the heap that earlier Runtimes freed (their G slabs) back to the OS, or the new
        // G slabs would reuse already-resident memory and the delta would undercount them.
        malloc_trim(0);
        auto rt = make_runtime(procs);
        double park_ns = 0;
        auto main = [&] {
            R::Chan<int> gate(0);
            R::WaitGroup wg;
            std::atomic<std::int64_t> started{0};
            wg.add(n);
            rss_before = rss_bytes();
            const auto t0 = Clock::now();
            for (std::int64_t i = 0; i < n; ++i)
                R::go([&gate, &wg, &started] {
                    started.fetch_add(1, std::memory_order_relaxed);
                    int v = 0;
                    gate.recv(v);  // parks until close
                    wg.done();
                });
            while (started.load(std::memory_order_relaxed) < n) R::yield();
            park_ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
            rss_parked = rss_bytes();
            gate.close();
            wg.wait();
            return started.load(std::memory_order_relaxed);
        };
        const std::int64_t started = rt->run(main);
        state.SetIterationTime(park_ns * 1e-9);
        if (started != n || rss_before < 0 || rss_parked < 0) {
            ok = false;
            state.SkipWithError("parked-G run failed (start count or /proc/self/statm)");
            break;
        }
        bytes_per_g = static_cast<double>(rss_parked - rss_before) / static_cast<double>(n);
        ns_per_g = park_ns / static_cast<double>(n);
        stats = rt->stats();
        stacks = rt->stack_pool().stacks_created();
    }
    if (!ok) return;
    state.counters["bytes_per_G"] = bytes_per_g;
    state.counters["ns_per_G"] = ns_per_g;  // spawn + first run + park, fresh stacks
    state.counters["rss_before_MiB"] = static_cast<double>(rss_before) / (1 << 20);
    state.counters["rss_parked_MiB"] = static_cast<double>(rss_parked) / (1 << 20);
    state.counters["stacks"] = static_cast<double>(stacks);
    export_stats(state, stats);
}
BENCHMARK(BM_ParkedGsMemory)->ArgName("procs")->Arg(1)->Apply([](benchmark::internal::Benchmark* b) {
    timed_runs(b, 1);
});

// ---- 8. Blocking calls -----------------------------------------------------------------------
// One G makes N calls in a row: R::blocking around nothing (entry + exit, the P kept: the
// CAS pair), around a getpid system call, the same system call bare (the baseline the
// wrapper adds to), and R::blocking_handoff around nothing (the P handed to another M at
// entry, the G back through the global queue: two thread hand-overs per call). Go's figures
// for the same, syscall.Syscall(SYS_GETPID) against RawSyscall, are peers/go's
// BenchmarkSyscall*; scripts/bench_blocking runs both and prints them side by side.
enum class CallKind { Empty, Getpid, RawGetpid, HandoffEmpty };

void blocking_calls(benchmark::State& state, CallKind kind) {
    const int procs = static_cast<int>(state.range(0));
    const std::int64_t n = kind == CallKind::HandoffEmpty ? kHandoffCalls : kBlockingCalls;
    auto rt = make_runtime(procs);
    auto main = [kind, n] {
        long sum = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            switch (kind) {
                case CallKind::Empty: R::blocking([] {}); break;
                case CallKind::Getpid: sum += R::blocking([] { return ::syscall(SYS_getpid); }); break;
                case CallKind::RawGetpid: sum += ::syscall(SYS_getpid); break;
                case CallKind::HandoffEmpty: R::blocking_handoff([] {}); break;
            }
        }
        return sum;
    };
    const long expect = kind == CallKind::Getpid || kind == CallKind::RawGetpid ? long(getpid()) * n : 0;
    measure(
        state, *rt, main, [expect](long got) -> const char* { return got == expect ? nullptr : "wrong sum"; },
        [n](const R&) { return static_cast<double>(n); }, "ns_per_call");
    state.counters["handoffs"] = static_cast<double>(rt->stats().handoffs);
    state.counters["retakes"] = static_cast<double>(rt->stats().retakes);
}
void BM_BlockingEmpty(benchmark::State& state) { blocking_calls(state, CallKind::Empty); }
void BM_BlockingGetpid(benchmark::State& state) { blocking_calls(state, CallKind::Getpid); }
void BM_RawGetpid(benchmark::State& state) { blocking_calls(state, CallKind::RawGetpid); }
void BM_BlockingHandoffEmpty(benchmark::State& state) { blocking_calls(state, CallKind::HandoffEmpty); }
BENCHMARK(BM_BlockingEmpty)->Apply(on_one_and_two_ps);
BENCHMARK(BM_BlockingGetpid)->Apply(on_one_p);
BENCHMARK(BM_RawGetpid)->Apply(on_one_p);
BENCHMARK(BM_BlockingHandoffEmpty)->Apply(on_one_and_two_ps);

}  // namespace

BENCHMARK_MAIN();
