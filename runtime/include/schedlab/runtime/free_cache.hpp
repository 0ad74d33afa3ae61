// A P's private cache of free objects (stacks, Gs): a fixed array of pointers. Taking or
// returning an object touches only the array, never the object: a free object is cold, and
// walking a linked list of them costs a cache miss per element (measured: 8-15% of fib(30)
// went to such walks, under the pool's lock).
#pragma once

#include <cstddef>

namespace schedlab::rt {

template <class T, std::size_t N>
struct FreeCache {
    static constexpr std::size_t kCapacity = N;
    T* items[N];
    std::size_t count = 0;

    bool empty() const { return count == 0; }
    bool full() const { return count == N; }
    T* pop() { return count ? items[--count] : nullptr; }
    void push(T* x) { items[count++] = x; }
    // Remove the `n` oldest entries (the coldest), copying them to out.
    template <class Out>
    void take_oldest(std::size_t n, Out&& out) {
        for (std::size_t i = 0; i < n; ++i) out(items[i]);
        for (std::size_t i = n; i < count; ++i) items[i - n] = items[i];
        count -= n;
    }
};

}  // namespace schedlab::rt
