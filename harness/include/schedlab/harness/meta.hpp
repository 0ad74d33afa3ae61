// The .meta.json sidecar of a results file: commit, compiler and flags, CPU, cores, NUMA
// topology, kernel, date, the exact command, and where the Ps ran (real or emulated).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace schedlab::harness {

std::string json_escape(const std::string& s);

// The CPU's model name from /proc/cpuinfo ("unknown" when it says none).
std::string cpu_model();

// One run's description as a JSON object. `placements` are Placement::to_json() strings.
std::string run_metadata(const std::vector<std::string>& argv,
                         const std::vector<std::string>& placements);

// Add one run to <csv>.meta.json: {"schema": 1, "runs": [...]}; a previous sidecar (from an
// earlier run appended to the same CSV) keeps its runs. Written to a temporary name, renamed.
void append_run_metadata(const std::filesystem::path& csv, const std::string& run_json);

}  // namespace schedlab::harness
