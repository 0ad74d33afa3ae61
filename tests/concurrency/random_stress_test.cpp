// A randomized stress of the runtime (issue 33): from a seed, Gs perform random operations
// (spawn with go, spawn into a WaitGroup or a Group and join, send, receive, select with and
// without default, yield, Mutex, and close) on a few channels of random capacities, under every
// named policy bundle on 1 to 4 Ps. Every run checks exact answers: every spawned G ran exactly
// once, every value a send delivered was received exactly once (and none that a send did not
// deliver), on the channel it was sent on and intact; a close happens exactly once per channel,
// a receive sees a close only after one, a send fails only on a closed channel; no two Gs hold
// the Mutex at once and it kept its counter; a WaitGroup wakes a second waiter only after the
// Gs it waited for; the runtime's spawn counter agrees with the number of Gs.
// A lost wake-up shows as the runtime's deadlock report, after the configuration's line.
//
// Deadlock-free by construction. Each round has nch channels, numbered 0..nch-1, and each G a
// rank r in [-1, nch-1]:
//  - a G may block receiving only on its home channel r (ranks >= 0), and it may send only to
//    channels it holds a sender reference on, all numbered above r; a channel is closed when its
//    last reference is dropped (or earlier, once, by the sender that makes its k-th attempt);
//  - every channel has one or two pure consumers (spawned by main) that receive until it is
//    closed and drained, so a send always completes (or fails on a closed channel);
//  - a G joins (WaitGroup, Group) only children of a rank <= its own, whose references are its
//    own, so numbered above its rank; a watcher (a second waiter on a G's WaitGroup) holds
//    nothing and is joined by that G's Group;
//  - selects without default hold only cases that are sends or the home receive, a select with
//    default never waits, every loop is bounded, and a Mutex holder only yields.
// A wait then goes either to a G of lower rank (the senders of the home channel) or down the
// spawn tree without raising the rank, so no cycle of waits can form, and every G finishes.
//
// Sizes: SCHEDLAB_STRESS_OPS is the operation budget of the whole suite (every bundle x every
// P count), split evenly, 1/36 per configuration whatever subset --gtest_filter runs, in up to
// 32 rounds (fresh channels, same Runtime); the ops done (printed) are about a fifth more: the
// consumers' receives and the final joins and closes count too. SCHEDLAB_STRESS_SEED seeds it (else kDefaultSeed). Each configuration prints a line
// before it runs (so a crash names it) and one with its figures after; scripts/stress runs
// 10^7 operations in release and sums them.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "schedlab/runtime/schedlab.hpp"
#include "schedlab/workloads/grain.hpp"
#include "support/stats_checks.hpp"

namespace {

using schedlab::rt::ChanClosedError;
using schedlab::rt::default_case;
using schedlab::rt::recv_case;
using schedlab::rt::SelectCase;
using schedlab::rt::send_case;
using schedlab::testing::expect_stats_add_up;
using schedlab::workloads::mix64;
using schedlab::workloads::SplitMix;
namespace pol = schedlab::policies;

// Default budgets per configuration (bundle x P count). ThreadSanitizer costs one to two
// orders of magnitude per switch and atomic, so its runs are smaller. Measured on this
// machine's 2 cores, per test (one bundle on 1-4 Ps): release ~0.2 s, ASan+UBSan ~1 s,
// TSan ~3-4 s.
#if defined(__SANITIZE_THREAD__)
constexpr std::uint64_t kDefaultOpsPerConfig = 12'000;
#else
constexpr std::uint64_t kDefaultOpsPerConfig = 150'000;
#endif
constexpr std::uint64_t kDefaultSeed = 33;
constexpr int kMaxProcs = 4;
// A configuration that runs this long is taken for a hang: its line is printed and the
// process aborts (a lost G is reported by the runtime's deadlock check instead).
constexpr int kHangSeconds = 240;

using Bundles = ::testing::Types<pol::Go, pol::TokioLike, pol::CilkLike, pol::NoRunnext,
                                 pol::StealAllBundle, pol::GciNever, pol::Numa,
                                 pol::NumaBiasedBundle, pol::Hierarchical>;
constexpr int kBundles = 9;  // the list above: scripts/stress prints 9 x 4 figures
constexpr int kConfigs = kBundles * kMaxProcs;

// ---- Settings from the environment -------------------------------------------------------------

struct Settings {
    std::uint64_t seed = kDefaultSeed;
    std::uint64_t suite_ops = kDefaultOpsPerConfig * kConfigs;
    std::string error;  // a malformed variable
};

bool parse_u64(const char* text, std::uint64_t& out) {
    if (!text || !*text) return false;
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || text[0] < '0' || text[0] > '9') return false;
    out = v;
    return true;
}

Settings settings() {
    Settings s;
    if (const char* v = std::getenv("SCHEDLAB_STRESS_SEED"); v && !parse_u64(v, s.seed))
        s.error = std::string("SCHEDLAB_STRESS_SEED='") + v + "' is not a number";
    // At most 10^11: a round's value ids are 32-bit (3 per operation at most).
    if (const char* v = std::getenv("SCHEDLAB_STRESS_OPS");
        v && (!parse_u64(v, s.suite_ops) || s.suite_ops == 0 || s.suite_ops > 100'000'000'000))
        s.error = std::string("SCHEDLAB_STRESS_OPS='") + v + "' is not a number from 1 to 10^11";
    static bool printed = false;
    if (!printed && s.error.empty()) {
        printed = true;
        std::printf("random_stress: seed=%llu ops=%llu (%llu per bundle and P count)\n",
                    static_cast<unsigned long long>(s.seed), static_cast<unsigned long long>(s.suite_ops),
                    static_cast<unsigned long long>(s.suite_ops / kConfigs));
        std::fflush(stdout);
    }
    return s;
}

// ---- Operations and values ---------------------------------------------------------------------

enum Op : int {
    kSend,
    kRecv,
    kSelectDefault,
    kSelectBlocking,
    kClose,
    kGo,
    kSpawnWg,
    kSpawnGroup,
    kJoinWg,
    kJoinGroup,
    kWatch,
    kYield,
    kMutex,
    kOps
};
constexpr const char* kOpNames[kOps] = {"send",  "recv",     "select_default", "select", "close",
                                        "go",    "wg_spawn", "group_spawn",    "wg_wait", "group_wait",
                                        "wg_watch", "yield", "mutex"};

// A value on a channel: a unique id, the channel it was sent on, and a checksum of both. The
// zero Msg is what a receive from a closed channel yields; a real one has an odd checksum.
struct Msg {
    std::uint32_t id = 0;
    std::uint32_t chan = 0;
    std::uint64_t check = 0;
};
std::uint64_t checksum(std::uint32_t id, std::uint32_t chan) {
    return mix64((std::uint64_t{chan} << 32) | id) | 1;
}

constexpr int kMaxChans = 8;
constexpr std::uint32_t kNone = ~std::uint32_t{0};
using Counts = std::uint64_t[kOps];

// Channels numbered above `rank` (rank -1: all of them).
std::uint32_t above(int rank, int nch) {
    return ((1u << nch) - 1) & ~((1u << (rank + 1)) - 1);
}
// A uniformly chosen set bit of mask (mask != 0).
int pick_bit(std::uint32_t mask, SplitMix& rng) {
    auto k = static_cast<int>(rng.below(static_cast<std::uint64_t>(__builtin_popcount(mask))));
    for (;; mask &= mask - 1)
        if (k-- == 0) return __builtin_ctz(mask);
}

// Everything one round's Gs share; built on the test's thread before the run, checked after.
template <class R>
struct Round {
    using Chan = typename R::template Chan<Msg>;

    Round(std::uint64_t ops, SplitMix& rng)
        : budget(ops),
          nch(1 + static_cast<int>(rng.below(kMaxChans))),
          runs(ops + 2 * kMaxChans + 8),
          sent(3 * ops + 8),
          received(3 * ops + 8) {
        static constexpr std::size_t kCaps[] = {0, 0, 0, 1, 2, 5, 32};
        const std::uint64_t sends_per_chan = std::max<std::uint64_t>(1, ops / 8 / static_cast<std::uint64_t>(nch));
        for (int c = 0; c < nch; ++c) {
            cap[c] = kCaps[rng.below(std::size(kCaps))];
            chans.push_back(std::make_unique<Chan>(cap[c]));
            // Half of the channels are closed early, by the sender whose attempt is the k-th.
            close_at[c] = rng.below(2) ? static_cast<std::uint32_t>(1 + rng.below(sends_per_chan)) : 0;
            refs[c].store(1, std::memory_order_relaxed);  // main's
        }
    }

    // A check that failed inside a G: counted, the first 8 kept, reported after the run.
    void anomaly(std::string what) {
        std::lock_guard<std::mutex> l(anomalies_mu);
        ++anomaly_count;
        if (anomalies.size() < 8) anomalies.push_back(std::move(what));
    }

    const std::uint64_t budget;
    const int nch;
    std::vector<std::unique_ptr<Chan>> chans;
    std::size_t cap[kMaxChans] = {};
    std::uint32_t close_at[kMaxChans] = {};  // early close at this send attempt (0: never)
    std::atomic<std::uint32_t> send_attempts[kMaxChans] = {};
    std::atomic<bool> early_closed[kMaxChans] = {};
    std::atomic<int> refs[kMaxChans] = {};  // sender references
    std::atomic<int> closes_ok[kMaxChans] = {};
    std::atomic<std::uint64_t> close_errors{0}, early_closes{0};

    std::vector<std::atomic<std::uint8_t>> runs;  // per G: times it ran
    std::atomic<std::uint32_t> gs{0};
    std::vector<std::atomic<std::uint8_t>> sent;  // per value id: 1 once its send returned
    std::vector<std::atomic<std::uint8_t>> received;
    std::atomic<std::uint32_t> values{0};
    std::atomic<std::uint64_t> send_errors{0};
    std::atomic<std::uint64_t> overflow{0};  // more Gs or values than sized for: a test bug

    std::atomic<std::uint64_t> ops[kOps] = {};
    typename R::WaitGroup all_done;  // every G of the round
    typename R::Mutex mu;
    std::uint64_t mu_counter = 0;  // plain: only mu orders it
    std::atomic<bool> in_mutex{false};  // set by the holder: a second holder finds it set

    std::mutex anomalies_mu;
    std::vector<std::string> anomalies;
    std::uint64_t anomaly_count = 0;
};

// The Gs' programs.
template <class R>
struct Driver {
    using Rd = Round<R>;
    using WaitGroup = typename R::WaitGroup;
    using Group = typename R::Group;
    // The children a G joins through a WaitGroup, and how many of them have finished.
    struct Joined {
        WaitGroup wg;
        std::atomic<std::uint32_t> finished{0};
    };

    struct Spec {
        std::uint32_t idx;   // index into Round::runs
        std::int32_t rank;   // home channel (-1: none)
        std::uint32_t refs;  // sender references held, channels above rank
        std::uint64_t budget;
        std::uint64_t seed;
    };

    static std::uint32_t new_g(Rd& rd) {
        rd.all_done.add(1);
        const std::uint32_t i = rd.gs.fetch_add(1, std::memory_order_relaxed);
        if (i >= rd.runs.size()) {
            rd.overflow.fetch_add(1, std::memory_order_relaxed);
            return kNone;
        }
        return i;
    }
    static void started(Rd& rd, std::uint32_t idx) {
        if (idx != kNone) rd.runs[idx].fetch_add(1, std::memory_order_relaxed);
    }
    static std::uint32_t new_value(Rd& rd) {
        const std::uint32_t id = rd.values.fetch_add(1, std::memory_order_relaxed);
        if (id >= rd.sent.size()) {
            rd.overflow.fetch_add(1, std::memory_order_relaxed);
            return kNone;
        }
        return id;
    }

    // A receive on channel c returned m (ok) or reported the channel closed (!ok).
    static void received(Rd& rd, const Msg& m, bool ok, int c) {
        const auto ch = static_cast<std::uint32_t>(c);
        if (!ok) {
            if (m.id != 0 || m.chan != 0 || m.check != 0)
                rd.anomaly("a receive from closed channel " + std::to_string(c) + " yielded id " +
                           std::to_string(m.id) + ", not the zero value");
            // Closed by the early closer (flag set first) or after its last reference went.
            if (!rd.early_closed[c].load(std::memory_order_acquire) &&
                rd.refs[c].load(std::memory_order_acquire) != 0)
                rd.anomaly("a receive saw channel " + std::to_string(c) + " closed before anybody closed it");
            return;
        }
        if (m.id >= rd.received.size() || m.chan != ch || m.check != checksum(m.id, m.chan)) {
            rd.anomaly("channel " + std::to_string(c) + " delivered a corrupt value (id " + std::to_string(m.id) +
                       ", channel " + std::to_string(m.chan) + ")");
            return;
        }
        rd.received[m.id].fetch_add(1, std::memory_order_relaxed);
    }

    static void close_chan(Rd& rd, int c, Counts& n) {
        ++n[kClose];
        try {
            rd.chans[static_cast<std::size_t>(c)]->close();
            rd.closes_ok[c].fetch_add(1, std::memory_order_relaxed);
        } catch (const ChanClosedError&) {
            rd.close_errors.fetch_add(1, std::memory_order_relaxed);
        }
    }
    // After a send attempt on c: the attempt that reaches close_at closes it early.
    static void attempted(Rd& rd, int c, Counts& n) {
        if (rd.close_at[c] == 0 || rd.send_attempts[c].fetch_add(1, std::memory_order_relaxed) + 1 != rd.close_at[c])
            return;
        rd.early_closed[c].store(true, std::memory_order_release);
        rd.early_closes.fetch_add(1, std::memory_order_relaxed);
        close_chan(rd, c, n);
    }
    // A send on c failed: the sender holds a reference, so only the early close can explain it.
    static void send_failed(Rd& rd, int c, std::uint32_t& live) {
        rd.send_errors.fetch_add(1, std::memory_order_relaxed);
        if (!rd.early_closed[c].load(std::memory_order_acquire))
            rd.anomaly("a send on channel " + std::to_string(c) + " failed, but it was not closed");
        live &= ~(1u << c);
    }

    static void send_one(Rd& rd, int c, std::uint32_t& live, Counts& n) {
        const std::uint32_t id = new_value(rd);
        if (id == kNone) return;
        ++n[kSend];
        try {
            rd.chans[static_cast<std::size_t>(c)]->send(Msg{id, static_cast<std::uint32_t>(c), checksum(id, static_cast<std::uint32_t>(c))});
            rd.sent[id].store(1, std::memory_order_relaxed);
        } catch (const ChanClosedError&) {
            send_failed(rd, c, live);
        }
        attempted(rd, c, n);
    }

    static int select_n(SelectCase* cs, int n) {
        switch (n) {
            case 1: return R::select(cs[0]);
            case 2: return R::select(cs[0], cs[1]);
            case 3: return R::select(cs[0], cs[1], cs[2]);
            default: return R::select(cs[0], cs[1], cs[2], cs[3]);
        }
    }

    // One select of 1-3 cases (plus default when with_default). With default: receives from
    // any channel and sends on live references. Without: only the home receive and sends.
    static void select_op(Rd& rd, SplitMix& rng, bool with_default, int home, bool& home_open,
                          std::uint32_t& live, Counts& n) {
        SelectCase cs[4];
        Msg slot[3];
        bool ok[3] = {false, false, false};
        int chan[3] = {};
        bool is_send[3] = {};
        std::uint32_t ids[3] = {};
        int k = 0;
        const auto want = static_cast<int>(1 + rng.below(3));
        for (int i = 0; i < want; ++i) {
            const bool can_recv = with_default || home_open;
            const bool send = live != 0 && (!can_recv || rng.below(2) == 0);
            if (send) {
                const int c = pick_bit(live, rng);
                const std::uint32_t id = new_value(rd);
                if (id == kNone) break;
                slot[k] = Msg{id, static_cast<std::uint32_t>(c), checksum(id, static_cast<std::uint32_t>(c))};
                cs[k] = send_case(*rd.chans[static_cast<std::size_t>(c)], slot[k]);
                chan[k] = c;
                ids[k] = id;
            } else if (can_recv) {
                const int c = with_default ? static_cast<int>(rng.below(static_cast<std::uint64_t>(rd.nch))) : home;
                cs[k] = recv_case(*rd.chans[static_cast<std::size_t>(c)], slot[k], &ok[k]);
                chan[k] = c;
            } else {
                break;
            }
            is_send[k] = send;
            ++k;
        }
        if (k == 0) return;
        if (with_default) cs[k] = default_case();
        ++n[with_default ? kSelectDefault : kSelectBlocking];
        int w = -1;
        try {
            w = select_n(cs, with_default ? k + 1 : k);
        } catch (const ChanClosedError&) {
            // A send case found its channel closed: which one, the select does not say.
            rd.send_errors.fetch_add(1, std::memory_order_relaxed);
            bool explained = false;
            for (int i = 0; i < k; ++i)
                if (is_send[i] && rd.early_closed[chan[i]].load(std::memory_order_acquire)) {
                    explained = true;
                    live &= ~(1u << chan[i]);
                }
            if (!explained) rd.anomaly("a select's send failed, but none of its channels was closed");
            return;
        }
        if (w == k && with_default) return;
        if (w < 0 || w >= k) {
            rd.anomaly("select returned case " + std::to_string(w) + " of " + std::to_string(k));
            return;
        }
        if (is_send[w]) {
            rd.sent[ids[w]].store(1, std::memory_order_relaxed);
            attempted(rd, chan[w], n);
        } else {
            received(rd, slot[w], ok[w], chan[w]);
            if (!ok[w] && chan[w] == home) home_open = false;
        }
    }

    // A child's spec: a rank in [-1, max_rank], a random subset of the parent's live
    // references above it (counted before the spawn: the parent's own keeps the count > 0).
    static Spec child(Rd& rd, SplitMix& rng, int max_rank, std::uint32_t live, std::uint64_t budget) {
        const int rank = -1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(max_rank) + 2));
        // Each reference with probability 3/4, so that most Gs have somewhere to send.
        const std::uint32_t refs = live & above(rank, rd.nch) & static_cast<std::uint32_t>(rng.next() | rng.next());
        for (std::uint32_t m = refs; m; m &= m - 1) rd.refs[__builtin_ctz(m)].fetch_add(1, std::memory_order_relaxed);
        return Spec{new_g(rd), rank, refs, budget, rng.next()};
    }

    static void finish(Rd& rd, const Counts& n) {
        for (int k = 0; k < kOps; ++k)
            if (n[k]) rd.ops[k].fetch_add(n[k], std::memory_order_relaxed);
    }

    // A G of the random program.
    static void random_g(Rd* rdp, Spec s, Joined* parent) {
        Rd& rd = *rdp;
        started(rd, s.idx);
        SplitMix rng(s.seed);
        Counts n = {};
        std::uint32_t live = s.refs;
        bool home_open = s.rank >= 0;
        Joined joined;
        Group group;
        int wg_pending = 0, group_pending = 0;
        std::uint32_t wg_spawned = 0;
        std::uint64_t budget = s.budget;
        while (budget > 0) {
            --budget;
            int w[kOps] = {};
            w[kSend] = live ? 20 : 0;
            w[kRecv] = home_open ? 14 : 0;
            w[kSelectDefault] = 6;
            w[kSelectBlocking] = home_open || live ? 6 : 0;
            w[kGo] = 4;
            w[kSpawnWg] = 3;
            w[kSpawnGroup] = 4;
            w[kJoinWg] = wg_pending ? 3 : 0;
            w[kJoinGroup] = group_pending ? 3 : 0;
            w[kWatch] = wg_pending ? 2 : 0;
            w[kYield] = 3;
            w[kMutex] = 3;
            int total = 0;
            for (int x : w) total += x;
            auto r = static_cast<int>(rng.below(static_cast<std::uint64_t>(total)));
            int op = 0;
            while (r >= w[op]) r -= w[op++];
            switch (op) {
                case kSend:
                    send_one(rd, pick_bit(live, rng), live, n);
                    break;
                case kRecv: {
                    Msg m;
                    const bool ok = rd.chans[static_cast<std::size_t>(s.rank)]->recv(m);
                    ++n[kRecv];
                    received(rd, m, ok, s.rank);
                    home_open = ok;
                    break;
                }
                case kSelectDefault:
                case kSelectBlocking:
                    select_op(rd, rng, op == kSelectDefault, s.rank, home_open, live, n);
                    break;
                case kGo:
                case kSpawnWg:
                case kSpawnGroup: {
                    const std::uint64_t b = rng.below(budget / 2 + 1);
                    budget -= b;
                    const Spec c = child(rd, rng, op == kGo ? rd.nch - 1 : s.rank, live, b);
                    ++n[op];
                    if (op == kGo) {
                        R::go([rdp, c] { random_g(rdp, c, nullptr); });
                    } else if (op == kSpawnWg) {
                        joined.wg.add(1);
                        ++wg_pending;
                        ++wg_spawned;
                        Joined* j = &joined;
                        R::go([rdp, c, j] { random_g(rdp, c, j); });
                    } else {
                        ++group_pending;
                        group.spawn([rdp, c] { random_g(rdp, c, nullptr); });
                    }
                    break;
                }
                case kJoinWg:
                    ++n[kJoinWg];
                    joined.wg.wait();
                    wg_pending = 0;
                    break;
                case kWatch: {
                    // Another G waits on the same WaitGroup (a second waiter to wake); this
                    // G's group joins it, as the WaitGroup lives in this frame.
                    ++n[kWatch];
                    ++group_pending;
                    const std::uint32_t idx = new_g(rd);
                    Joined* j = &joined;
                    const std::uint32_t batch = wg_spawned;
                    group.spawn([rdp, idx, j, batch] { watcher(rdp, idx, j, batch); });
                    break;
                }
                case kJoinGroup:
                    ++n[kJoinGroup];
                    group.wait();
                    group_pending = 0;
                    break;
                case kYield:
                    ++n[kYield];
                    R::yield();
                    break;
                case kMutex:
                    ++n[kMutex];
                    if (rng.below(4) != 0 || !rd.mu.try_lock()) rd.mu.lock();
                    if (rd.in_mutex.exchange(true, std::memory_order_relaxed))
                        rd.anomaly("two Gs held the Mutex at once");
                    ++rd.mu_counter;
                    if (rng.below(8) == 0) R::yield();  // hold it across a reschedule
                    rd.in_mutex.store(false, std::memory_order_relaxed);
                    rd.mu.unlock();
                    break;
                default:
                    break;
            }
        }
        if (wg_pending) {
            ++n[kJoinWg];
            joined.wg.wait();
        }
        if (group_pending) {
            ++n[kJoinGroup];
            group.wait();
        }
        for (std::uint32_t m = s.refs; m; m &= m - 1) {
            const int c = __builtin_ctz(m);
            if (rd.refs[c].fetch_sub(1, std::memory_order_acq_rel) == 1) close_chan(rd, c, n);
        }
        finish(rd, n);
        if (parent) {
            parent->finished.fetch_add(1, std::memory_order_relaxed);
            parent->wg.done();
        }
        rd.all_done.done();
    }

    // A G that waits on another G's WaitGroup, spawned after `batch` children had been added
    // to it: when its wait returns, all of those have finished.
    static void watcher(Rd* rdp, std::uint32_t idx, Joined* j, std::uint32_t batch) {
        Rd& rd = *rdp;
        started(rd, idx);
        Counts n = {};
        ++n[kJoinWg];
        j->wg.wait();
        const std::uint32_t finished = j->finished.load(std::memory_order_relaxed);
        if (finished < batch)
            rd.anomaly("a WaitGroup's wait returned when " + std::to_string(finished) + " of the " +
                       std::to_string(batch) + " Gs it waited for had finished");
        finish(rd, n);
        rd.all_done.done();
    }

    // A pure consumer of channel c: receives (in one of four ways) until c is closed and
    // drained. It never waits on anything else, so every send on c completes.
    static void consumer(Rd* rdp, std::uint32_t idx, int c, std::uint64_t seed) {
        Rd& rd = *rdp;
        started(rd, idx);
        SplitMix rng(seed);
        Counts n = {};
        auto& ch = *rd.chans[static_cast<std::size_t>(c)];
        for (bool open = true; open;) {
            Msg m;
            bool ok = false;
            switch (rng.below(4)) {
                case 0:
                    ok = ch.recv(m);
                    break;
                case 1:
                    m = ch.recv();
                    ok = m.check != 0;  // the zero Msg: closed
                    break;
                case 2:
                    R::select(recv_case(ch, m, &ok));
                    break;
                default:
                    if (R::select(recv_case(ch, m, &ok), default_case()) == 1) {
                        R::yield();  // nothing ready: let others run, then wait properly
                        ok = ch.recv(m);
                    }
                    break;
            }
            ++n[kRecv];
            received(rd, m, ok, c);
            open = ok;
        }
        finish(rd, n);
        rd.all_done.done();
    }

    // main's part of a round: the consumers, then a few roots (ranks and references at
    // random), then main drops its own references and waits for every G.
    static void main_g(Rd* rdp, std::uint64_t seed) {
        Rd& rd = *rdp;
        SplitMix rng(seed);
        Counts n = {};
        for (int c = 0; c < rd.nch; ++c)
            for (int k = 0, m = 1 + static_cast<int>(rng.below(2)); k < m; ++k) {
                const std::uint32_t idx = new_g(rd);
                const std::uint64_t cs = rng.next();
                R::go([rdp, idx, c, cs] { consumer(rdp, idx, c, cs); });
            }
        const int roots = 1 + static_cast<int>(rng.below(4));
        std::uint64_t left = rd.budget;
        const std::uint32_t all = above(-1, rd.nch);
        for (int k = 0; k < roots; ++k) {
            const std::uint64_t b = k + 1 == roots ? left : rng.below(left + 1);
            left -= b;
            const Spec c = child(rd, rng, rd.nch - 1, all, b);
            ++n[kGo];
            R::go([rdp, c] { random_g(rdp, c, nullptr); });
        }
        for (int c = 0; c < rd.nch; ++c)
            if (rd.refs[c].fetch_sub(1, std::memory_order_acq_rel) == 1) close_chan(rd, c, n);
        finish(rd, n);
        rd.all_done.wait();
    }
};

// ---- A watchdog for hangs ----------------------------------------------------------------------

class Watchdog {
public:
    Watchdog()
        : thread_([this] {
              std::unique_lock<std::mutex> l(mu_);
              while (!stop_) {
                  if (armed_ && std::chrono::steady_clock::now() >= deadline_) {
                      std::fprintf(stderr, "random_stress: %s still running after %d s: aborting\n",
                                   what_.c_str(), kHangSeconds);
                      std::fflush(stderr);
                      std::abort();
                  }
                  if (armed_)
                      cv_.wait_until(l, deadline_);
                  else
                      cv_.wait(l);
              }
          }) {}
    ~Watchdog() {
        {
            std::lock_guard<std::mutex> l(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    void arm(std::string what) {
        {
            std::lock_guard<std::mutex> l(mu_);
            what_ = std::move(what);
            deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(kHangSeconds);
            armed_ = true;
        }
        cv_.notify_all();
    }
    void disarm() {
        std::lock_guard<std::mutex> l(mu_);
        armed_ = false;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false, armed_ = false;
    std::string what_;
    std::chrono::steady_clock::time_point deadline_;
    std::thread thread_;  // last: started once the rest is built
};

// ---- The test ------------------------------------------------------------------------------------

// FNV-1a of a bundle's name: its configurations' seeds, the same on every platform.
std::uint64_t name_hash(const char* s) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; ++s) h = (h ^ static_cast<unsigned char>(*s)) * 0x100000001b3ull;
    return h;
}

template <class B>
class RandomStress : public ::testing::Test {};
// Default names (RandomStress/0 ...): ctest's discovery names each after its bundle type.
TYPED_TEST_SUITE(RandomStress, Bundles);

struct Figures {
    std::uint64_t ops = 0, gs = 0, values = 0, failed_sends = 0, early_closes = 0, rounds = 0;
    std::uint64_t by_op[kOps] = {};
};

// One round on rt: run it, then check everything it recorded. Returns false on a failure.
template <class R>
bool run_round(R& rt, std::uint64_t ops, std::uint64_t seed, Figures& f) {
    SplitMix rng(seed);
    Round<R> rd(ops, rng);
    const std::uint64_t main_seed = rng.next();
    std::string caps;
    for (int c = 0; c < rd.nch; ++c) {
        if (c) caps += ',';
        caps += std::to_string(rd.cap[c]);
    }
    SCOPED_TRACE("round with channels of capacity " + caps + ", round seed " + std::to_string(seed));
    rt.run([&rd, main_seed] { Driver<R>::main_g(&rd, main_seed); });

    bool good = true;
    auto fail = [&good](auto&&... parts) {
        good = false;
        std::string msg;
        ((msg += parts), ...);
        ADD_FAILURE() << msg;
    };
    if (rd.anomaly_count) {
        std::string all;
        for (const auto& a : rd.anomalies) all += "\n  " + a;
        fail(std::to_string(rd.anomaly_count), " anomalies, the first:", all);
    }
    if (rd.overflow.load()) fail("the round made more Gs or values than it was sized for (a test bug)");
    const std::uint32_t gs = std::min<std::uint32_t>(rd.gs.load(), static_cast<std::uint32_t>(rd.runs.size()));
    std::uint64_t never = 0, twice = 0;
    for (std::uint32_t i = 0; i < gs; ++i) {
        const auto r = rd.runs[i].load();
        never += r == 0;
        twice += r > 1;
    }
    if (never || twice) fail(std::to_string(never), " Gs never ran, ", std::to_string(twice), " ran more than once, of ", std::to_string(gs));
    if (rt.stats().spawns != std::uint64_t{gs} + 1)
        fail("the runtime counted ", std::to_string(rt.stats().spawns), " spawns, the program made ", std::to_string(gs), " Gs and main");
    expect_stats_add_up(rt.stats());
    const std::uint32_t values = std::min<std::uint32_t>(rd.values.load(), static_cast<std::uint32_t>(rd.sent.size()));
    std::uint64_t lost = 0, dup = 0, phantom = 0, delivered = 0;
    std::string example;
    for (std::uint32_t id = 0; id < values; ++id) {
        const auto s = rd.sent[id].load(), r = rd.received[id].load();
        delivered += s;
        if (s == r) continue;
        if (s && !r) ++lost;
        else if (!s && r) ++phantom;
        else ++dup;
        if (example.empty()) example = " (e.g. value " + std::to_string(id) + ": sent " + std::to_string(s) + ", received " + std::to_string(r) + ")";
    }
    if (lost || dup || phantom)
        fail(std::to_string(lost), " values sent but never received, ", std::to_string(dup), " received more than once, ",
             std::to_string(phantom), " received but never sent, of ", std::to_string(values), example);
    for (int c = 0; c < rd.nch; ++c)
        if (rd.closes_ok[c].load() != 1) fail("channel ", std::to_string(c), " was closed ", std::to_string(rd.closes_ok[c].load()), " times");
    // An early close comes first (its closer holds a reference), so the last reference's close
    // of the same channel is the one that fails.
    if (rd.close_errors.load() != rd.early_closes.load())
        fail(std::to_string(rd.close_errors.load()), " closes failed, expected ", std::to_string(rd.early_closes.load()));
    if (rd.mu_counter != rd.ops[kMutex].load())
        fail("the Mutex's counter is ", std::to_string(rd.mu_counter), " after ", std::to_string(rd.ops[kMutex].load()), " locked sections");
    if (rd.all_done.count() != 0) fail("the round's WaitGroup ended at ", std::to_string(rd.all_done.count()));

    f.gs += gs;
    f.values += delivered;
    f.failed_sends += rd.send_errors.load();
    f.early_closes += rd.early_closes.load();
    ++f.rounds;
    for (int k = 0; k < kOps; ++k) {
        f.by_op[k] += rd.ops[k].load();
        f.ops += rd.ops[k].load();
    }
    return good;
}

TYPED_TEST(RandomStress, RandomProgramsOnOneToFourPs) {
    using B = TypeParam;
    using R = schedlab::rt::Runtime<B>;
    const Settings set = settings();
    ASSERT_TRUE(set.error.empty()) << set.error;
    const std::uint64_t per_config = std::max<std::uint64_t>(1, set.suite_ops / kConfigs);
    // Rounds of at least 5000 operations (each with fresh channels), at most 32 per
    // configuration.
    const std::uint64_t rounds = std::clamp<std::uint64_t>(per_config / 5000, 1, 32);
    const std::string suite = ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name();
    Watchdog dog;
    Figures all;
    for (int procs = 1; procs <= kMaxProcs; ++procs) {
        const std::uint64_t seed = mix64(set.seed ^ mix64(name_hash(B::name) + static_cast<std::uint64_t>(procs)));
        const std::string what = std::string("bundle=") + B::name + " procs=" + std::to_string(procs) +
                                 " seed=" + std::to_string(set.seed);
        SCOPED_TRACE("random_stress: " + what + " ops=" + std::to_string(set.suite_ops) +
                     " (replay: SCHEDLAB_STRESS_SEED=" + std::to_string(set.seed) + " SCHEDLAB_STRESS_OPS=" +
                     std::to_string(set.suite_ops) + " --gtest_filter='" + suite + ".*')");
        std::printf("random_stress: start %s\n", what.c_str());
        std::fflush(stdout);
        dog.arm(what);
        schedlab::Options o;
        o.procs = procs;
        o.seed = seed;
        o.topology = "2x2x1";  // two nodes of two cache groups: the NUMA-aware thieves have nodes to tell apart
        R rt(o);
        Figures f;
        const auto t0 = std::chrono::steady_clock::now();
        bool good = true;
        for (std::uint64_t k = 0; k < rounds && good; ++k) {
            const std::uint64_t ops = per_config / rounds + (k < per_config % rounds ? 1 : 0);
            good = run_round(rt, ops, mix64(seed + k), f);
        }
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
        dog.disarm();
        std::printf("random_stress: done %s ops=%llu gs=%llu values=%llu failed_sends=%llu early_closes=%llu rounds=%llu ms=%lld%s\n",
                    what.c_str(), static_cast<unsigned long long>(f.ops), static_cast<unsigned long long>(f.gs),
                    static_cast<unsigned long long>(f.values), static_cast<unsigned long long>(f.failed_sends),
                    static_cast<unsigned long long>(f.early_closes), static_cast<unsigned long long>(f.rounds),
                    static_cast<long long>(ms), good ? "" : " FAILED");
        std::fflush(stdout);
        for (int k = 0; k < kOps; ++k) all.by_op[k] += f.by_op[k];
        if (!good) return;
    }
    std::string by_op;
    for (int k = 0; k < kOps; ++k) by_op += std::string(" ") + kOpNames[k] + "=" + std::to_string(all.by_op[k]);
    std::printf("random_stress: ops of bundle=%s by kind:%s\n", B::name, by_op.c_str());
    std::fflush(stdout);
}

}  // namespace
