// Every workload, as a type list the harness iterates (registry, `schedlab list`).
// Add a workload: write its header, include it here and add it to AllWorkloads.
#pragma once

#include <tuple>

// ---- Dependency DAGs, fan-out and ping-pong (issue 4, branch workloads-flow) ----
#include "schedlab/workloads/cholesky.hpp"
#include "schedlab/workloads/fanout.hpp"
#include "schedlab/workloads/pingpong.hpp"
#include "schedlab/workloads/pipeline.hpp"
#include "schedlab/workloads/randdag.hpp"
#include "schedlab/workloads/spawn_storm.hpp"
// ---- end workloads-flow ----

namespace schedlab::workloads {

using AllWorkloads = std::tuple<
    // ---- workloads-flow: dependency DAGs, fan-out, ping-pong ----
    Cholesky, RandDag, SpawnStorm, FanOut, Pipeline, PingPong
    // ---- end workloads-flow ----
    >;

}  // namespace schedlab::workloads
