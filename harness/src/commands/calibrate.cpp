// schedlab calibrate: the simulator's cost model measured on this machine. Each scheduler cost
// comes from a short in-process microbenchmark of schedlab's own runtime under Go's policy
// (rt::Runtime<policies::Go>) or of its parts (the local run queue, the spin lock of the
// global queue, the M's futex note); each kernel cost from the workloads' own code. Every
// figure is the median of several timed runs, after an untimed warm-up. The file is written
// as `key = value` lines with a comment saying how each value was found, and never over an
// existing file.
//
// This file is the command: its options, the choice of CPU, claiming the output file before
// anything is measured, the order the probes run in (the one-thread ones pinned), and writing
// the file. The probes: calibrate_runtime.cpp (the runtime as a whole), calibrate_parts.cpp
// (its parts, across cores), calibrate_kernels.cpp, calibrate_cpus.cpp (CPU speeds, pinning);
// the solver and the file's text: calibrate_solve.cpp; what they share: calibrate_internal.hpp.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "calibrate_internal.hpp"
#include "run_options.hpp"
#include "schedlab/harness/commands.hpp"
#include "schedlab/harness/results_file.hpp"

namespace schedlab::harness {

namespace {

namespace po = boost::program_options;

}  // namespace

int cmd_calibrate(const std::vector<std::string>& args, const std::vector<std::string>& /*argv*/) {
    using namespace calibration;
    po::options_description desc("calibrate options");
    desc.add_options()
        ("help,h", "this help")
        ("out,o", po::value<std::string>(), "cost file to write (refuses to overwrite one)")
        ("reps,r", po::value<int>()->default_value(7), "timed runs per figure (the median is kept)")
        ("gs", po::value<std::int64_t>()->default_value(200'000), "Gs (or yields) per runtime run")
        ("cpu", po::value<std::string>()->default_value("none"),
         "run the one-thread measurements on this CPU: a number, 'fastest' (by --cpu-speeds), or 'none' (where "
         "the OS puts them)")
        ("cpu-speeds",
         "print each CPU's speed as CSV and exit: ns per step of a load-add-store loop, ns per dependent load "
         "over 64 MiB, ns for a cache line's round trip to the next CPU");
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& err) {
        throw UsageError(std::string("calibrate: ") + option_error_text(err));
    }
    if (vm.count("help")) {
        std::cout << desc;
        return 0;
    }
    if (vm.count("cpu-speeds")) {
        std::printf("cpu,loop_step_ns,mem_load_ns,pair_rtt_ns\n");
        for (const auto& s : cpu_speeds())
            std::printf("%d,%.4f,%.1f,%.1f\n", s.cpu, s.loop_step_ns, s.mem_load_ns, s.pair_rtt_ns);
        return 0;
    }
    if (!vm.count("out")) throw UsageError("calibrate: --out FILE is required");
    const std::string out = vm["out"].as<std::string>();
    const int reps = vm["reps"].as<int>();
    const std::int64_t gs = vm["gs"].as<std::int64_t>();
    if (reps < 1 || reps > 1000) throw UsageError("--reps must be between 1 and 1000");
    if (gs < 1000 || gs > 100'000'000) throw UsageError("--gs must be between 1000 and 100000000");
    // The CPU of the one-thread measurements, chosen before anything is written.
    const std::string cpu_arg = vm["cpu"].as<std::string>();
    const auto speeds = cpu_speeds();
    int cpu = -1;
    if (cpu_arg == "fastest") {
        cpu = fastest_cpu(speeds);
    } else if (cpu_arg != "none") {
        char* end = nullptr;
        errno = 0;
        const long v = std::strtol(cpu_arg.c_str(), &end, 10);
        const auto allowed = allowed_cpus();
        if (cpu_arg.empty() || *end != '\0' || errno != 0 || v < 0 ||
            std::find(allowed.begin(), allowed.end(), int(v)) == allowed.end())
            throw UsageError("calibrate: --cpu must be 'none', 'fastest' or a CPU this process may run on, not '" +
                             cpu_arg + "'");
        cpu = int(v);
    }
    // Refuse before measuring: claim the name now (O_EXCL), fill it through a temporary file.
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        if (errno == EEXIST) throw UsageError("refusing to overwrite " + out + " (remove it or pick another name)");
        throw UsageError("cannot create " + out + ": " + std::strerror(errno));
    }
    ::close(fd);
    Measured m;
    try {
        std::fprintf(stderr, "schedlab: calibrating (the runtime on 1 P, queues, steals, wake-ups, kernels)...\n");
        {
            const PinScope pin(cpu);  // the one-thread figures (and the 1-P runtime's M)
            measure_runtime(m, reps, gs);
            measure_working_set(m, reps, gs);
            measure_queues(m, reps);
            measure_shared_put(m, reps);
            measure_kernels(m, reps);
        }
        measure_steal(m, reps);
        measure_wake(m, reps);
        measure_cross_core(m, reps);
        measure_shared_mode(m, reps, gs);
    } catch (...) {
        ::unlink(out.c_str());
        throw;
    }

    const sim::CostModel c = solve_costs(m);
    const std::string text = cost_file_text(c, m, reps, gs, cpu, speeds);
    const std::string tmp = out + ".tmp";
    {
        std::ofstream f(tmp, std::ios::trunc);
        f << text;
        if (!f.flush()) {
            ::unlink(out.c_str());
            throw UsageError("cannot write " + tmp);
        }
    }
    if (std::rename(tmp.c_str(), out.c_str()) != 0) {
        ::unlink(out.c_str());
        throw UsageError("cannot rename " + tmp + " to " + out);
    }
    std::fputs(text.c_str(), stdout);
    std::fprintf(stderr, "schedlab: wrote %s\n", out.c_str());
    return 0;
}

}  // namespace schedlab::harness
