// The options of `schedlab run` and `sweep`, and the two readers of their text beyond the
// command line: the experiment file (sweep --config) and the --param items.
#pragma once

#include <boost/program_options.hpp>
#include <istream>
#include <string>
#include <utility>
#include <vector>

namespace schedlab::harness {

boost::program_options::options_description run_options();

// err.what(), made safe: Boost 1.74's what() never returns when a value it quotes contains one
// of its own placeholders (`--reps %value%`); '%' in the quoted values is written as "%25".
std::string option_error_text(const boost::program_options::error& err);

// An experiment file: `key = value` lines of run_options()' long names (`#` starts a comment;
// a key may repeat where the option does, like param), stored into vm after what is there
// (the command line wins). A bad line throws UsageError naming `name`.
void read_experiment(std::istream& in, const std::string& name,
                     const boost::program_options::options_description& desc,
                     boost::program_options::variables_map& vm);

using ParamItems = std::vector<std::pair<std::string, std::vector<std::string>>>;

// --param items "k=v" (with lists, sweep's "k=v1,v2,..."): key -> values, in the order given.
// An item that is not k=v, a key without a value or a key given twice throws UsageError.
ParamItems parse_param_items(const std::vector<std::string>& items, bool lists);

}  // namespace schedlab::harness
