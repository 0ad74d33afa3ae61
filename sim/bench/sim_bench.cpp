// How fast the simulator runs: build a shape, simulate it, print events per second and wall
// time. Usage: schedlab_sim_bench [shape=fib] [procs=256] [bundle=go] [key=value ...]
// (the remaining key=value pairs are the shape's parameters, e.g. n=30 spawn=both; seed=N
// seeds the victim order). Default: fib(30), a G per call, on 256 simulated Ps.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <string>

#include "schedlab/sim/generators.hpp"
#include "schedlab/sim/simulator.hpp"

int main(int argc, char** argv) {
    using Clock = std::chrono::steady_clock;
    std::string shape = "fib", bundle = "go";
    std::uint32_t procs = 256;
    std::uint64_t seed = 1;
    std::map<std::string, std::string> params;
    bool shape_params_given = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto eq = a.find('=');
        if (eq == std::string::npos) {
            std::fprintf(stderr, "usage: %s [shape=S] [procs=N] [bundle=B] [seed=N] [param=value ...]\n", argv[0]);
            return 2;
        }
        const std::string k = a.substr(0, eq), v = a.substr(eq + 1);
        if (k == "shape") shape = v;
        else if (k == "procs") procs = static_cast<std::uint32_t>(std::stoul(v));
        else if (k == "bundle") bundle = v;
        else if (k == "seed") seed = std::stoull(v);
        else {
            params[k] = v;
            shape_params_given = true;
        }
    }
    if (shape == "fib" && !shape_params_given) params = {{"n", "30"}, {"spawn", "both"}};
    try {
        const auto t0 = Clock::now();
        const auto g = schedlab::sim::shapes::make(shape, params);
        const auto t1 = Clock::now();
        schedlab::sim::SimOptions o;
        o.procs = procs;
        o.seed = seed;
        const auto r = schedlab::sim::simulate(bundle, g, o);
        const auto t2 = Clock::now();
        const double build_s = std::chrono::duration<double>(t1 - t0).count();
        const double sim_s = std::chrono::duration<double>(t2 - t1).count();
        std::printf("shape %s, bundle %s, %u Ps, seed %llu\n", g.shape.c_str(), bundle.c_str(), procs,
                    static_cast<unsigned long long>(seed));
        std::printf("tasks %llu, result_ok %s%s%s\n", static_cast<unsigned long long>(r.tasks),
                    r.result_ok ? "yes" : "no", r.result_ok ? "" : ": ", r.error.c_str());
        std::printf("work %.3f ms, span %.3f us, makespan %.3f ms (virtual), speedup %.1f\n", g.work_ns() / 1e6,
                    g.span_ns() / 1e3, r.makespan_ns / 1e6,
                    r.makespan_ns ? static_cast<double>(g.work_ns()) / r.makespan_ns : 0.0);
        std::printf("graph built in %.3f s; simulated in %.3f s wall: %llu events, %.2f M events/s, %.2f M tasks/s\n",
                    build_s, sim_s, static_cast<unsigned long long>(r.events), r.events / sim_s / 1e6,
                    r.tasks / sim_s / 1e6);
        schedlab::sim::for_each_counter(r.counters, [](const char* name, std::uint64_t v) {
            std::printf("  %-22s %llu\n", name, static_cast<unsigned long long>(v));
        });
        std::printf("  %-22s %llu\n", "spinning_high_water",
                    static_cast<unsigned long long>(r.counters.spinning_high_water));
        return r.result_ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sim_bench: %s\n", e.what());
        return 2;
    }
}
