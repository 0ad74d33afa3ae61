// G stacks: carved from mmap'd slabs, a guard page below each where the process's mapping
// budget allows and a canary at the bottom of every other one (checked each time its G
// switches out), pooled runtime-wide with a small cache per P, and never unmapped during a
// run. A stack's first touch costs a page fault (about 16 us on a VM); the pool exists so that
// each page is faulted once per Runtime, not once per G.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "schedlab/runtime/constants.hpp"
#include "schedlab/runtime/free_cache.hpp"
#include "schedlab/runtime/memory.hpp"
#include "schedlab/runtime/spinlock.hpp"

namespace schedlab::rt {

// The header sits near the top of the stack's own region (a colour's offset below it, see
// kStackColours), in the page the G touches first anyway, so a parked G costs no extra page
// for its bookkeeping.
struct Stack {
    Stack* next = nullptr;      // free-list link
    char* limit = nullptr;      // lowest usable byte (just above the guard page, if any)
    std::size_t size = 0;       // usable bytes from limit up to the header's end (colour-dependent)
    void* tsan_fiber = nullptr; // ThreadSanitizer's fiber for this stack (TSan builds only)
    std::uint64_t owner_gid = 0;  // the G running on it, for the stack-overflow message
    std::uint32_t uses = 0;       // Gs started on it (TSan builds renew the fiber by it)
    bool guarded = false;       // whether a PROT_NONE page lies just below limit

    char* top() { return reinterpret_cast<char*>(this); }

    // An unguarded stack keeps this word at limit; a G that overflowed its stack wrote over
    // it (the check costs its bottom page, so only unguarded stacks carry one).
    static constexpr std::uint64_t kCanary = 0x5ced1ab57acc0f1eULL;
    bool canary_intact() const {
        return guarded || *reinterpret_cast<const std::uint64_t*>(limit) == kCanary;
    }
};

using StackCache = FreeCache<Stack, kPerPCacheMax>;

class StackPool {
public:
    explicit StackPool(std::size_t stack_size);
    ~StackPool();
    StackPool(const StackPool&) = delete;
    StackPool& operator=(const StackPool&) = delete;

    // Per-P cache operations: the fast path touches only the cache.
    Stack* get(StackCache& cache) {
        if (cache.empty()) refill(cache);
        return prepare(cache.pop());
    }
    void put(StackCache& cache, Stack* s) {
        if (cache.full()) spill(cache);
        cache.push(s);
    }
    // ThreadSanitizer keeps a shadow call stack per fiber, and a G that exits never returns
    // from its entry frames, so a fiber reused by G after G grows it by two frames per G and
    // overflows it after ~32K Gs. Creating a fiber is slow under TSan, so a stack gets a fresh
    // one every kFiberRenewal Gs, well before that. No-op outside TSan builds.
    static void renew_fiber(Stack* s);

    // Return stacks to the pool: a whole cache, or stacks abandoned at the end of a run.
    void drain(StackCache& cache);
    void give_back(const std::vector<Stack*>& stacks);

    std::size_t stack_size() const { return stack_size_; }
    std::size_t stacks_created() const { return created_.load(std::memory_order_relaxed); }
    // Each new slab first asks `budget` (memory.hpp) whether the process may grow by it.
    void set_budget(MemoryBudget* budget) { budget_ = budget; }
    std::size_t guarded_stacks() const { return guarded_; }
    // The most stacks seen outside the runtime-wide free list (in use, or in a P's cache) since
    // reset_high_water: observed at each refill, so it lies within one cache (kPerPCacheMax)
    // per P of the peak of live stacks. Cilk's space bound compares it across P.
    std::size_t high_water() const;
    void reset_high_water();
    // Tests only: how many more stacks of this process may get a guard page (the process-wide
    // budget that vm.max_map_count sets); 0 makes every later stack carry a canary instead.
    static void set_guard_budget_for_testing(long stacks);

    // Whether addr lies in the guard page of some stack of this pool; if so, stores that
    // stack in *hit. Safe to call from a signal handler (no locks, no allocation).
    bool in_guard_page(const void* addr, const Stack** hit) const;

private:
    static constexpr std::size_t kCacheHigh = kPerPCacheMax;
    static constexpr std::size_t kBatch = kCacheBatch;

    static Stack* prepare(Stack* s);
    void refill(StackCache& cache);
    void spill(StackCache& cache);
    Stack* carve_locked();
    // Where stack i of a slab (region: its guard page's address) keeps its header.
    Stack* header_of(char* region, std::size_t i) const;

    // Slabs form an append-only list so that the SIGSEGV handler can walk it without a lock.
    struct Slab {
        char* base;
        std::size_t bytes;
        std::size_t carved;   // stacks handed out so far (under lock_)
        std::size_t guarded;  // the first `guarded` stacks have a guard page
        Slab* next;
    };

    std::size_t stack_size_;   // usable bytes per stack, header included
    std::size_t stride_;       // bytes per stack in a slab, guard included
    alignas(64) mutable SpinLock lock_;
    std::vector<Stack*> free_;  // under lock_
    std::atomic<Slab*> slabs_{nullptr};  // newest first; Slab::carved changes only under lock_
    std::atomic<std::size_t> created_{0};  // written under lock_, read anywhere
    MemoryBudget* budget_ = nullptr;
    std::size_t high_water_ = 0;  // under lock_
    std::size_t guarded_ = 0;
};

}  // namespace schedlab::rt
