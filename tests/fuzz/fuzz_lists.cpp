// libFuzzer target: the command line's list parsers (split_list, parse_procs, hint).
// Properties: only UsageError escapes parse_procs, and what it returns lies in [1, max].
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "schedlab/harness/cli_common.hpp"
#include "schedlab/harness/results_file.hpp"

using namespace schedlab::harness;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    for (const std::string& item : split_list(text))
        if (item.empty() || item.find(',') != std::string::npos) __builtin_trap();
    try {
        for (int p : parse_procs(text, 256))
            if (p < 1 || p > 256) __builtin_trap();
    } catch (const UsageError&) {
    }
    (void)hint(text, {"policies", "workloads", "runtimes", "cilk-like", "go"});
    return 0;
}
