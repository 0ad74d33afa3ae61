// Runtime plumbing that does not depend on a policy: the current-M thread-local, fatal
// reports, signal handling and time. Compiled once in runtime/src.
#pragma once

#include <cstddef>
#include <cstdint>

#include "schedlab/runtime/g.hpp"

namespace schedlab::rt {
class StackPool;
}

namespace schedlab::rt::detail {

// The one piece of thread-local state: which M (type-erased) this OS thread is running.
// Both accessors are out of line on purpose: a G can resume on another thread, and a
// compiler may otherwise reuse a thread-local address computed before the switch.
void* current_m();
void set_current_m(void* m);

// Print "schedlab: <message>" to stderr and exit with status 2, like Go's fatal errors.
[[noreturn]] void fatal(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// "all Gs are asleep - deadlock!" with the count of blocked Gs by wait reason; exits 2.
[[noreturn]] void report_deadlock(const std::size_t (&by_reason)[std::size_t(WaitReason::kCount)],
                                  std::size_t blocked);

// An exception escaped a G's function: print its message and G id; exits 2.
[[noreturn]] void report_g_exception(std::uint64_t gid, const char* what);

// Guard-page faults are reported as a stack overflow of the owning G (installed once per
// process, chained to any earlier SIGSEGV handler). Pools register while they exist.
void install_overflow_handler();
// A G found its unguarded stack's canary overwritten (StackPool: Stack::kCanary): the same
// message as a guard-page fault, then the process dies of SIGSEGV like one.
[[noreturn]] void report_canary_overflow(std::uint64_t gid, std::size_t stack_size);
void register_stack_pool(const StackPool* pool);
void unregister_stack_pool(const StackPool* pool);

// The alternate signal stack of an M thread (the overflow handler cannot run on the stack
// that overflowed). RAII: restores the thread's previous one.
class AltSignalStack {
public:
    AltSignalStack();
    ~AltSignalStack();
    AltSignalStack(const AltSignalStack&) = delete;
    AltSignalStack& operator=(const AltSignalStack&) = delete;

private:
    void* mem_ = nullptr;
    bool installed_ = false;
    alignas(16) char old_[64];  // the previous stack_t, opaque here
};

// The calling thread's own stack, for AddressSanitizer's fiber bookkeeping.
void thread_stack_bounds(const void** bottom, std::size_t* size);

std::uint64_t now_ns();

}  // namespace schedlab::rt::detail
