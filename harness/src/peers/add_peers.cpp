// Every peer adapter compiled into this build, in the order `schedlab list runtimes` shows.
#include "schedlab/harness/registry.hpp"

namespace schedlab::harness {

void add_tbb_peer(Registry& r);
void add_omp_peer(Registry& r);
void add_fiber_peers(Registry& r);
void add_threads_peer(Registry& r);
void add_serial_peer(Registry& r);

void add_peers(Registry& r) {
#if SCHEDLAB_HAVE_TBB
    add_tbb_peer(r);
#endif
#if SCHEDLAB_HAVE_OMP
    add_omp_peer(r);
#endif
#if SCHEDLAB_HAVE_FIBER
    add_fiber_peers(r);
#endif
    add_threads_peer(r);
    add_serial_peer(r);
}

}  // namespace schedlab::harness
