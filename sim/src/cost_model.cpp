#include "schedlab/sim/cost_model.hpp"

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace schedlab::sim {

namespace {

std::string_view trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

std::uint64_t* field(CostModel& c, std::string_view key) {
#define SCHEDLAB_SIM_COST_LOOKUP(name, value, source) \
    if (key == #name) return &c.name;
    SCHEDLAB_SIM_COSTS(SCHEDLAB_SIM_COST_LOOKUP)
#undef SCHEDLAB_SIM_COST_LOOKUP
    return nullptr;
}

}  // namespace

CostModel CostModel::zero() {
    CostModel c;
#define SCHEDLAB_SIM_COST_ZERO(name, value, source) c.name = 0;
    SCHEDLAB_SIM_COSTS(SCHEDLAB_SIM_COST_ZERO)
#undef SCHEDLAB_SIM_COST_ZERO
    c.recheck_per_p_ns = 1;
    c.slice_check_every = CostModel{}.slice_check_every;
    c.time_slice_ns = CostModel{}.time_slice_ns;
    c.spin_ns = CostModel{}.spin_ns;
    c.spin_pause_ns = CostModel{}.spin_pause_ns;
    return c;
}

CostModel parse_cost_model(std::string_view text) {
    CostModel c;
    std::set<std::string, std::less<>> seen;
    int lineno = 0;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++lineno;
        if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        line = trim(line);
        if (line.empty()) continue;
        const auto where = "cost model line " + std::to_string(lineno) + ": ";
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) throw std::invalid_argument(where + "expected key = value");
        const auto key = trim(line.substr(0, eq));
        const auto value = trim(line.substr(eq + 1));
        std::uint64_t* f = field(c, key);
        if (!f) throw std::invalid_argument(where + "unknown key '" + std::string(key) + "'");
        if (!seen.insert(std::string(key)).second)
            throw std::invalid_argument(where + "'" + std::string(key) + "' given twice");
        std::uint64_t v = 0;
        const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
        if (value.empty() || ec != std::errc{} || ptr != value.data() + value.size())
            throw std::invalid_argument(where + "'" + std::string(value) + "' is not a non-negative integer");
        *f = v;
    }
    if (c.recheck_per_p_ns == 0) throw std::invalid_argument("cost model: recheck_per_p_ns must be >= 1");
    if (c.slice_check_every == 0) throw std::invalid_argument("cost model: slice_check_every must be >= 1");
    return c;
}

CostModel load_cost_model(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::invalid_argument("cost model: cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_cost_model(ss.str());
}

std::string to_text(const CostModel& c) {
    std::string out = "# schedlab simulator cost model (virtual ns unless named otherwise)\n";
    for_each_cost(c, [&](const char* name, std::uint64_t v, const char* source) {
        out += "# default: ";
        out += source;
        out += "\n";
        out += name;
        out += " = " + std::to_string(v) + "\n";
    });
    return out;
}

}  // namespace schedlab::sim
