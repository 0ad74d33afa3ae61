// The simulator compiled for some of the named bundles (see sim_bundles_1.cpp).
#include "schedlab/sim/simulator_impl.hpp"

namespace schedlab::sim {
template class Simulator<policies::NoRunnext>;
template class Simulator<policies::StealAllBundle>;
template class Simulator<policies::GciNever>;
}  // namespace schedlab::sim
