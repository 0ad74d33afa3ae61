// The simulator compiled for some of the named bundles (spread over three files so the build
// spreads over cores).
#include "schedlab/sim/simulator_impl.hpp"

namespace schedlab::sim {
template class Simulator<policies::Go>;
template class Simulator<policies::TokioLike>;
template class Simulator<policies::CilkLike>;
}  // namespace schedlab::sim
