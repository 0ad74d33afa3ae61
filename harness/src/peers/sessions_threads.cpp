// The Threads peer's sessions (harness/include/schedlab/harness/peer_sessions.hpp).
#include "schedlab/peers/threads.hpp"
#include "schedlab/harness/peer_sessions.hpp"

namespace schedlab::harness {
void add_threads_peer(Registry& r) { add_peer<peers::Threads>(r); }

}  // namespace schedlab::harness
