// select over N channel cases with an optional default, after Go's selectgo:
//  1. visit the cases in a random order (so no ready case can starve) with every involved
//     channel locked (in address order, so two selects cannot deadlock on each other);
//  2. the first ready case proceeds; else the default case, if any;
//  3. else park on every channel at once; the first G to complete one of our cases flips
//     select_done, wakes us and tells us which (G::param); we then take our other entries out.
//
// Usage, inside a G:
//   int x = 0; bool ok = false;
//   switch (R::select(recv_case(a, x, &ok), send_case(b, y), default_case())) { ... }
// returns the index (in argument order) of the case that proceeded.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "schedlab/runtime/chan.hpp"

namespace schedlab::rt {

struct SelectCase {
    enum class Kind : std::uint8_t { Recv, Send, Default };
    ChanCore* chan = nullptr;  // null: a case that is never ready (Go's nil channel)
    void* elem = nullptr;
    bool* ok = nullptr;
    Kind kind = Kind::Default;
};

template <class T, class R>
SelectCase recv_case(Chan<T, R>& ch, T& out, bool* ok = nullptr) {
    return {&ch.core(), &out, ok, SelectCase::Kind::Recv};
}
// The value is moved out only if this case is the one that proceeds.
template <class T, class R>
SelectCase send_case(Chan<T, R>& ch, T& value) {
    return {&ch.core(), &value, nullptr, SelectCase::Kind::Send};
}
inline SelectCase default_case() { return {}; }

namespace detail {

struct LockSet {
    ChanCore** chans;
    std::size_t n;
    void lock() const {
        for (std::size_t i = 0; i < n; ++i) chans[i]->lock.lock();
    }
    void unlock() const {
        for (std::size_t i = n; i-- > 0;) chans[i]->lock.unlock();
    }
    static void unlock_fn(void* self) { static_cast<const LockSet*>(self)->unlock(); }
};

// Try one case with its channel locked; true if it proceeded. `woken` gets a waiter to ready
// after the locks are dropped.
inline bool select_try_case(SelectCase& sc, Waiter*& woken) {
    ChanCore& c = *sc.chan;
    if (sc.kind == SelectCase::Kind::Recv) {
        if (Waiter* w = c.sendq.dequeue()) {
            c.recv_direct(w, sc.elem);
            woken = w;
        } else if (c.count > 0) {
            c.buffer_take(sc.elem);
        } else if (c.closed) {
            c.reset_elem(sc.elem);
            if (sc.ok) *sc.ok = false;
            return true;
        } else {
            return false;
        }
        if (sc.ok) *sc.ok = true;
        return true;
    }
    if (c.closed) return true;  // the caller throws, after unlocking
    if (Waiter* w = c.recvq.dequeue()) {
        c.send_direct(w, sc.elem);
        woken = w;
        return true;
    }
    if (c.count < c.cap) {
        c.buffer_put(sc.elem);
        return true;
    }
    return false;
}

template <class R>
int select_impl(SelectCase* cases, std::uint16_t* order, ChanCore** locks, Waiter* waiters,
                std::size_t n) {
    int default_index = -1;
    std::size_t active = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (cases[i].kind == SelectCase::Kind::Default) {
            default_index = static_cast<int>(i);
            continue;
        }
        if (!cases[i].chan) continue;
        order[active] = static_cast<std::uint16_t>(i);
        locks[active] = cases[i].chan;
        ++active;
    }
    // Random poll order (Fisher-Yates): among several ready cases each is equally likely.
    for (std::size_t i = active; i > 1; --i)
        std::swap(order[i - 1], order[R::fastrand() % i]);
    std::sort(locks, locks + active);
    const LockSet lockset{locks, static_cast<std::size_t>(std::unique(locks, locks + active) - locks)};

    lockset.lock();
    for (std::size_t k = 0; k < active; ++k) {
        SelectCase& sc = cases[order[k]];
        Waiter* woken = nullptr;
        if (!select_try_case(sc, woken)) continue;
        const bool send_on_closed = sc.kind == SelectCase::Kind::Send && sc.chan->closed;
        lockset.unlock();
        if (send_on_closed) throw ChanClosedError("send on closed channel");
        if (woken) wake_waiter<R>(woken);
        return order[k];
    }
    if (default_index >= 0) {
        lockset.unlock();
        return default_index;
    }

    // Nothing ready: wait on every case at once.
    G* g = R::current_g();
    g->select_done.store(0, std::memory_order_relaxed);
    g->param = nullptr;
    for (std::size_t k = 0; k < active; ++k) {
        const std::uint16_t i = order[k];
        Waiter& w = waiters[i];
        w.g = g;
        w.elem = cases[i].elem;
        w.case_index = i;
        w.is_select = true;
        w.success = false;
        if (cases[i].kind == SelectCase::Kind::Recv)
            cases[i].chan->recvq.enqueue(&w);
        else
            cases[i].chan->sendq.enqueue(&w);
    }
    R::park(WaitReason::Select, &LockSet::unlock_fn, const_cast<LockSet*>(&lockset));

    auto* won = static_cast<Waiter*>(g->param);
    g->param = nullptr;
    lockset.lock();
    for (std::size_t k = 0; k < active; ++k) {
        const std::uint16_t i = order[k];
        Waiter& w = waiters[i];
        if (&w == won || !w.queued) continue;
        if (cases[i].kind == SelectCase::Kind::Recv)
            cases[i].chan->recvq.remove(&w);
        else
            cases[i].chan->sendq.remove(&w);
    }
    lockset.unlock();
    const SelectCase& sc = cases[won->case_index];
    if (sc.kind == SelectCase::Kind::Send && !won->success)
        throw ChanClosedError("send on closed channel");
    if (sc.kind == SelectCase::Kind::Recv && sc.ok) *sc.ok = won->success;
    return static_cast<int>(won->case_index);
}

}  // namespace detail

// R::select(cases...) forwards here (see runtime.hpp).
template <class R, class... Cases>
int select(Cases... cases) {
    constexpr std::size_t n = sizeof...(Cases);
    static_assert(n > 0, "select needs at least one case");
    SelectCase cs[n] = {cases...};
    std::uint16_t order[n];
    ChanCore* locks[n];
    Waiter waiters[n];
    return detail::select_impl<R>(cs, order, locks, waiters, n);
}

}  // namespace schedlab::rt
