// Helpers shared by the simulator's tests (tests/sim/*_test.cpp): a run of one bundle with
// the options spelled out, and a few small shapes of every kind. A bundle the library is not
// compiled for (sim/include/schedlab/sim/instantiated.hpp) is instantiated by the test file
// that runs it, which includes simulator_impl.hpp: only sim_scheduler_test.cpp does.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "schedlab/sim/generators.hpp"
#include "schedlab/sim/instantiated.hpp"

namespace schedlab::sim::testing {

template <class B>
SimResult run(const TaskGraph& g, std::uint32_t procs, std::uint64_t seed = 1, bool trace = false,
              policies::Topology topo = {0, 1, {}, {}}, CostModel cost = {}) {
    SimOptions o;
    o.procs = procs;
    o.seed = seed;
    o.keep_trace = trace;
    o.topology = std::move(topo);
    o.cost = cost;
    return Simulator<B>(o).run(g);
}

inline std::vector<TaskGraph> small_shapes() {
    std::vector<TaskGraph> v;
    v.push_back(shapes::fib({.n = 15}));
    v.push_back(shapes::fib({.n = 16, .cutoff = 6, .spawn_both = false}));
    v.push_back(shapes::random_dag({.layers = 12, .width = 30, .max_preds = 3, .seed = 7}));
    v.push_back(shapes::cholesky({.tiles = 6}));
    v.push_back(shapes::spawn_storm({.n = 3000, .task_ns = 200}));
    v.push_back(shapes::uts_like({.root_children = 50, .m = 4, .q = 0.24, .node_ns = 300, .seed = 3}));
    return v;
}

}  // namespace schedlab::sim::testing
