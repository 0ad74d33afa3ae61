// Every workload, as a type list the harness iterates (registry, `schedlab list`).
// Add a workload: write its header, include it here and add it to AllWorkloads.
#pragma once

#include <tuple>

#include "schedlab/workloads/fib.hpp"
#include "schedlab/workloads/matmul.hpp"
#include "schedlab/workloads/nqueens.hpp"
#include "schedlab/workloads/uts.hpp"

namespace schedlab::workloads {

using AllWorkloads = std::tuple<Fib, NQueens, Uts, Matmul>;

}  // namespace schedlab::workloads
