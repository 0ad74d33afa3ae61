#include "schedlab/harness/cli_common.hpp"

#include <algorithm>

#include "schedlab/harness/results_file.hpp"
#include "schedlab/runtime/counters.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::harness {

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == ',') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else if (c != ' ') {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

std::string hint(const std::string& word, const std::vector<std::string>& names) {
    const std::string m = workloads::did_you_mean(word, names);
    return m.empty() ? "" : " (did you mean '" + m + "'?)";
}

std::vector<int> parse_procs(const std::string& text, int max_procs) {
    std::vector<int> out;
    for (const auto& item : split_list(text)) {
        const auto dash = item.find('-', 1);
        auto num = [&](const std::string& s) {
            std::size_t used = 0;
            long v = -1;
            try {
                v = std::stol(s, &used);
            } catch (...) {
                used = 0;
            }
            if (used != s.size() || s.empty())
                throw UsageError("--procs: '" + s + "' is not a number");
            if (v < 1 || v > max_procs)
                throw UsageError("--procs: " + s + " is out of range [1, " + std::to_string(max_procs) + "]");
            return static_cast<int>(v);
        };
        if (dash == std::string::npos) {
            out.push_back(num(item));
        } else {
            const int lo = num(item.substr(0, dash)), hi = num(item.substr(dash + 1));
            if (hi < lo) throw UsageError("--procs: empty range " + item);
            for (int p = lo; p <= hi; ++p) out.push_back(p);
        }
    }
    if (out.empty()) throw UsageError("--procs: no processor count given");
    return out;
}

std::vector<std::string> results_header() {
    std::vector<std::string> h = {"experiment", "workload", "params",  "policy", "steal",
                                  "global_check", "spin_cap", "runnext", "victim", "runtime",
                                  "procs", "rep", "wall_ns", "tasks", "result_ok"};
#define SCHEDLAB_HEADER_COUNTER(name, doc) h.push_back(#name);
    SCHEDLAB_COUNTERS(SCHEDLAB_HEADER_COUNTER)
#undef SCHEDLAB_HEADER_COUNTER
    // The policy dimensions beyond DESIGN.md's five follow the fixed columns and counters.
    for (const char* c : {"spinning_high_water", "topology", "pin", "remote_steal_ns", "seed",
                          "local_order", "join", "extra"})
        h.push_back(c);
    return h;
}

std::vector<std::size_t> results_key_columns(const std::vector<std::string>& h) {
    std::vector<std::size_t> keys;
    for (const char* k : {"experiment", "workload", "params", "policy", "runtime", "procs", "rep",
                          "topology", "pin", "remote_steal_ns", "seed"})
        keys.push_back(static_cast<std::size_t>(std::find(h.begin(), h.end(), k) - h.begin()));
    return keys;
}

}  // namespace schedlab::harness
