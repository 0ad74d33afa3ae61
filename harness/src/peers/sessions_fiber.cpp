// The Boost.Fiber peers' sessions (harness/include/schedlab/harness/peer_sessions.hpp).
#if SCHEDLAB_HAVE_FIBER
#include "schedlab/peers/fiber.hpp"
#endif
#include "schedlab/harness/peer_sessions.hpp"

namespace schedlab::harness {
#if SCHEDLAB_HAVE_FIBER
void add_fiber_peers(Registry& r) {
    add_peer<peers::FiberWorkStealing>(r);
    add_peer<peers::FiberShared>(r);
}
#endif
}  // namespace schedlab::harness
