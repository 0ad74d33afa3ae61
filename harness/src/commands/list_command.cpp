// `schedlab list [policies|workloads|runtimes]`: what the registry compiled in (bundles with
// their five dimensions, workloads with every parameter and default, runtimes with what each
// cannot run), and which workloads the simulator takes.
#include <cstdio>
#include <string>
#include <vector>

#include "run_names.hpp"
#include "schedlab/harness/cli_common.hpp"
#include "schedlab/harness/commands.hpp"
#include "schedlab/harness/go_peer.hpp"
#include "schedlab/harness/registry.hpp"
#include "schedlab/harness/results_file.hpp"

namespace schedlab::harness {

int cmd_list(const std::vector<std::string>& args) {
    const Registry& reg = registry();
    const std::string what = args.empty() ? "all" : args[0];
    if (what != "all" && what != "policies" && what != "workloads" && what != "runtimes")
        throw UsageError("list: unknown topic '" + what +
                         "' (policies, workloads or runtimes)" +
                         hint(what, {"policies", "workloads", "runtimes"}));
    if (what == "all" || what == "policies") {
        std::printf("policies (steal, global check, spin cap, runnext, victim order, local order, join):\n");
        for (const auto& p : reg.policies)
            std::printf("  %-16s %-6s %-9s %-11s %-4s %-18s %-5s %s\n", p.name.c_str(), p.steal.c_str(),
                        p.global_check.c_str(), p.spin_cap.c_str(), p.runnext.c_str(),
                        p.victim.c_str(), p.local_order.c_str(), p.join.c_str());
        std::printf("  policy groups: all, sweep:global-check, sweep:steal, sweep:spin, sweep:preempt\n");
    }
    if (what == "all" || what == "workloads") {
        std::printf("workloads:\n");
        if (reg.workloads.empty()) std::printf("  (none compiled)\n");
        for (const auto& w : reg.workloads) {
            std::printf("  %-12s %s%s\n", w.name.c_str(), w.summary.c_str(),
                        w.needs_channels ? " [channels]" : "");
            for (const auto& s : w.params)
                std::printf("      %-12s = %-10s %s\n", s.key, s.default_value, s.help);
        }
        list_sim_workloads(stdout);
    }
    if (what == "all" || what == "runtimes") {
        std::printf("runtimes (--runtime; 'fiber' = fiber-ws,fiber-rr; 'all' = every one built):\n");
        std::printf("  %-9s %s\n", "schedlab", "this runtime, under any policy above (the default)");
        for (const auto& rt : reg.runtimes) {
            std::printf("  %-9s %s\n", rt.name.c_str(), rt.summary.c_str());
            std::string no;
            for (const auto& [wi, why] : rt.unsupported)
                no += (no.empty() ? "" : ", ") + reg.workloads[wi].name + " (" + why + ")";
            if (!no.empty()) std::printf("            cannot run: %s\n", no.c_str());
        }
        if (go_peer_program().empty()) {
            std::printf("  %-9s not built (needs golang-go: scripts/setup installs it)\n", "go");
        } else {
            std::printf("  %-9s the same workloads in Go (peers/go), GOMAXPROCS = procs\n", "go");
            std::string no;
            for (const auto& w : reg.workloads)
                if (!go_supports(w.name)) no += (no.empty() ? "" : ", ") + w.name;
            if (!no.empty()) std::printf("            cannot run: %s\n", no.c_str());
        }
    }
    return 0;
}

}  // namespace schedlab::harness
