#include "run_options.hpp"

#include <cstdint>
#include <map>

#include "schedlab/harness/cli_common.hpp"
#include "schedlab/harness/results_file.hpp"

namespace po = boost::program_options;

namespace schedlab::harness {

po::options_description run_options() {
    po::options_description d("run and sweep options");
    d.add_options()
        ("help,h", "this help")
        ("workload,w", po::value<std::string>(), "workload name(s), comma-separated for sweep")
        ("policy,p", po::value<std::string>()->default_value("go"),
         "policies, comma-separated; 'all', 'sweep:global-check', 'sweep:steal', 'sweep:spin', 'sweep:preempt'")
        ("runtime", po::value<std::string>()->default_value("schedlab"),
         "runtimes, comma-separated: schedlab (under --policy), go, tbb, omp, fiber (fiber-ws, fiber-rr), "
         "threads, serial; 'all'")
        ("procs,P", po::value<std::string>(), "processor counts: 1,2,4 or 1-4 (default 1..cores)")
        ("param", po::value<std::vector<std::string>>()->composing(),
         "k=v workload parameter (repeatable); sweep: k=v1,v2,... for several values")
        ("reps,r", po::value<int>()->default_value(5), "measured repetitions per configuration")
        ("warmup", po::value<int>()->default_value(1), "unrecorded runs before the repetitions")
        ("rounds", po::value<int>()->default_value(1),
         "interleave: K rounds over all configurations, each running every K-th repetition (and the warm-up again)")
        ("seed", po::value<std::uint64_t>()->default_value(1), "seed of victim orders and select")
        ("topology", po::value<std::string>()->default_value("flat"),
         "flat, machine, or synthetic NxC / NxGxC (2x4)")
        ("pin", po::value<std::string>()->default_value("none"),
         "none, compact, scatter, or a CPU list 0,2-3")
        ("remote-steal-ns", po::value<std::uint64_t>()->default_value(0),
         "emulated cost of a steal attempt on another node")
        ("membind", po::value<int>()->default_value(-1),
         "bind all memory (workload data, stacks) to this NUMA node; -1: the OS default")
        ("experiment,e", po::value<std::string>(), "experiment name (default: the workload's)")
        ("out,o", po::value<std::string>(), "CSV file to write (default: CSV on stdout)")
        ("append", "add rows to an existing --out file with the same columns")
        ("resume", "finish an interrupted run of the same command (its .partial file)")
        ("retry-failed", "with --resume: run again the configurations that failed (over the memory bound, or killed by a signal under --isolate)")
        ("max-memory", po::value<std::string>(),
         "stop a run whose process passes this resident memory (12G, 512M; default: half of the "
         "machine's or the cgroup's memory); the configuration is recorded as failed")
        ("isolate", po::value<bool>()->default_value(true)->implicit_value(true),
         "each configuration in a child process (default): one that dies of a signal (a crash, "
         "the OOM killer) is recorded as a failed row and the others go on; --isolate=false runs "
         "all in this process")
        ("work-span", po::bool_switch(), "also one instrumented repetition on 1 P per workload, parameters and policy, "
         "recorded as rep -1, measuring work and span (DAG workloads)")
        ("schedtrace", po::value<std::uint64_t>()->default_value(0),
         "every MS milliseconds of each schedlab run, one line on stderr like Go's GODEBUG=schedtrace: "
         "Ps, idle Ps, threads, spinning and idle threads, the global and each P's run queue length; 0: off")
        ("scheddetail", po::bool_switch(), "with --schedtrace: a line per P as well")
        ("config,c", po::value<std::string>(), "sweep: experiment file with these options as key = value");
    return d;
}

namespace {
// The protected substitutions of Boost's error, reached through a derived class.
struct ErrorAccess : po::error_with_option_name {
    static std::map<std::string, std::string>& values(po::error_with_option_name& e) {
        return e.*(&ErrorAccess::m_substitutions);
    }
};
}  // namespace

std::string option_error_text(const po::error& err) {
    const auto* named = dynamic_cast<const po::error_with_option_name*>(&err);
    if (!named) return err.what();
    po::error_with_option_name copy(*named);
    for (auto& [key, value] : ErrorAccess::values(copy)) {
        std::string safe;
        for (char ch : value) safe += ch == '%' ? std::string("%25") : std::string(1, ch);
        value = safe;
    }
    return copy.what();
}

void read_experiment(std::istream& in, const std::string& name, const po::options_description& desc,
                     po::variables_map& vm) {
    try {
        po::store(po::parse_config_file(in, desc), vm);
    } catch (const po::error& err) {
        throw UsageError("experiment file " + name + ": " + option_error_text(err));
    }
}

ParamItems parse_param_items(const std::vector<std::string>& items, bool lists) {
    ParamItems out;
    for (const auto& kv : items) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) throw UsageError("--param '" + kv + "' is not k=v");
        const std::string key = kv.substr(0, eq);
        auto values = lists ? split_list(kv.substr(eq + 1)) : std::vector<std::string>{kv.substr(eq + 1)};
        if (values.empty()) throw UsageError("--param " + key + " has no value");
        for (const auto& [k, v] : out)
            if (k == key) throw UsageError("--param " + key + " given twice");
        out.emplace_back(key, std::move(values));
    }
    return out;
}

}  // namespace schedlab::harness
