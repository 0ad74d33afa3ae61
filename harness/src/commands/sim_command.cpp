// schedlab sim: the workloads on the deterministic simulator (sim/), one CSV row per
// repetition in the same columns as `schedlab run`, with runtime=sim and wall_ns the simulated
// makespan in virtual ns. Repetition r uses victim-order seed `seed + r` (the seed column keeps
// the seed given), so repetitions differ the way real ones do, and the same command gives the
// same file bit for bit.
#include <algorithm>
#include <boost/program_options.hpp>
#include <iostream>
#include <memory>

#include "run_options.hpp"
#include "schedlab/harness/cli_common.hpp"
#include "schedlab/harness/commands.hpp"
#include "schedlab/harness/meta.hpp"
#include "schedlab/harness/registry.hpp"
#include "schedlab/harness/results_file.hpp"
#include "schedlab/harness/sim_graphs.hpp"
#include "schedlab/runtime/topology.hpp"
#include "schedlab/sim/simulator.hpp"

namespace schedlab::harness {

namespace {

namespace po = boost::program_options;
using workloads::ParamError;
using workloads::Params;

// More simulated Ps than this is a typo rather than a study (memory grows with Ps x 256 slots).
constexpr int kMaxSimProcs = 65'536;

po::options_description sim_options() {
    po::options_description d("sim options");
    d.add_options()
        ("help,h", "this help")
        ("workload,w", po::value<std::string>(), "workload name(s), comma-separated ('schedlab list workloads')")
        ("policy,p", po::value<std::string>()->default_value("go"), "named bundles, comma-separated, 'all' or 'sweep:spin'")
        ("procs,P", po::value<std::string>()->default_value("1"), "simulated processor counts: 1,2,64 or 1-4")
        ("param", po::value<std::vector<std::string>>()->composing(), "k=v workload parameter (repeatable)")
        ("reps,r", po::value<int>()->default_value(1), "repetitions; rep r seeds the victim order with seed + r")
        ("seed", po::value<std::uint64_t>()->default_value(1), "seed of the victim orders")
        ("topology", po::value<std::string>()->default_value("flat"), "flat, machine, or NxC / NxGxC (2x32)")
        ("remote-steal-ns", po::value<std::uint64_t>(),
         "extra cost of a steal attempt on another node (default: the cost model's remote_steal_extra_ns)")
        ("costs", po::value<std::string>(), "cost model file (key = value; 'schedlab calibrate' writes one)")
        ("experiment,e", po::value<std::string>(), "experiment name (default: the workload's)")
        ("out,o", po::value<std::string>(), "CSV file to write (default: CSV on stdout)")
        ("append", "add rows to an existing --out file with the same columns")
        ("resume", "finish an interrupted run of the same command (its .partial file)");
    return d;
}

struct SimConfig {
    std::string workload, policy;
    int procs;
    Params params;  // those the workload reads: the CSV's params column
};

}  // namespace

void list_sim_workloads(std::FILE* out) {
    std::string yes, no;
    for (const auto& w : registry().workloads) {
        const std::string why = sim_unsupported(w.name);
        if (why.empty()) yes += (yes.empty() ? "" : ", ") + w.name;
        else no += "\n      " + w.name + ": " + why;
    }
    std::fprintf(out, "simulator (schedlab sim): %s\n    cannot simulate:%s\n", yes.c_str(), no.c_str());
}

int cmd_sim(const std::vector<std::string>& args, const std::vector<std::string>& argv) {
    const auto desc = sim_options();
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& err) {
        throw UsageError(std::string("sim: ") + option_error_text(err));
    }
    if (vm.count("help")) {
        std::cout << desc;
        return 0;
    }
    const Registry& reg = registry();
    if (!vm.count("workload")) throw UsageError("--workload is required ('schedlab list workloads')");
    std::vector<std::string> wnames;
    for (const auto& w : reg.workloads) wnames.push_back(w.name);
    std::vector<const WorkloadInfo*> wls;
    for (const auto& w : split_list(vm["workload"].as<std::string>())) {
        const auto it = std::find(wnames.begin(), wnames.end(), w);
        if (it == wnames.end())
            throw UsageError("unknown workload '" + w + "'" + hint(w, wnames) + "; 'schedlab list workloads' shows them");
        if (const std::string why = sim_unsupported(w); !why.empty())
            throw UsageError("the simulator cannot run " + w + ": " + why);
        wls.push_back(&reg.workloads[static_cast<std::size_t>(it - wnames.begin())]);
    }
    if (wls.empty()) throw UsageError("--workload is required ('schedlab list workloads')");

    // Policies: the named bundles the simulator is compiled for, by the registry's names.
    const std::vector<std::string> bundles = sim::bundle_names();
    const std::vector<std::string> spin = sim::spin_sweep_names();
    std::vector<std::string> pnames;
    for (const auto& p : reg.policies) pnames.push_back(p.name);
    std::vector<std::string> policies;
    for (const auto& item : split_list(vm["policy"].as<std::string>())) {
        if (item == "all") {
            policies.insert(policies.end(), bundles.begin(), bundles.end());
        } else if (item == "sweep:spin") {
            policies.insert(policies.end(), spin.begin(), spin.end());
        } else if (std::find(bundles.begin(), bundles.end(), item) != bundles.end() ||
                   std::find(spin.begin(), spin.end(), item) != spin.end()) {
            policies.push_back(item);
        } else if (std::find(pnames.begin(), pnames.end(), item) != pnames.end()) {
            throw UsageError("policy " + item + " is not compiled into the simulator (it has the named bundles, 'all', and the spin sweep, 'sweep:spin')");
        } else {
            throw UsageError("unknown policy '" + item + "'" + hint(item, bundles) + "; 'schedlab list policies' shows them");
        }
    }
    if (policies.empty()) throw UsageError("no policy given");
    std::vector<std::string> unique;
    for (const auto& p : policies)
        if (std::find(unique.begin(), unique.end(), p) == unique.end()) unique.push_back(p);
    policies = unique;

    const std::vector<int> procs = parse_procs(vm["procs"].as<std::string>(), kMaxSimProcs);
    Params given;
    if (vm.count("param")) {
        for (const auto& kv : vm["param"].as<std::vector<std::string>>()) {
            const auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0) throw UsageError("--param '" + kv + "' is not k=v");
            if (given.has(kv.substr(0, eq))) throw UsageError("--param " + kv.substr(0, eq) + " given twice");
            given.set(kv.substr(0, eq), kv.substr(eq + 1));
        }
    }
    const int reps = vm["reps"].as<int>();
    if (reps < 1 || reps > 100000) throw UsageError("--reps must be between 1 and 100000");
    const std::uint64_t seed = vm["seed"].as<std::uint64_t>();
    const std::string topology = vm["topology"].as<std::string>();

    sim::CostModel cost;
    std::string cost_source = "defaults";
    if (vm.count("costs")) {
        cost_source = vm["costs"].as<std::string>();
        try {
            cost = sim::load_cost_model(cost_source);
        } catch (const std::invalid_argument& err) {
            throw UsageError(cost_source + ": " + err.what());
        }
    }
    if (vm.count("remote-steal-ns")) cost.remote_steal_extra_ns = vm["remote-steal-ns"].as<std::uint64_t>();

    // Placements (checked for every procs before anything runs); pinning means nothing here.
    std::map<int, policies::Topology> topo_of;
    const bool machine = topology == "machine";
    const rt::MachineTopology mt = machine ? rt::MachineTopology::read() : rt::MachineTopology{{{0}}, {0}, {-1}};
    for (int p : procs) {
        try {
            topo_of[p] = rt::make_placement(p, topology, "none", cost.remote_steal_extra_ns, mt).topology;
        } catch (const std::invalid_argument& err) {
            throw UsageError(err.what());
        }
    }

    // Build each workload's graph once (also validates its parameters) before any output.
    std::vector<SimConfig> configs;
    std::map<std::string, sim::TaskGraph> graphs;
    for (const WorkloadInfo* w : wls) {
        Params full;
        try {
            full = given.with_defaults(w->name, w->params);
            if (w->validate) w->validate(given);
            graphs.emplace(w->name, sim_graph(w->name, given, full, cost));
        } catch (const ParamError& err) {
            throw UsageError(err.what());
        }
        for (const auto& pol : policies)
            for (int p : procs) configs.push_back({w->name, pol, p, w->params_column(full)});
    }

    const std::vector<std::string> h = results_header();
    const std::string name = vm.count("experiment") ? vm["experiment"].as<std::string>() : wls.front()->name;
    const std::string out = vm.count("out") ? vm["out"].as<std::string>() : "";
    if (vm.count("append") && vm.count("resume")) throw UsageError("--append and --resume exclude each other");
    if ((vm.count("append") || vm.count("resume")) && out.empty()) throw UsageError("--append and --resume need --out");
    const OpenMode mode = vm.count("resume") ? OpenMode::Resume : vm.count("append") ? OpenMode::Append : OpenMode::Fresh;
    std::unique_ptr<ResultsFile> file;
    if (!out.empty()) file = std::make_unique<ResultsFile>(out, h, results_key_columns(h), mode);
    else std::printf("%s\n", csv_join(h).c_str());

    auto col = [&](const char* c) { return static_cast<std::size_t>(std::find(h.begin(), h.end(), c) - h.begin()); };
    std::size_t failed = 0;
    for (const SimConfig& c : configs) {
        const PolicyInfo& pol = *std::find_if(reg.policies.begin(), reg.policies.end(),
                                              [&](const PolicyInfo& p) { return p.name == c.policy; });
        const sim::TaskGraph& g = graphs.at(c.workload);
        for (int rep = 0; rep < reps; ++rep) {
            std::vector<std::string> r(h.size());
            r[col("experiment")] = name;
            r[col("workload")] = c.workload;
            r[col("params")] = c.params.canonical();
            r[col("policy")] = pol.name;
            r[col("steal")] = pol.steal;
            r[col("global_check")] = pol.global_check;
            r[col("spin_cap")] = pol.spin_cap;
            r[col("runnext")] = pol.runnext;
            r[col("victim")] = pol.victim;
            r[col("local_order")] = pol.local_order;
            r[col("join")] = pol.join;
            r[col("runtime")] = "sim";
            r[col("procs")] = std::to_string(c.procs);
            r[col("rep")] = std::to_string(rep);
            r[col("topology")] = topology;
            r[col("pin")] = "none";
            r[col("remote_steal_ns")] = std::to_string(cost.remote_steal_extra_ns);
            r[col("seed")] = std::to_string(seed);
            if (file && file->has(r)) continue;
            sim::SimOptions o;
            o.procs = static_cast<std::uint32_t>(c.procs);
            o.topology = topo_of.at(c.procs);
            o.cost = cost;
            o.seed = seed + static_cast<std::uint64_t>(rep);
            const sim::SimResult s = sim::simulate(c.policy, g, o);
            r[col("wall_ns")] = std::to_string(s.makespan_ns);
            r[col("tasks")] = std::to_string(s.counters.spawns > 0 ? s.counters.spawns - 1 : 0);
            r[col("result_ok")] = s.result_ok ? "1" : "0";
            sim::for_each_counter(s.counters, [&](const char* n, std::uint64_t v) { r[col(n)] = std::to_string(v); });
            r[col("spinning_high_water")] = std::to_string(s.counters.spinning_high_water);
            r[col("extra")] = "sim_seed=" + std::to_string(o.seed) + ";events=" + std::to_string(s.events) +
                              ";work_ns=" + std::to_string(s.work_ns) + ";overhead_ns=" + std::to_string(s.overhead_ns) +
                              ";span_ns=" + std::to_string(g.span_ns()) + ";stacks=" + std::to_string(s.stacks_created) +
                              ";stack_moves=" + std::to_string(s.stack_moves) + ";g_moves=" + std::to_string(s.g_moves);
            if (!s.result_ok) {
                ++failed;
                std::fprintf(stderr, "schedlab: sim %s %s procs=%d rep %d: %s\n", c.workload.c_str(), c.policy.c_str(),
                             c.procs, rep, s.error.c_str());
            }
            if (file) file->write(r);
            else std::printf("%s\n", csv_join(r).c_str());
        }
    }
    if (file) {
        std::string costs = "{\"runtime\":\"sim\",\"cost_model\":" + json_escape(cost_source) + ",\"costs\":{";
        bool first = true;
        sim::for_each_cost(cost, [&](const char* n, std::uint64_t v, const char*) {
            costs += (first ? "\"" : ",\"") + std::string(n) + "\":" + std::to_string(v);
            first = false;
        });
        costs += "}}";
        append_run_metadata(file->out(), run_metadata(argv, {costs}));
        file->commit();
        std::fprintf(stderr, "schedlab: wrote %s (%zu rows) and %s.meta.json\n", file->out().c_str(),
                     file->rows_present(), file->out().c_str());
    }
    if (failed) std::fprintf(stderr, "schedlab: %zu simulated runs failed their checks (result_ok=0)\n", failed);
    return failed ? 1 : 0;
}

}  // namespace schedlab::harness
