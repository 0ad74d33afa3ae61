// Building blocks shared by the peer adapters, written once over a "Sync" policy that names a
// mutex and a condition variable of the host runtime:
//
//   struct Sync { using mutex = ...; using condvar = ...; };
//   condvar: wait(std::unique_lock<mutex>&), notify_one(), notify_all()
//
// For std::thread that is std::mutex/std::condition_variable; for Boost.Fiber the fiber
// mutex/condition_variable (they block the fiber, not the thread); for oneTBB a condition
// variable that suspends the TBB task (tbb.hpp), so a blocked task never holds a worker.
//
//   CountingWaitGroup<Sync>   Go's sync.WaitGroup: add(n), done(), wait()
//   QueueChan<T, Sync>        a Go channel of capacity cap: FIFO, cap 0 = rendezvous
//   ErrorSlot                 the first exception a detached task threw, rethrown by run()
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace schedlab::peers {

// Go panics on these; the adapters throw.
struct ChannelClosed : std::logic_error {
    using std::logic_error::logic_error;
};

namespace detail {

template <class Sync>
class CountingWaitGroup {
public:
    CountingWaitGroup() = default;
    CountingWaitGroup(const CountingWaitGroup&) = delete;
    CountingWaitGroup& operator=(const CountingWaitGroup&) = delete;

    void add(std::int64_t n) {
        std::unique_lock lk(m_);
        count_ += n;
        if (count_ < 0) throw std::logic_error("WaitGroup: negative counter");
        if (count_ == 0) cv_.notify_all();
    }
    void done() { add(-1); }
    void wait() {
        std::unique_lock lk(m_);
        while (count_ > 0) cv_.wait(lk);
    }

private:
    typename Sync::mutex m_;
    typename Sync::condvar cv_;
    std::int64_t count_ = 0;
};

// A channel as a mutex-protected FIFO. With cap >= 1 a send blocks while cap values are
// buffered; with cap 0 the buffer holds the one value being handed over and the sender also
// waits until a receiver has taken it (Go's unbuffered hand-off). After close, receivers drain
// what is buffered, then recv(v) returns false and recv() a value-initialised T. send on a
// closed channel and a second close throw ChannelClosed (Go panics).
template <class T, class Sync>
class QueueChan {
public:
    explicit QueueChan(std::size_t cap) : cap_(cap) {}
    QueueChan(const QueueChan&) = delete;
    QueueChan& operator=(const QueueChan&) = delete;

    std::size_t capacity() const { return cap_; }

    void send(T v) {
        std::unique_lock lk(m_);
        const std::size_t limit = cap_ == 0 ? 1 : cap_;
        while (!closed_ && buf_.size() >= limit) not_full_.wait(lk);
        if (closed_) throw ChannelClosed("send on closed channel");
        buf_.push_back(std::move(v));
        const std::uint64_t ticket = ++sent_;
        not_empty_.notify_one();
        if (cap_ == 0)
            while (received_ < ticket) taken_.wait(lk);
    }

    bool recv(T& out) {
        std::unique_lock lk(m_);
        while (buf_.empty() && !closed_) not_empty_.wait(lk);
        if (buf_.empty()) return false;
        out = std::move(buf_.front());
        buf_.pop_front();
        ++received_;
        not_full_.notify_one();
        if (cap_ == 0) taken_.notify_all();
        return true;
    }

    T recv() {
        T v{};
        if (!recv(v)) return T{};
        return v;
    }

    void close() {
        std::unique_lock lk(m_);
        if (closed_) throw ChannelClosed("close of closed channel");
        closed_ = true;
        not_empty_.notify_all();
        not_full_.notify_all();
        taken_.notify_all();
    }

private:
    const std::size_t cap_;
    typename Sync::mutex m_;
    typename Sync::condvar not_empty_, not_full_, taken_;
    std::deque<T> buf_;
    std::uint64_t sent_ = 0, received_ = 0;  // values deposited / taken so far
    bool closed_ = false;
};

// The first exception thrown by a task that nobody waits for (a go'd task, a task whose
// exception would otherwise terminate the process); R::run rethrows it after the run.
class ErrorSlot {
public:
    void capture(std::exception_ptr e) noexcept {
        std::lock_guard lk(m_);
        if (!first_) first_ = std::move(e);
    }
    void rethrow_if_any() {
        std::exception_ptr e;
        {
            std::lock_guard lk(m_);
            e = std::exchange(first_, nullptr);
        }
        if (e) std::rethrow_exception(e);
    }

private:
    std::mutex m_;
    std::exception_ptr first_;
};

// Calls main once and keeps its value for R::run to return (nothing for a void main). The
// value lives in raw storage rather than std::optional: with optional<unique_ptr<...>>, g++ 12
// at -O3 warns -Wmaybe-uninitialized on a path it cannot see is dead.
template <class F>
class MainCall {
public:
    using result_type = std::invoke_result_t<F&>;
    static_assert(!std::is_reference_v<result_type>, "R::run: main must return by value");

    explicit MainCall(F& f) : f_(f) {}
    MainCall(const MainCall&) = delete;
    MainCall& operator=(const MainCall&) = delete;
    ~MainCall() {
        if constexpr (!std::is_void_v<result_type>)
            if (has_) std::launder(reinterpret_cast<result_type*>(buf_))->~result_type();
    }

    void operator()() {
        if constexpr (std::is_void_v<result_type>)
            f_();
        else
            ::new (static_cast<void*>(buf_)) result_type(f_());
        has_ = true;
    }
    result_type take() {
        if (!has_) throw std::logic_error("R::run: main did not return");
        if constexpr (!std::is_void_v<result_type>) {
            result_type* p = std::launder(reinterpret_cast<result_type*>(buf_));
            result_type v = std::move(*p);
            p->~result_type();
            has_ = false;
            return v;
        } else {
            has_ = false;
        }
    }

private:
    struct Empty {};
    using Stored = std::conditional_t<std::is_void_v<result_type>, Empty, result_type>;
    F& f_;
    alignas(Stored) unsigned char buf_[sizeof(Stored)];
    bool has_ = false;
};

}  // namespace detail
}  // namespace schedlab::peers
