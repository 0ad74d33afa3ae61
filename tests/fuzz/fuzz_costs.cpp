// libFuzzer target: the simulator's cost-file parser (schedlab sim --costs FILE).
// Properties: only std::invalid_argument escapes; a parsed model written with to_text parses
// back to the same model.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "schedlab/sim/cost_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    schedlab::sim::CostModel c;
    try {
        c = schedlab::sim::parse_cost_model(text);
    } catch (const std::invalid_argument&) {
        return 0;
    }
    if (!(schedlab::sim::parse_cost_model(schedlab::sim::to_text(c)) == c)) __builtin_trap();
    return 0;
}
