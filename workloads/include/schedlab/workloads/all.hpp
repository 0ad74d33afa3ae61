// Every workload, as a type list the harness iterates (registry, `schedlab list`).
// Add a workload: write its header, include it here and add it to AllWorkloads.
#pragma once

#include <tuple>

namespace schedlab::workloads {

using AllWorkloads = std::tuple<>;

}  // namespace schedlab::workloads
