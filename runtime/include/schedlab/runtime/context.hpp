// User-level context switch (Boost.Context's fcontext: a few registers saved on the stack
// and a jump) plus the annotations that let AddressSanitizer and ThreadSanitizer follow a
// thread that hops between stacks.
#pragma once

#include <boost/context/detail/fcontext.hpp>
#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define SCHEDLAB_ASAN_FIBERS 1
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(__SANITIZE_THREAD__)
#define SCHEDLAB_TSAN_FIBERS 1
#include <sanitizer/tsan_interface.h>
#endif

namespace schedlab::rt {

using boost::context::detail::fcontext_t;
using boost::context::detail::transfer_t;

#if defined(SCHEDLAB_FAST_SWITCH)
// x86-64: runtime/src/switch_x86_64.S, Boost's contract without saving the x87 control word
// and MXCSR (about a third of the switch's cost). All Gs share one floating-point
// environment: a G that changes the rounding mode must restore it before it blocks.
extern "C" transfer_t schedlab_jump_fcontext(fcontext_t to, void* data);
extern "C" fcontext_t schedlab_make_fcontext(void* top, std::size_t size, void (*fn)(transfer_t));
inline transfer_t ctx_jump(fcontext_t to, void* data) { return schedlab_jump_fcontext(to, data); }
inline fcontext_t ctx_make(void* top, std::size_t size, void (*fn)(transfer_t)) {
    return schedlab_make_fcontext(top, size, fn);
}
#else
inline transfer_t ctx_jump(fcontext_t to, void* data) {
    return boost::context::detail::jump_fcontext(to, data);
}
inline fcontext_t ctx_make(void* top, std::size_t size, void (*fn)(transfer_t)) {
    return boost::context::detail::make_fcontext(top, size, fn);
}
#endif

// What the sanitizers need to know about one execution context (an M's own stack, g0, or a
// G's stack). Empty in a plain build, so a G carries nothing for it.
#if defined(SCHEDLAB_ASAN_FIBERS) || defined(SCHEDLAB_TSAN_FIBERS)
struct FiberSan {
    const void* stack_bottom = nullptr;
    std::size_t stack_size = 0;
    void* asan_fake_stack = nullptr;
    void* tsan_fiber = nullptr;
};
inline void san_set_stack(FiberSan& f, const void* bottom, std::size_t size, void* tsan_fiber) {
    f.stack_bottom = bottom;
    f.stack_size = size;
    f.tsan_fiber = tsan_fiber;
}
#else
struct FiberSan {};
inline void san_set_stack(FiberSan&, const void*, std::size_t, void*) {}
#endif

// Call right before jumping from `from` to `to`. `from_exits`: the context will never be
// resumed, so ASan may drop its fake stack.
inline void san_before_switch([[maybe_unused]] FiberSan& from, [[maybe_unused]] const FiberSan& to,
                              [[maybe_unused]] bool from_exits) {
#ifdef SCHEDLAB_ASAN_FIBERS
    __sanitizer_start_switch_fiber(from_exits ? nullptr : &from.asan_fake_stack, to.stack_bottom,
                                   to.stack_size);
#endif
#ifdef SCHEDLAB_TSAN_FIBERS
    __tsan_switch_to_fiber(to.tsan_fiber, 0);
#endif
}

// Call first thing after a jump lands in `self`.
inline void san_after_switch([[maybe_unused]] FiberSan& self) {
#ifdef SCHEDLAB_ASAN_FIBERS
    __sanitizer_finish_switch_fiber(self.asan_fake_stack, nullptr, nullptr);
#endif
}

}  // namespace schedlab::rt
