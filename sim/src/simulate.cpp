// Running a named bundle chosen at run time.
#include <stdexcept>

#include "schedlab/sim/instantiated.hpp"

namespace schedlab::sim {

std::vector<std::string> bundle_names() {
    std::vector<std::string> names;
    std::apply([&](auto... b) { (names.emplace_back(decltype(b)::name), ...); }, NamedBundles{});
    return names;
}

std::vector<std::string> spin_sweep_names() {
    std::vector<std::string> names;
    std::apply([&](auto... b) { (names.emplace_back(decltype(b)::name), ...); }, SpinSweepBundles{});
    return names;
}

SimResult simulate(std::string_view bundle, const TaskGraph& g, const SimOptions& opts) {
    SimResult r;
    bool found = false;
    std::apply(
        [&](auto... b) {
            ((!found && bundle == decltype(b)::name
                  ? (found = true, r = Simulator<decltype(b)>(opts).run(g), void())
                  : void()),
             ...);
        },
        std::tuple_cat(NamedBundles{}, SpinSweepBundles{}));
    if (!found) throw std::invalid_argument("simulator: no bundle named '" + std::string(bundle) + "'");
    return r;
}

}  // namespace schedlab::sim
