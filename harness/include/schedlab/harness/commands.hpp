// The commands that live outside main.cpp: `schedlab list` (harness/src/commands/
// list_command.cpp), `schedlab sim` (sim_command.cpp) and `schedlab calibrate` (calibrate.cpp).
// Each takes the arguments after its name (and sim and calibrate the whole command line, for the
// results metadata); bad input throws UsageError (exit status 2).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace schedlab::harness {

int cmd_list(const std::vector<std::string>& args);
int cmd_sim(const std::vector<std::string>& args, const std::vector<std::string>& argv);
int cmd_calibrate(const std::vector<std::string>& args, const std::vector<std::string>& argv);

// For `schedlab list`: which workloads the simulator runs, and why not the others.
void list_sim_workloads(std::FILE* out);

}  // namespace schedlab::harness
