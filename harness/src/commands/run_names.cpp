// The names of `schedlab run` and `sweep`'s --policy and --runtime, resolved against the
// registry of what this build has (harness/src/commands/run_names.hpp says what they mean).
// Only names: nothing here runs, and the registry is only read.
#include "run_names.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "schedlab/harness/cli_common.hpp"
#include "schedlab/harness/go_peer.hpp"
#include "schedlab/harness/registry.hpp"
#include "schedlab/harness/results_file.hpp"

namespace schedlab::harness {

bool go_supports(const std::string& workload) {
    const auto& names = go_peer_workloads();
    return std::find(names.begin(), names.end(), workload) != names.end();
}

std::string runtime_name(const RuntimeRef& r) {
    switch (r.kind) {
    case RuntimeRef::Schedlab: return "schedlab";
    case RuntimeRef::Go: return "go";
    case RuntimeRef::Peer: break;
    }
    return registry().runtimes[r.index].name;
}

std::vector<std::size_t> resolve_policies(const std::string& text) {
    const Registry& reg = registry();
    std::vector<std::string> names;
    for (const auto& p : reg.policies) names.push_back(p.name);
    std::vector<std::size_t> out;
    for (const auto& item : split_list(text)) {
        if (item == "all") {
            for (std::size_t i = 0; i < reg.policies.size(); ++i) out.push_back(i);
        } else if (item == "sweep:global-check") {
            out.insert(out.end(), reg.global_check_sweep.begin(), reg.global_check_sweep.end());
        } else if (item == "sweep:steal") {
            out.insert(out.end(), reg.steal_sweep.begin(), reg.steal_sweep.end());
        } else if (item == "sweep:spin") {
            out.insert(out.end(), reg.spin_sweep.begin(), reg.spin_sweep.end());
        } else if (item == "sweep:preempt") {
            out.insert(out.end(), reg.preempt_sweep.begin(), reg.preempt_sweep.end());
        } else {
            const auto it = std::find(names.begin(), names.end(), item);
            if (it == names.end())
                throw UsageError("unknown policy '" + item + "'" + hint(item, names) +
                                 "; 'schedlab list policies' shows them");
            out.push_back(static_cast<std::size_t>(it - names.begin()));
        }
    }
    if (out.empty()) throw UsageError("no policy given");
    std::vector<std::size_t> unique;
    for (auto i : out)
        if (std::find(unique.begin(), unique.end(), i) == unique.end()) unique.push_back(i);
    return unique;
}

std::vector<RuntimeRef> resolve_runtimes(const std::string& text) {
    const Registry& reg = registry();
    std::vector<std::string> names{"schedlab", "go", "fiber", "all"};
    for (const auto& r : reg.runtimes) names.push_back(r.name);
    for (const char* known : {"tbb", "omp", "fiber-ws", "fiber-rr"})
        if (std::find(names.begin(), names.end(), known) == names.end()) names.push_back(known);
    auto peer = [&](const std::string& name) -> std::optional<RuntimeRef> {
        for (std::size_t i = 0; i < reg.runtimes.size(); ++i)
            if (reg.runtimes[i].name == name) return RuntimeRef{RuntimeRef::Peer, i};
        return std::nullopt;
    };
    auto go = [&] {
        if (go_peer_program().empty())
            throw UsageError("runtime go is not built (needs golang-go; scripts/setup installs it, then rebuild)");
        return RuntimeRef{RuntimeRef::Go, 0};
    };
    std::vector<RuntimeRef> out;
    for (const auto& item : split_list(text)) {
        if (item == "schedlab") {
            out.push_back({});
        } else if (item == "go") {
            out.push_back(go());
        } else if (item == "all") {
            out.push_back({});
            for (std::size_t i = 0; i < reg.runtimes.size(); ++i) out.push_back({RuntimeRef::Peer, i});
            if (!go_peer_program().empty()) out.push_back(go());
        } else if (item == "fiber") {
            for (const char* f : {"fiber-ws", "fiber-rr"}) {
                if (auto r = peer(f)) out.push_back(*r);
                else throw UsageError("runtime fiber is not built (needs libboost-fiber-dev; scripts/setup installs it)");
            }
        } else if (auto r = peer(item)) {
            out.push_back(*r);
        } else if (std::find(names.begin(), names.end(), item) != names.end()) {
            throw UsageError("runtime " + item + " is not built in this build (its library was not found or its "
                             "SCHEDLAB_PEER_ option is OFF; 'schedlab list runtimes' shows what is)");
        } else {
            throw UsageError("unknown runtime '" + item + "'" + hint(item, names) +
                             "; 'schedlab list runtimes' shows them");
        }
    }
    if (out.empty()) throw UsageError("no runtime given");
    std::vector<RuntimeRef> unique;
    for (const auto& r : out)
        if (std::find(unique.begin(), unique.end(), r) == unique.end()) unique.push_back(r);
    return unique;
}

}  // namespace schedlab::harness
