// Every workload, as a type list the harness iterates (registry, `schedlab list`).
// Add a workload: write its header, include it here and add it to AllWorkloads.
#pragma once

#include <tuple>

#include "schedlab/workloads/blocking.hpp"
#include "schedlab/workloads/cholesky.hpp"
#include "schedlab/workloads/fairness.hpp"
#include "schedlab/workloads/fanout.hpp"
#include "schedlab/workloads/fib.hpp"
#include "schedlab/workloads/matmul.hpp"
#include "schedlab/workloads/nqueens.hpp"
#include "schedlab/workloads/parked.hpp"
#include "schedlab/workloads/pingpong.hpp"
#include "schedlab/workloads/pipeline.hpp"
#include "schedlab/workloads/randdag.hpp"
#include "schedlab/workloads/spawn_storm.hpp"
#include "schedlab/workloads/spawn_wait.hpp"
#include "schedlab/workloads/starve.hpp"
#include "schedlab/workloads/timers.hpp"
#include "schedlab/workloads/uts.hpp"

namespace schedlab::workloads {

// Fork-join DAGs, dependency DAGs, fan-out, ping-pong, and the runtime microbenchmarks'
// shapes (spawn-then-wait, blocked-G memory) so that peers can run them too; blocking calls
// beside compute, and preemption (schedlab's runtime and the Go peer only: needs_blocking);
// timers (likewise: needs_timers).
using AllWorkloads = std::tuple<Fib, NQueens, Uts, Matmul, Cholesky, RandDag, SpawnStorm, FanOut,
                                Pipeline, PingPong, SpawnWait, Parked, Starve, Blocking, Fairness, Timers>;

// How each DAG workload measures work and span in an instrumented repetition: the fork-join
// ones when run on work_span::Measured<R> (work_span.hpp), the dependency DAGs when given the
// parameter measure=1 (dag_span.hpp).
using MeasuredByWrapper = std::tuple<Fib, NQueens, Uts, Matmul>;
using MeasuredByParam = std::tuple<Cholesky, RandDag>;

}  // namespace schedlab::workloads
