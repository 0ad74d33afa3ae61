// The Omp peer's sessions (harness/include/schedlab/harness/peer_sessions.hpp).
#if SCHEDLAB_HAVE_OMP
#include "schedlab/peers/omp.hpp"
#endif
#include "schedlab/harness/peer_sessions.hpp"

namespace schedlab::harness {
#if SCHEDLAB_HAVE_OMP
void add_omp_peer(Registry& r) { add_peer<peers::Omp>(r); }
#endif
}  // namespace schedlab::harness
