// A G: a goroutine's scheduling state, its saved context, its stack (taken from the pool only
// when it first runs, so a queued-but-unstarted G costs no stack), and its function.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include "schedlab/runtime/context.hpp"
#include "schedlab/runtime/stack_pool.hpp"

namespace schedlab::rt {

enum class GState : std::uint8_t { Free, Runnable, Running, Waiting };

// Why a G is parked; the deadlock report counts Gs by reason.
enum class WaitReason : std::uint8_t {
    None,
    ChanSend,
    ChanRecv,
    Select,
    WaitGroup,
    Mutex,
    Sleep,        // sleep_for / sleep_until: never part of a deadlock (its timer will fire)
    MemoryLimit,  // stopped for good: the run passed its memory bound (memory.hpp)
    kCount
};

const char* wait_reason_name(WaitReason r);

struct G {
    static constexpr std::size_t kInlineClosure = 48;

    fcontext_t ctx = nullptr;   // saved context; null until the G first runs
    Stack* stack = nullptr;     // null until the G first runs
    G* schedlink = nullptr;     // link in the global queue or a free list
    void* m = nullptr;          // the M running it now, else the one that created or last
                                // ran it (type-erased; Ms and Ps are paired for a run)
    std::uint64_t id = 0;
    const void* group = nullptr;  // the fork-join Group that spawned it (runtime/group.hpp)
    std::atomic<GState> state{GState::Free};
    std::atomic<WaitReason> wait_reason{WaitReason::None};
    bool is_main = false;

    // select: which waiter won (set by the G that woke it) and the one-winner flag.
    std::atomic<std::uint32_t> select_done{0};
    void* param = nullptr;

    [[no_unique_address]] FiberSan san;

    // The function, type-erased: stored inline when small, on the heap otherwise.
    void (*invoke_fn)(G*) = nullptr;
    void (*destroy_fn)(G*) = nullptr;
    void* heap_closure = nullptr;
    alignas(std::max_align_t) unsigned char closure[kInlineClosure];

    template <class F>
    void set_closure(F&& f) {
        using Fn = std::decay_t<F>;
        if constexpr (sizeof(Fn) <= kInlineClosure && alignof(Fn) <= alignof(std::max_align_t) &&
                      std::is_nothrow_move_constructible_v<Fn>) {
            ::new (static_cast<void*>(closure)) Fn(std::forward<F>(f));
            invoke_fn = [](G* g) { (*std::launder(reinterpret_cast<Fn*>(g->closure)))(); };
            destroy_fn = [](G* g) { std::launder(reinterpret_cast<Fn*>(g->closure))->~Fn(); };
        } else {
            heap_closure = new Fn(std::forward<F>(f));
            invoke_fn = [](G* g) { (*static_cast<Fn*>(g->heap_closure))(); };
            destroy_fn = [](G* g) {
                delete static_cast<Fn*>(g->heap_closure);
                g->heap_closure = nullptr;
            };
        }
    }
    void destroy_closure() {
        if (destroy_fn) destroy_fn(this);
        invoke_fn = nullptr;
        destroy_fn = nullptr;
    }
};

// An intrusive FIFO of Gs linked through schedlink (the global queue, batches).
struct GList {
    G* head = nullptr;
    G* tail = nullptr;
    std::size_t size = 0;

    void push_back(G* g) {
        g->schedlink = nullptr;
        if (tail)
            tail->schedlink = g;
        else
            head = g;
        tail = g;
        ++size;
    }
    void push_front(G* g) {
        g->schedlink = head;
        head = g;
        if (!tail) tail = g;
        ++size;
    }
    void append(GList& other) {
        if (!other.head) return;
        if (tail)
            tail->schedlink = other.head;
        else
            head = other.head;
        tail = other.tail;
        size += other.size;
        other = GList{};
    }
    G* pop_front() {
        G* g = head;
        if (g) {
            head = g->schedlink;
            if (!head) tail = nullptr;
            g->schedlink = nullptr;
            --size;
        }
        return g;
    }
};

}  // namespace schedlab::rt
