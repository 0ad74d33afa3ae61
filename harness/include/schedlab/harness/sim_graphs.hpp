// The workloads as the simulator sees them: a workload's parameters turned into the task graph
// of the same decomposition, with per-task costs from the cost model's kernel keys. Where the
// workload object can say what it would do (UTS's tree, randdag's DAG and grains), the graph
// is built from it, so the simulated run has exactly the real run's tasks.
#pragma once

#include <string>

#include "schedlab/sim/cost_model.hpp"
#include "schedlab/sim/task_graph.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::harness {

// Empty when `workload` has a simulated form, else why not (one phrase).
std::string sim_unsupported(const std::string& workload);

// The graph of `workload` with the parameters as given and completed (defaults filled in).
// Throws workloads::ParamError on a parameter the simulated form cannot honour.
sim::TaskGraph sim_graph(const std::string& workload, const workloads::Params& given,
                         const workloads::Params& full, const sim::CostModel& cost);

}  // namespace schedlab::harness
