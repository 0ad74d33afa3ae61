// libFuzzer target: the CSV cell splitter that --resume, --append and summarize read results
// with. Properties: on any line it returns cells or throws UsageError (an unterminated quote,
// which the callers report as one line); csv_join of the cells splits back to the same cells.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "schedlab/harness/results_file.hpp"

using namespace schedlab::harness;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> cells;
    try {
        cells = csv_split(line);
    } catch (const UsageError&) {
        return 0;
    }
    // A row of cells without line breaks is one CSV line, and must come back as it was.
    for (const std::string& c : cells)
        if (c.find_first_of("\r\n") != std::string::npos) return 0;
    if (csv_split(csv_join(cells)) != cells) __builtin_trap();
    return 0;
}
