// Channels and select, after Go's hchan/selectgo: a lock, an optional ring buffer, and two
// queues of parked Gs (senders, receivers). A send to a parked receiver copies the value
// straight into the receiver's slot and readies it (runnext: the receiver runs next on this
// P), so an unbuffered hand-off costs one park and one ready.
//
// The queue logic is written once, on untyped ChanCore, with the element moved through two
// function pointers; Chan<T, R> is the typed face. R is the runtime (for park and ready).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <utility>

#include "schedlab/runtime/g.hpp"
#include "schedlab/runtime/spinlock.hpp"

namespace schedlab::rt {

// Thrown by a send on (or close of) a closed channel; like any exception, one that escapes
// its G ends the process with the message.
struct ChanClosedError : std::logic_error {
    using std::logic_error::logic_error;
};

// A parked G's entry in a channel queue (Go's sudog). It lives on the parked G's stack.
struct Waiter {
    G* g = nullptr;
    void* elem = nullptr;  // the value to send, or the slot to receive into
    Waiter* next = nullptr;
    Waiter* prev = nullptr;
    std::uint32_t case_index = 0;  // select: which case this waiter stands for
    bool is_select = false;
    bool queued = false;
    bool success = false;  // false when woken by close
};

// FIFO of waiters, doubly linked so that a select can take its losing entries back out.
struct WaitQueue {
    Waiter* first = nullptr;
    Waiter* last = nullptr;

    void enqueue(Waiter* w) {
        w->next = nullptr;
        w->prev = last;
        if (last)
            last->next = w;
        else
            first = w;
        last = w;
        w->queued = true;
    }
    void remove(Waiter* w) {
        if (w->prev)
            w->prev->next = w->next;
        else
            first = w->next;
        if (w->next)
            w->next->prev = w->prev;
        else
            last = w->prev;
        w->next = w->prev = nullptr;
        w->queued = false;
    }
    // The first waiter that can still be woken: a select whose other case already won is
    // dropped (only the waker that flips select_done from 0 to 1 may wake a select).
    Waiter* dequeue() {
        while (Waiter* w = first) {
            remove(w);
            if (w->is_select) {
                std::uint32_t zero = 0;
                if (!w->g->select_done.compare_exchange_strong(zero, 1, std::memory_order_acq_rel))
                    continue;
            }
            return w;
        }
        return nullptr;
    }
};

struct ChanCore {
    SpinLock lock;
    bool closed = false;
    std::size_t cap = 0;
    std::size_t count = 0;
    std::size_t recvx = 0;  // next buffer slot to receive from
    std::size_t sendx = 0;  // next buffer slot to send into
    WaitQueue recvq;
    WaitQueue sendq;
    char* buf = nullptr;
    std::size_t elem_size = 0;
    void (*move_elem)(void* dst, void* src) = nullptr;
    void (*reset_elem)(void* dst) = nullptr;

    void* slot(std::size_t i) { return buf + i * elem_size; }

    // Buffer operations (lock held).
    void buffer_put(void* src) {
        move_elem(slot(sendx), src);
        sendx = sendx + 1 == cap ? 0 : sendx + 1;
        ++count;
    }
    void buffer_take(void* dst) {
        move_elem(dst, slot(recvx));
        recvx = recvx + 1 == cap ? 0 : recvx + 1;
        --count;
    }
    // Hand a value to a parked receiver (lock held).
    void send_direct(Waiter* w, void* src) {
        move_elem(w->elem, src);
        w->success = true;
    }
    // Take a value from a parked sender (lock held): unbuffered, straight from the sender;
    // buffered (so the buffer is full), from the buffer's head, and the sender's value goes
    // to its tail, keeping FIFO order.
    void recv_direct(Waiter* w, void* dst) {
        if (cap == 0) {
            move_elem(dst, w->elem);
        } else {
            move_elem(dst, slot(recvx));
            move_elem(slot(recvx), w->elem);
            recvx = recvx + 1 == cap ? 0 : recvx + 1;
            sendx = recvx;
        }
        w->success = true;
    }
    static void unlock_fn(void* self) { static_cast<ChanCore*>(self)->lock.unlock(); }
};

// Ready the G behind a dequeued waiter. After this the waiter's frame may be gone.
template <class R>
inline void wake_waiter(Waiter* w) {
    G* g = w->g;
    g->param = w;
    R::ready(g);
}

template <class R>
void chan_send(ChanCore& c, void* src) {
    R::preempt_point();
    c.lock.lock();
    if (c.closed) {
        c.lock.unlock();
        throw ChanClosedError("send on closed channel");
    }
    if (Waiter* w = c.recvq.dequeue()) {
        c.send_direct(w, src);
        c.lock.unlock();
        wake_waiter<R>(w);
        return;
    }
    if (c.count < c.cap) {
        c.buffer_put(src);
        c.lock.unlock();
        return;
    }
    Waiter self;
    self.g = R::current_g();
    self.elem = src;
    c.sendq.enqueue(&self);
    R::park(WaitReason::ChanSend, &ChanCore::unlock_fn, &c);
    if (!self.success) throw ChanClosedError("send on closed channel");
}

template <class R>
bool chan_recv(ChanCore& c, void* dst) {
    R::preempt_point();
    c.lock.lock();
    if (Waiter* w = c.sendq.dequeue()) {
        c.recv_direct(w, dst);
        c.lock.unlock();
        wake_waiter<R>(w);
        return true;
    }
    if (c.count > 0) {
        c.buffer_take(dst);
        c.lock.unlock();
        return true;
    }
    if (c.closed) {
        c.lock.unlock();
        c.reset_elem(dst);
        return false;
    }
    Waiter self;
    self.g = R::current_g();
    self.elem = dst;
    c.recvq.enqueue(&self);
    R::park(WaitReason::ChanRecv, &ChanCore::unlock_fn, &c);
    return self.success;
}

// A send that never blocks, for the scheduler (an after() timer firing on g0): hand src to a
// parked receiver, returned so that the caller readies its G, or else put it in the buffer;
// into a full buffer or a closed channel the value is dropped (Go's timer sends do the same).
inline Waiter* chan_offer(ChanCore& c, void* src) {
    c.lock.lock();
    Waiter* w = nullptr;
    if (!c.closed) {
        if ((w = c.recvq.dequeue()))
            c.send_direct(w, src);
        else if (c.count < c.cap)
            c.buffer_put(src);
    }
    c.lock.unlock();
    return w;
}

// Close: every parked receiver gets (default value, false), every parked sender an error.
template <class R>
void chan_close(ChanCore& c) {
    c.lock.lock();
    if (c.closed) {
        c.lock.unlock();
        throw ChanClosedError("close of closed channel");
    }
    c.closed = true;
    Waiter* woken = nullptr;
    while (Waiter* w = c.recvq.dequeue()) {
        c.reset_elem(w->elem);
        w->success = false;
        w->next = woken;
        woken = w;
    }
    while (Waiter* w = c.sendq.dequeue()) {
        w->success = false;
        w->next = woken;
        woken = w;
    }
    c.lock.unlock();
    while (woken) {
        Waiter* next = woken->next;  // read before the wake: the frame may vanish after it
        wake_waiter<R>(woken);
        woken = next;
    }
}

// A channel of T with capacity 0 (unbuffered) to N. T must be default-constructible and
// movable (a receive from a closed channel yields T{}).
template <class T, class R>
class Chan {
public:
    explicit Chan(std::size_t capacity = 0)
        : storage_(capacity ? std::make_unique<T[]>(capacity) : nullptr) {
        core_.cap = capacity;
        core_.buf = reinterpret_cast<char*>(storage_.get());
        core_.elem_size = sizeof(T);
        core_.move_elem = [](void* dst, void* src) {
            *static_cast<T*>(dst) = std::move(*static_cast<T*>(src));
        };
        core_.reset_elem = [](void* dst) { *static_cast<T*>(dst) = T{}; };
    }
    Chan(const Chan&) = delete;
    Chan& operator=(const Chan&) = delete;

    void send(T value) { chan_send<R>(core_, &value); }
    T recv() {
        T out{};
        chan_recv<R>(core_, &out);
        return out;
    }
    // Receive into out; false (and out = T{}) when the channel is closed and drained.
    bool recv(T& out) { return chan_recv<R>(core_, &out); }
    void close() { chan_close<R>(core_); }

    std::size_t capacity() const { return core_.cap; }
    ChanCore& core() { return core_; }

private:
    ChanCore core_;
    std::unique_ptr<T[]> storage_;
};

}  // namespace schedlab::rt
