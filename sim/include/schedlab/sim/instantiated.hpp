// The bundles the simulator library is compiled for (sim/src/sim_bundles_*.cpp): code that
// includes this uses those instantiations instead of compiling the simulator again.
#pragma once

#include <tuple>

#include "schedlab/policies/sweep_bundles.hpp"
#include "schedlab/sim/simulator.hpp"

namespace schedlab::sim {
extern template class Simulator<policies::Go>;
extern template class Simulator<policies::TokioLike>;
extern template class Simulator<policies::CilkLike>;
extern template class Simulator<policies::NoRunnext>;
extern template class Simulator<policies::StealAllBundle>;
extern template class Simulator<policies::GciNever>;
extern template class Simulator<policies::Numa>;
extern template class Simulator<policies::NumaBiasedBundle>;
extern template class Simulator<policies::Hierarchical>;

using NamedBundles = std::tuple<policies::Go, policies::TokioLike, policies::CilkLike,
                                policies::NoRunnext, policies::StealAllBundle, policies::GciNever,
                                policies::Numa, policies::NumaBiasedBundle, policies::Hierarchical>;
// And the spin-cap sweep (its Go point is policies::Go), from generated translation units.
using SpinSweepBundles = policies::sweep::SpinSweep;
}  // namespace schedlab::sim
