// `schedlab summarize FILE`: per experiment, a table of medians with MAD and bootstrap 95%
// CIs, speedup over procs=1, and, where rows carry work and span (extra columns work_ns and
// span_ns), a Cilk-5 style table and the fit T_P = a * T1 / P + b * Tinf.
#pragma once

#include <ostream>
#include <string>

namespace schedlab::harness {

// Returns the exit status; throws UsageError on an unreadable or foreign file.
int summarize(const std::string& path, std::ostream& out);

}  // namespace schedlab::harness
