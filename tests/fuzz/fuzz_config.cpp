// libFuzzer target: the experiment file of `schedlab sweep --config` as cmd_run reads it
// (run_options' table through boost::program_options, then the --param items).
// Properties: only UsageError escapes (boost's errors are turned into it, naming the file);
// a file that parses gives param items with a key free of '=' and at least one value each.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "run_options.hpp"
#include "schedlab/harness/results_file.hpp"

namespace po = boost::program_options;
using namespace schedlab::harness;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const po::options_description desc = run_options();
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    po::variables_map vm;
    try {
        read_experiment(in, "fuzz.cfg", desc, vm);
        try {
            po::notify(vm);
        } catch (const po::error&) {
            return 0;  // cmd_run turns it into a UsageError too
        }
        if (vm.count("param"))
            for (const auto& [key, values] : parse_param_items(vm["param"].as<std::vector<std::string>>(), true))
                if (key.empty() || key.find('=') != std::string::npos || values.empty()) __builtin_trap();
        if (vm.count("reps")) (void)vm["reps"].as<int>();
    } catch (const UsageError&) {
    }
    return 0;
}
