// Part of simulator_impl.hpp (include that, not this): the simulator's data structures, which
// know nothing of Gs, Ps' phases or costs (self-contained: their tests include it alone).
//
// FreeLists: a P's cache is used only by that P's steps; the shared list only by an operation
// counted in ops, whose lock the caller charges (costs.hpp). HugeArray never writes its
// elements: each must be written before it is read (a G's state: init_g). TouchLog: one per P,
// appended to when a G starts there; a stack's latest touch is its only 1, so since(t) is the
// LRU stack distance. EventTree: exactly one key per P (its next step, or kNever), the earliest
// time first and ties to the lower P: that order is what makes a run deterministic.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <vector>

namespace schedlab::sim {

namespace detail {
inline constexpr std::uint32_t kRingSize = 256;                // runtime kRunQueueSize
inline constexpr std::uint32_t kGlobalGrabMax = kRingSize / 2;  // runtime kGlobalGrabMax
inline constexpr std::size_t kCacheMax = 64;  // runtime kPerPCacheMax (stacks and Gs)
inline constexpr std::size_t kCacheBatch = 32;  // runtime kCacheBatch

// Free objects of one kind (stacks, G descriptors) as the runtime keeps them: a cache per P
// (FreeCache, at most kCacheMax, most recent last) and a runtime-wide list under a lock. A full
// cache gives its older half to the list; an empty one refills kCacheBatch from the list's
// newest end. Each operation on the list is one locked op (counted in ops).
template <class T>
struct FreeLists {
    std::vector<std::vector<T>> cache;  // per P
    std::vector<T> shared;
    std::uint64_t lock_free_at = 0;
    std::uint64_t ops = 0;

    explicit FreeLists(std::uint32_t procs) : cache(procs) {}
    // Whether the P's cache has one after a refill if it was empty (else a new object is made).
    bool refill_if_empty(std::uint32_t p) {
        auto& c = cache[p];
        if (!c.empty()) return true;
        ++ops;
        for (std::size_t i = 0; i < kCacheBatch && !shared.empty(); ++i) {
            c.push_back(shared.back());
            shared.pop_back();
        }
        return !c.empty();
    }
    T pop(std::uint32_t p) {
        const T x = cache[p].back();
        cache[p].pop_back();
        return x;
    }
    // Returns whether the list was used (the cache was full).
    bool put(std::uint32_t p, T x) {
        auto& c = cache[p];
        bool spilled = false;
        if (c.size() == kCacheMax) {
            ++ops;
            const std::size_t half = c.size() / 2;
            shared.insert(shared.end(), c.begin(), c.begin() + static_cast<std::ptrdiff_t>(half));
            c.erase(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(half));
            spilled = true;
        }
        c.push_back(x);
        return spilled;
    }
};
inline constexpr std::uint64_t kNever = ~std::uint64_t{0};
inline constexpr std::uint32_t kParkedHere = std::uint32_t{1} << 31;  // in sig_left: the G waits at it

// An array of n trivially constructible T, not written on allocation, on transparent huge pages
// where the kernel allows (madvise mode): a first touch of a 4 KiB page costs ~10-20 us on a
// VM, so millions of Gs' states on small pages spent most of a run in page faults.
template <class T>
class HugeArray {
    static_assert(std::is_trivially_default_constructible_v<T> && std::is_trivially_destructible_v<T>);

public:
    explicit HugeArray(std::size_t n) {
        constexpr std::size_t kHuge = std::size_t{2} << 20;
        const std::size_t bytes = std::max<std::size_t>((n * sizeof(T) + kHuge - 1) / kHuge * kHuge, kHuge);
        p_ = static_cast<T*>(std::aligned_alloc(kHuge, bytes));
        if (!p_) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
        ::madvise(p_, bytes, MADV_HUGEPAGE);  // advice only: small pages if refused
#endif
    }
    ~HugeArray() { std::free(p_); }
    HugeArray(const HugeArray&) = delete;
    HugeArray& operator=(const HugeArray&) = delete;
    T& operator[](std::size_t i) { return p_[i]; }
    const T& operator[](std::size_t i) const { return p_[i]; }

private:
    T* p_ = nullptr;
};

// The stacks one P has touched, on its clock of touches (one per G started there): a stack's
// latest touch holds a 1, its older touches 0, so the ones after a time count the distinct
// stacks touched since (the LRU stack distance). The ones are kept as bits, 64 touches to a
// word, with a Fenwick tree over the words' counts: a query or update reads one word and a
// walk of the tree, which is 64 times smaller than a tree over touches (at 256 Ps the
// per-touch tree was 16 MB and a fifth of the simulator's time went to its cache misses).
// Grows by appending.
class TouchLog {
public:
    std::uint32_t now() const { return now_; }
    // A new touch at time now() + 1, returned.
    std::uint32_t append() {
        const std::uint32_t i = ++now_;
        const std::uint32_t w = (i - 1) / 64;
        if (w == words_.size()) {
            words_.push_back(0);
            // Tree node w + 1 covers words (low, w + 1]: the new one (no ones yet) plus the
            // nodes that tile (low, w], which are w, then each one's predecessor down to low.
            const std::uint32_t n = w + 1, low = n - (n & (0u - n));
            std::uint32_t sum = 0;
            for (std::uint32_t j = n - 1; j > low; j &= j - 1) sum += tree_[j - 1];
            tree_.push_back(sum);
        }
        words_[w] |= std::uint64_t{1} << ((i - 1) % 64);
        ++tree_[w];  // the last word's node covers no later one: nothing above it to update
        ++ones_;
        return i;
    }
    void clear(std::uint32_t i) {
        --ones_;
        const std::uint32_t w = (i - 1) / 64;
        words_[w] &= ~(std::uint64_t{1} << ((i - 1) % 64));
        for (std::uint32_t j = w + 1; j <= tree_.size(); j += j & (0u - j)) --tree_[j - 1];
    }
    // The ones after t: those of later words (the total less a prefix of the tree) plus the
    // later bits of t's own word.
    std::uint32_t since(std::uint32_t t) const {
        if (t == 0) return ones_;
        const std::uint32_t w = (t - 1) / 64, bit = (t - 1) % 64;
        std::uint32_t before = 0;  // ones in words 0..w
        for (std::uint32_t j = w + 1; j; j &= j - 1) before += tree_[j - 1];
        const std::uint64_t after_t = bit == 63 ? 0 : words_[w] >> (bit + 1);
        return ones_ - before + static_cast<std::uint32_t>(__builtin_popcountll(after_t));
    }

private:
    std::vector<std::uint64_t> words_;  // bit k of word w: touch 64 w + k + 1 is a stack's latest
    std::vector<std::uint32_t> tree_;   // Fenwick tree over the words' popcounts
    std::uint32_t now_ = 0;
    std::uint32_t ones_ = 0;
};

// The pending events: at most one per P (its next step), kept in a winner tree over the Ps
// so that the earliest (time, then lower P) is at the root and changing one P's time costs
// log2(P) comparisons. A node holds its winner as one key, time << kPBits | P, so a level of
// a replay is one load of the sibling and a branch-free min (a compare of (time, P) pairs
// was mispredicted about every other level). A time from kTimeLimit on (78 virtual hours)
// cannot be kept: the P then waits for nothing and overflowed() says so.
class EventTree {
public:
    static constexpr int kPBits = 16;  // Ps up to 65536
    static constexpr std::uint32_t kMaxPs = std::uint32_t{1} << kPBits;
    static constexpr std::uint64_t kTimeLimit = (std::uint64_t{1} << (64 - kPBits)) - 1;

    explicit EventTree(std::uint32_t n) {
        leaves_ = 1;
        while (leaves_ < n) leaves_ *= 2;
        nodes_.assign(2 * static_cast<std::size_t>(leaves_), ~std::uint64_t{0});
        for (std::uint32_t i = 0; i < leaves_; ++i) nodes_[leaves_ + i] = never(i);
        for (std::uint32_t i = leaves_; i-- > 1;) nodes_[i] = std::min(nodes_[2 * i], nodes_[2 * i + 1]);
    }
    std::uint32_t top() const { return static_cast<std::uint32_t>(nodes_[1] & kPMask); }
    // kNever when every P waits for nothing.
    std::uint64_t top_time() const { return time_of(nodes_[1]); }
    std::uint64_t time(std::uint32_t p) const { return time_of(nodes_[leaves_ + p]); }
    bool overflowed() const { return overflowed_; }
    void set(std::uint32_t p, std::uint64_t t) {
        std::uint32_t i = leaves_ + p;
        std::uint64_t cur = never(p);
        if (t < kTimeLimit) cur = t << kPBits | p;
        else if (t != kNever) overflowed_ = true;
        nodes_[i] = cur;
        for (; i > 1; i >>= 1) {
            cur = std::min(cur, nodes_[i ^ 1]);
            nodes_[i >> 1] = cur;
        }
    }

private:
    static constexpr std::uint64_t kPMask = (std::uint64_t{1} << kPBits) - 1;
    // kNever's key keeps its P, so that ties among waiting Ps still go to the lower P.
    static std::uint64_t never(std::uint32_t p) { return ~kPMask | p; }
    static std::uint64_t time_of(std::uint64_t key) {
        return (key | kPMask) == ~std::uint64_t{0} ? kNever : key >> kPBits;
    }
    std::uint32_t leaves_ = 1;
    bool overflowed_ = false;
    std::vector<std::uint64_t> nodes_;
};
}  // namespace detail

}  // namespace schedlab::sim
