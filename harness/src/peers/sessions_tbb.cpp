// The Tbb peer's sessions (harness/include/schedlab/harness/peer_sessions.hpp).
#if SCHEDLAB_HAVE_TBB
#include "schedlab/peers/tbb.hpp"
#endif
#include "schedlab/harness/peer_sessions.hpp"

namespace schedlab::harness {
#if SCHEDLAB_HAVE_TBB
void add_tbb_peer(Registry& r) { add_peer<peers::Tbb>(r); }
#endif
}  // namespace schedlab::harness
