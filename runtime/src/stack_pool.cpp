#include "schedlab/runtime/stack_pool.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "schedlab/runtime/constants.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace schedlab::rt {
namespace {

// Guard pages are a process-wide budget because vm.max_map_count is a process-wide limit:
// every guarded stack costs two mappings.
std::atomic<long> g_guard_budget{-1};

long guard_budget_init() {
    long max_maps = 65530;
    if (std::FILE* f = std::fopen("/proc/sys/vm/max_map_count", "r")) {
        if (std::fscanf(f, "%ld", &max_maps) != 1) max_maps = 65530;
        std::fclose(f);
    }
    long budget = (max_maps - static_cast<long>(kMapCountReserve)) / 2;
    return budget > 0 ? budget : 0;
}

std::size_t take_guards(std::size_t wanted) {
    long cur = g_guard_budget.load(std::memory_order_relaxed);
    if (cur < 0) {
        long init = guard_budget_init();
        g_guard_budget.compare_exchange_strong(cur, init);
        cur = g_guard_budget.load(std::memory_order_relaxed);
    }
    for (;;) {
        long give = cur < static_cast<long>(wanted) ? cur : static_cast<long>(wanted);
        if (give <= 0) return 0;
        if (g_guard_budget.compare_exchange_weak(cur, cur - give)) return static_cast<std::size_t>(give);
    }
}

void return_guards(std::size_t n) { g_guard_budget.fetch_add(static_cast<long>(n)); }

#ifdef MADV_POPULATE_WRITE
constexpr int kMadvisePopulateWrite = MADV_POPULATE_WRITE;
#else
constexpr int kMadvisePopulateWrite = 23;  // Linux 5.14
#endif

[[noreturn]] void die_oom(std::size_t bytes) {
    std::fprintf(stderr, "schedlab: cannot map %zu bytes for G stacks: %s\n", bytes,
                 std::strerror(errno));
    std::_Exit(2);
}

}  // namespace

StackPool::StackPool(std::size_t stack_size) {
    if (stack_size < 4 * kPageSize) stack_size = 4 * kPageSize;
    stack_size_ = (stack_size + kPageSize - 1) / kPageSize * kPageSize;
    stride_ = stack_size_ + kPageSize;
}

StackPool::~StackPool() {
    Slab* s = slabs_.exchange(nullptr);
    while (s) {
#if defined(__SANITIZE_THREAD__)
        for (std::size_t i = 0; i < s->carved; ++i) {
            auto* st = header_of(s->base + i * stride_, i);
            if (st->tsan_fiber) __tsan_destroy_fiber(st->tsan_fiber);
        }
#endif
#if defined(__SANITIZE_ADDRESS__)
        __asan_unpoison_memory_region(s->base, s->bytes);
#endif
        ::munmap(s->base, s->bytes);
        return_guards(s->guarded);
        Slab* next = s->next;
        delete s;
        s = next;
    }
}

Stack* StackPool::header_of(char* region, std::size_t i) const {
    const std::size_t colour = i % kStackColours;
    return reinterpret_cast<Stack*>(region + stride_ - sizeof(Stack) - colour * kStackColourStep);
}

Stack* StackPool::prepare(Stack* s) {
#if defined(__SANITIZE_ADDRESS__)
    // A G abandoned at the end of a run leaves its frames' redzones poisoned; the next G on
    // this stack starts clean.
    __asan_unpoison_memory_region(s->limit, s->size - sizeof(Stack));
#endif
    return s;
}

void StackPool::renew_fiber([[maybe_unused]] Stack* s) {
#if defined(__SANITIZE_THREAD__)
    constexpr std::uint32_t kFiberRenewal = 4096;  // 8K of TSan's 64K shadow frames
    if (++s->uses % kFiberRenewal != 0 && s->tsan_fiber) return;
    if (s->tsan_fiber) __tsan_destroy_fiber(s->tsan_fiber);
    s->tsan_fiber = __tsan_create_fiber(0);
#endif
}

Stack* StackPool::carve_locked() {
    Slab* slab = slabs_.load(std::memory_order_relaxed);
    if (!slab || slab->carved == kStacksPerSlab) {
        const std::size_t bytes = kStacksPerSlab * stride_;
        // The runtime polls the budget and ends the run; this slab is still made (the
        // overshoot is one slab's top pages).
        if (budget_) budget_->admit(kStacksPerSlab * kPageSize, stacks_created());
        void* mem = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (mem == MAP_FAILED) die_oom(bytes);
        auto* fresh = new Slab{static_cast<char*>(mem), bytes, 0, take_guards(kStacksPerSlab), slab};
        for (std::size_t i = 0; i < fresh->guarded; ++i)
            if (::mprotect(fresh->base + i * stride_, kPageSize, PROT_NONE) != 0) {
                // Out of mappings after all: keep the remaining stacks unguarded.
                return_guards(fresh->guarded - i);
                fresh->guarded = i;
                break;
            }
        slabs_.store(fresh, std::memory_order_release);
        slab = fresh;
    }
    const std::size_t i = slab->carved++;
    char* region = slab->base + i * stride_;
    // Fault in the stack's top page (the one page a small G needs) from the kernel side:
    // measured here at ~8 us per stack against ~12 us for a first-touch fault from user
    // space. Without the call (kernels before 5.14) the header write below faults it in.
    ::madvise(region + stride_ - kPageSize, kPageSize, kMadvisePopulateWrite);
    auto* st = ::new (header_of(region, i)) Stack{};
    st->limit = region + kPageSize;
    st->size = static_cast<std::size_t>(st->top() + sizeof(Stack) - st->limit);
    st->guarded = i < slab->guarded;
    if (!st->guarded) {
        *reinterpret_cast<std::uint64_t*>(st->limit) = Stack::kCanary;
    }
#if defined(__SANITIZE_THREAD__)
    st->tsan_fiber = __tsan_create_fiber(0);
#endif
    created_.store(created_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (st->guarded) ++guarded_;
    return st;
}

void StackPool::set_guard_budget_for_testing(long stacks) {
    g_guard_budget.store(stacks < 0 ? 0 : stacks, std::memory_order_relaxed);
}

void StackPool::refill(StackCache& cache) {
    lock_.lock();
    for (std::size_t i = 0; i < kBatch && !free_.empty(); ++i) {
        cache.push(free_.back());
        free_.pop_back();
    }
    if (cache.empty()) cache.push(carve_locked());
    const std::size_t outside = created_.load(std::memory_order_relaxed) - free_.size();
    if (outside > high_water_) high_water_ = outside;
    lock_.unlock();
}

std::size_t StackPool::high_water() const {
    lock_.lock();
    const std::size_t h = high_water_;
    lock_.unlock();
    return h;
}

void StackPool::reset_high_water() {
    lock_.lock();
    high_water_ = created_.load(std::memory_order_relaxed) - free_.size();
    lock_.unlock();
}

void StackPool::spill(StackCache& cache) {
    lock_.lock();
    cache.take_oldest(cache.count / 2, [this](Stack* s) { free_.push_back(s); });
    lock_.unlock();
}

void StackPool::drain(StackCache& cache) {
    lock_.lock();
    while (Stack* s = cache.pop()) free_.push_back(s);
    lock_.unlock();
}

void StackPool::give_back(const std::vector<Stack*>& stacks) {
    lock_.lock();
    free_.insert(free_.end(), stacks.begin(), stacks.end());
    lock_.unlock();
}

bool StackPool::in_guard_page(const void* addr, const Stack** hit) const {
    const char* a = static_cast<const char*>(addr);
    for (Slab* s = slabs_.load(std::memory_order_acquire); s; s = s->next) {
        if (a < s->base || a >= s->base + s->bytes) continue;
        const std::size_t i = static_cast<std::size_t>(a - s->base) / stride_;
        const char* region = s->base + i * stride_;
        if (a >= region + kPageSize) return false;  // inside a stack, not its guard
        if (i >= s->guarded) return false;
        *hit = header_of(const_cast<char*>(region), i);
        return true;
    }
    return false;
}

}  // namespace schedlab::rt
