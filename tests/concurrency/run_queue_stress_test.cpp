// The lock-free run queue under real contention, without the runtime: one owner thread pushes
// (tail and runnext) and pops while thief threads steal batches. Every G must come out exactly
// once: popped by the owner, spilled by an overflow, or stolen (and then run or drained by
// the thief). Under ThreadSanitizer this also checks the ring's memory ordering.
//
// The LIFO variant is Chase and Lev's deque: the owner pops its tail (Cilk's order, and an
// inline join), thieves claim one G per CAS, and the queue is kept short so that owner and
// thieves race for the last G again and again; with membarrier on (release and ASan builds)
// the owner's fence is a compiler barrier and the thieves' a membarrier.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "schedlab/policies/go.hpp"
#include "schedlab/runtime/local_queue.hpp"
#include "schedlab/runtime/spinlock.hpp"

namespace {

using schedlab::policies::StealHalf;
using schedlab::policies::StealOne;
using schedlab::rt::G;
using schedlab::rt::GList;
using schedlab::rt::LocalRunQueue;

#if defined(__SANITIZE_THREAD__)
constexpr std::size_t kGs = 100'000;  // ThreadSanitizer: a tenth of the release size
#else
constexpr std::size_t kGs = 1'000'000;
#endif

struct Harness {
    std::unique_ptr<G[]> gs = std::make_unique<G[]>(kGs);
    std::unique_ptr<std::atomic<std::uint32_t>[]> taken =
        std::make_unique<std::atomic<std::uint32_t>[]>(kGs);
    std::atomic<std::size_t> consumed{0};

    Harness() {
        for (std::size_t i = 0; i < kGs; ++i) gs[i].id = i;
    }
    void take(G* g) {
        taken[g->id].fetch_add(1, std::memory_order_relaxed);
        consumed.fetch_add(1, std::memory_order_relaxed);
    }
    std::size_t wrong() const {
        std::size_t n = 0;
        for (std::size_t i = 0; i < kGs; ++i) n += taken[i].load() != 1;
        return n;
    }
};

// lifo: the owner pops its tail and thieves steal one G per CAS (steal_from<Steal, true>).
template <class Steal = StealHalf, bool Lifo = false>
void run_stress(int thieves, bool use_runnext) {
    Harness h;
    LocalRunQueue victim;
    std::atomic<bool> owner_done{false};

    std::vector<std::thread> threads;
    std::atomic<std::uint64_t> steals{0};
    for (int t = 0; t < thieves; ++t)
        threads.emplace_back([&] {
            LocalRunQueue mine;
            for (;;) {
                // Read the flag before trying, so a failed steal after it is final.
                const bool done = owner_done.load(std::memory_order_acquire);
                std::uint32_t n = 0;
                if (G* g = mine.steal_from<Steal, Lifo>(victim, use_runnext, n)) {
                    steals.fetch_add(1, std::memory_order_relaxed);
                    h.take(g);
                    while (G* q = mine.pop_head()) h.take(q);
                } else if (done) {
                    return;
                }
            }
        });

    // The owner: push every G (some through runnext), popping now and then so the ring both
    // fills (overflows) and drains.
    GList spill;
    std::uint64_t x = 0x9e3779b97f4a7c15ull;
    for (std::size_t i = 0; i < kGs; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        G* g = &h.gs[i];
        if (use_runnext && (x & 3) == 0) g = victim.swap_runnext(g);
        if (g && victim.put_tail(g, spill)) {
            while (G* s = spill.pop_front()) h.take(s);
        }
        if (Lifo) {
            // Keep the deque short: pop the tail about twice in three pushes.
            if ((x >> 8) % 3 != 0) {
                if (G* p = victim.pop_tail()) h.take(p);
            }
        } else if ((x >> 8) % 3 == 0) {
            if (G* p = victim.pop_head()) h.take(p);
        }
        if (use_runnext && (x >> 16) % 7 == 0) {
            if (G* p = victim.take_runnext()) h.take(p);
        }
    }
    // Drain what is left, racing the thieves.
    for (;;) {
        G* g = victim.take_runnext();
        if (!g) g = Lifo ? victim.pop_tail() : victim.pop_head();
        if (!g) break;
        h.take(g);
    }
    owner_done.store(true, std::memory_order_release);
    for (auto& t : threads) t.join();

    EXPECT_EQ(h.consumed.load(), kGs);
    EXPECT_EQ(h.wrong(), 0u);
    EXPECT_TRUE(victim.empty());
}

TEST(RunQueueStress, OneThiefAndTheOwnerTakeEveryGExactlyOnce) { run_stress(1, false); }

TEST(RunQueueStress, TwoThievesAndTheOwnerTakeEveryGExactlyOnce) { run_stress(2, false); }

TEST(RunQueueStress, ThievesTakingRunnextAndTheOwnerTakeEveryGExactlyOnce) { run_stress(2, true); }

TEST(RunQueueStress, LifoOwnerAndOneThiefTakeEveryGExactlyOnce) {
    run_stress<StealOne, true>(1, false);
}

TEST(RunQueueStress, LifoOwnerAndThievesTakingHalfOneByOneTakeEveryGExactlyOnce) {
    run_stress<StealHalf, true>(2, true);
}

// The same with the asymmetric fences on, where the kernel has membarrier (it is a no-op
// request under ThreadSanitizer, which keeps full fences on both sides).
TEST(RunQueueStress, LifoWithAsymmetricFencesTakesEveryGExactlyOnce) {
    if (!schedlab::rt::detail::init_asymmetric_fences())
        GTEST_SKIP() << "no membarrier here (or SCHEDLAB_NO_MEMBARRIER, or TSan): full fences";
    run_stress<StealOne, true>(2, false);
}

}  // namespace
