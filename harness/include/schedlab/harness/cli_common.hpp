// Pieces of the command line shared by its commands (run and sweep in main.cpp, sim,
// calibrate): comma lists, did-you-mean hints, processor counts, and the results CSV's columns.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace schedlab::harness {

// "a, b,,c" -> {"a", "b", "c"}: items split at commas, spaces dropped, empty items skipped.
std::vector<std::string> split_list(const std::string& s);

// " (did you mean 'x'?)" when `word` is a likely typo of one of `names`, else "".
std::string hint(const std::string& word, const std::vector<std::string>& names);

// "1,2,4" or "1-4" or both mixed; throws UsageError naming the bad item, or a count outside
// [1, max_procs].
std::vector<int> parse_procs(const std::string& text, int max_procs);

// DESIGN.md's columns in order, the counters, then topology, pin, remote_steal_ns, seed, extra.
std::vector<std::string> results_header();
// The columns that identify a row (everything but the measured values): indexes into h.
std::vector<std::size_t> results_key_columns(const std::vector<std::string>& h);

}  // namespace schedlab::harness
