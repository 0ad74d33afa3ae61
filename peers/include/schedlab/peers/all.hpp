// Every peer adapter compiled into this build, as a type list, and which workloads each can
// run. An adapter whose library CMake did not find (or that was switched off) is left out:
// SCHEDLAB_HAVE_TBB, SCHEDLAB_HAVE_OMP and SCHEDLAB_HAVE_FIBER are set by peers/CMakeLists.txt.
// The plain-thread peer and the serial elision need nothing beyond the standard library and
// are always there.
#pragma once

#include <tuple>

#include "schedlab/peers/traits.hpp"

#include "schedlab/peers/serial.hpp"
#include "schedlab/peers/threads.hpp"
#if SCHEDLAB_HAVE_TBB
#include "schedlab/peers/tbb.hpp"
#endif
#if SCHEDLAB_HAVE_OMP
#include "schedlab/peers/omp.hpp"
#endif
#if SCHEDLAB_HAVE_FIBER
#include "schedlab/peers/fiber.hpp"
#endif

namespace schedlab::peers {

namespace detail {
template <class... Ts>
struct Concat;
template <class... As>
struct Concat<std::tuple<As...>> {
    using type = std::tuple<As...>;
};
template <class... As, class... Bs, class... Rest>
struct Concat<std::tuple<As...>, std::tuple<Bs...>, Rest...> {
    using type = typename Concat<std::tuple<As..., Bs...>, Rest...>::type;
};
}  // namespace detail

using AllPeers = typename detail::Concat<
#if SCHEDLAB_HAVE_TBB
    std::tuple<Tbb>,
#endif
#if SCHEDLAB_HAVE_OMP
    std::tuple<Omp>,
#endif
#if SCHEDLAB_HAVE_FIBER
    std::tuple<FiberWorkStealing, FiberShared>,
#endif
    std::tuple<Threads, Serial>>::type;

}  // namespace schedlab::peers
