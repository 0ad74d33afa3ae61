// The commands that live outside main.cpp: `schedlab sim` (harness/src/commands/sim_command.cpp)
// and `schedlab calibrate` (calibrate.cpp). Each takes the arguments after its name and the
// whole command line (for the results metadata); bad input throws UsageError (exit status 2).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace schedlab::harness {

int cmd_sim(const std::vector<std::string>& args, const std::vector<std::string>& argv);
int cmd_calibrate(const std::vector<std::string>& args, const std::vector<std::string>& argv);

// For `schedlab list`: which workloads the simulator runs, and why not the others.
void list_sim_workloads(std::FILE* out);

}  // namespace schedlab::harness
