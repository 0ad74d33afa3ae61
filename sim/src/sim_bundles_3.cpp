// The simulator compiled for some of the named bundles (see sim_bundles_1.cpp).
#include "schedlab/sim/simulator_impl.hpp"

namespace schedlab::sim {
template class Simulator<policies::Numa>;
template class Simulator<policies::NumaBiasedBundle>;
template class Simulator<policies::Hierarchical>;
}  // namespace schedlab::sim
