// The schedlab command: run, sweep, summarize, and the dispatch to list, sim and calibrate
// (harness/src/commands/). See README.md ("Running experiments"). Run and sweep expand their
// lists into configurations, all checked before the first runs; what --policy and --runtime
// names mean is commands/run_names.cpp's.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "commands/run_names.hpp"
#include "commands/run_options.hpp"
#include "schedlab/harness/cli_common.hpp"
#include "schedlab/harness/commands.hpp"
#include "schedlab/harness/go_peer.hpp"
#include "schedlab/harness/isolate.hpp"
#include "schedlab/harness/meta.hpp"
#include "schedlab/harness/registry.hpp"
#include "schedlab/harness/results_file.hpp"
#include "schedlab/harness/stats.hpp"
#include "schedlab/harness/summarize.hpp"
#include "schedlab/runtime/constants.hpp"
#include "schedlab/runtime/memory.hpp"
#include "schedlab/runtime/topology.hpp"

namespace po = boost::program_options;
using namespace schedlab::harness;
using schedlab::workloads::ParamError;
using schedlab::workloads::Params;

namespace {

constexpr const char* kUsage =
    "usage: schedlab <command> [options]\n"
    "  list [policies|workloads|runtimes]   what can be run, with parameters and defaults\n"
    "  run    --workload W [--policy P,..] [--runtime R,..] [--procs 1,2] [--param k=v]... ...\n"
    "  sweep  like run, with lists: several workloads, --param k=v1,v2,..., or --config FILE\n"
    "  sim    --workload W [--procs 1,64,256] [--costs FILE] ...  the same on the simulator\n"
    "  calibrate --out costs.txt           measure the simulator's costs on this machine\n"
    "  summarize FILE.csv                   medians, 95% CIs, speedups, Cilk model fit\n"
    "'schedlab run --help' lists the options of run and sweep.\n";

// ---- run / sweep ---------------------------------------------------------------------------

struct Experiment {
    std::string name;
    std::vector<std::size_t> workloads;  // registry indexes
    std::vector<RuntimeRef> runtimes{RuntimeRef{}};
    std::vector<std::size_t> policies;   // of the schedlab runtime
    std::vector<int> procs;
    std::vector<std::pair<std::string, std::vector<std::string>>> params;  // key -> values
    int reps = 5, warmup = 1, rounds = 1;
    bool work_span = false;
    int membind = -1;
    RunSpec spec;  // seed, topology, pin, penalty (procs set per config)
    std::string out;
    OpenMode mode = OpenMode::Fresh;
    bool retry_failed = false;
    bool isolate = false;  // each configuration in a child process
};

volatile sig_atomic_t g_interrupted = 0;
const char* g_resume_hint = nullptr;

void on_signal(int) {
    if (g_resume_hint) {
        const ssize_t ignored = write(2, g_resume_hint, std::strlen(g_resume_hint));
        (void)ignored;
    }
    _exit(130);
}

std::string fmt_eta(double s) {
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%dh%02dm", int(s / 3600), int(std::fmod(s, 3600) / 60));
    else if (s >= 60)
        std::snprintf(buf, sizeof buf, "%dm%02ds", int(s / 60), int(std::fmod(s, 60)));
    else
        std::snprintf(buf, sizeof buf, "%ds", int(s));
    return buf;
}

struct Config {
    std::size_t workload;
    RuntimeRef runtime;
    std::size_t policy;  // schedlab runtime only
    int procs;
    Params given;   // as given (the workload fills in its defaults)
    Params params;  // validated, the keys the workload reads: the CSV's params column
};

int execute(const Experiment& e, const std::vector<std::string>& argv) {
    const Registry& reg = registry();
    // Expand and validate every configuration before running anything.
    std::vector<Config> configs;
    std::set<std::string> skipped;  // runtime x workload (or procs) combinations left out
    for (std::size_t wi : e.workloads) {
        const auto& w = reg.workloads[wi];
        std::vector<Params> combos{Params{}};
        for (const auto& [key, values] : e.params) {
            std::vector<Params> next;
            for (const auto& base : combos)
                for (const auto& v : values) {
                    Params p = base;
                    p.set(key, v);
                    next.push_back(p);
                }
            combos = next;
        }
        for (auto& c : combos) {
            Params column;
            try {
                column = w.params_column(c.with_defaults(w.name, w.params));
                if (w.validate) w.validate(c);
            } catch (const ParamError& err) {
                throw UsageError(err.what());
            }
            for (const RuntimeRef& rt : e.runtimes) {
                if (rt.kind == RuntimeRef::Schedlab) {
                    for (std::size_t pi : e.policies)
                        for (int procs : e.procs) configs.push_back({wi, rt, pi, procs, c, column});
                    continue;
                }
                const std::string rname = runtime_name(rt);
                std::string why;
                int max_procs = 0;
                if (rt.kind == RuntimeRef::Go) {
                    if (!go_supports(w.name)) why = "not written in peers/go";
                } else {
                    const RuntimeInfo& info = reg.runtimes[rt.index];
                    if (const auto it = info.unsupported.find(wi); it != info.unsupported.end()) why = it->second;
                    max_procs = info.max_procs;
                }
                if (!why.empty()) {
                    skipped.insert("runtime " + rname + " cannot run " + w.name + " (" + why + ")");
                    continue;
                }
                for (int procs : e.procs) {
                    if (max_procs > 0 && procs > max_procs) {
                        skipped.insert("runtime " + rname + " runs on at most " + std::to_string(max_procs) +
                                       " proc(s): procs " + std::to_string(procs) + " left out");
                        continue;
                    }
                    configs.push_back({wi, rt, 0, procs, c, column});
                }
            }
        }
    }
    for (const auto& s : skipped) std::fprintf(stderr, "schedlab: %s; skipped\n", s.c_str());
    if (configs.empty()) throw UsageError("nothing to run: no runtime given can run the configurations asked for");
    const std::vector<std::string> h = results_header();
    std::unique_ptr<ResultsFile> file;
    if (!e.out.empty()) {
        file = std::make_unique<ResultsFile>(e.out, h, results_key_columns(h), e.mode, e.retry_failed);
        static std::string resume_hint;
        resume_hint = "\nschedlab: interrupted; rows so far are in " + file->partial().string() +
                      "; rerun the same command with --resume to finish\n";
        g_resume_hint = resume_hint.c_str();
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
    } else {
        std::printf("%s\n", csv_join(h).c_str());
    }

    const bool tty = isatty(2);
    const std::size_t total_reps = configs.size() * static_cast<std::size_t>(e.reps);
    std::size_t done_reps = 0, failed = 0, abandoned = 0, over_memory = 0, crashed = 0;
    std::set<std::size_t> stopped;  // configurations that failed (memory bound, a signal): not run again
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::string> placements;
    std::set<std::string> measured;
    // Rounds interleave the configurations: round k runs repetitions k, k + rounds, ... of
    // every configuration in turn, so a slow spell of the machine spreads over all of them.
    for (int round = 0; round < e.rounds; ++round)
    for (std::size_t ci = 0; ci < configs.size(); ++ci) {
        const Config& c = configs[ci];
        const bool own = c.runtime.kind == RuntimeRef::Schedlab;
        // Peers have no policy: the policy columns read NA, the runtime column names the peer.
        static const PolicyInfo kNoPolicy{"NA", "NA", "NA", "NA", "NA", "NA", "NA", "NA"};
        const PolicyInfo& pol = own ? reg.policies[c.policy] : kNoPolicy;
        const std::string rname = runtime_name(c.runtime);
        const std::string who = own ? pol.name : "peer " + rname;
        const WorkloadInfo& wl = reg.workloads[c.workload];
        RunSpec spec = e.spec;
        spec.procs = c.procs;
        auto row_for = [&](int rep) {
            std::vector<std::string> r(h.size());
            auto set = [&](const char* col, std::string v) {
                r[static_cast<std::size_t>(std::find(h.begin(), h.end(), col) - h.begin())] =
                    std::move(v);
            };
            set("experiment", e.name);
            set("workload", wl.name);
            set("params", c.params.canonical());
            set("policy", pol.name);
            set("steal", pol.steal);
            set("global_check", pol.global_check);
            set("spin_cap", pol.spin_cap);
            set("runnext", pol.runnext);
            set("victim", pol.victim);
            set("local_order", pol.local_order);
            set("join", pol.join);
            set("runtime", rname);
            set("procs", std::to_string(c.procs));
            set("rep", std::to_string(rep));
            set("topology", spec.topology);
            set("pin", spec.pin);
            set("remote_steal_ns", std::to_string(spec.remote_steal_ns));
            set("seed", std::to_string(spec.seed));
            return r;
        };
        // The instrumented repetition (work and span), once per workload, parameters, policy.
        bool want_span = false;
        std::vector<std::string> span_row;
        if (e.work_span) {
            const std::string group = wl.name + '\x1f' + c.params.canonical() + '\x1f' + who;
            if (measured.insert(group).second) {
                span_row = row_for(-1);
                span_row[static_cast<std::size_t>(std::find(h.begin(), h.end(), "procs") - h.begin())] = "1";
                want_span = !file || !file->has(span_row);
            }
        }
        std::vector<int> todo;
        int in_round = 0;
        for (int rep = round; rep < e.reps; rep += e.rounds) {
            ++in_round;
            if (!file || !file->has(row_for(rep))) todo.push_back(rep);
        }
        // A configuration that failed (over the memory bound, or killed by a signal under
        // --isolate) in this run, or in the one being resumed or appended to, is not retried
        // unless --retry-failed dropped its row.
        if (stopped.count(ci) || (file && file->config_failed(row_for(0)))) {
            if (!stopped.count(ci) && round == 0) {
                ++over_memory;
                std::fprintf(stderr, "schedlab: %s %s %s procs=%d failed before (its row's extra says why); "
                             "skipped (--resume --retry-failed runs it again)\n", wl.name.c_str(),
                             c.params.canonical().c_str(), who.c_str(), c.procs);
            }
            stopped.insert(ci);
            done_reps += static_cast<std::size_t>(in_round);
            continue;
        }
        done_reps += static_cast<std::size_t>(in_round) - todo.size();
        if (todo.empty() && !want_span) continue;

        // Rows go to the results file (or stdout); in a child process (--isolate), to the parent.
        std::function<void(const std::vector<std::string>&)> emit = [&](const std::vector<std::string>& r) {
            if (file)
                file->write(r);
            else
                std::printf("%s\n", csv_join(r).c_str());
        };
        std::function<void(const std::string&)> note_placement = [&](const std::string& pj) {
            if (placements.size() < 64 &&
                std::find(placements.begin(), placements.end(), pj) == placements.end())
                placements.push_back(pj);
        };
        const std::string label =
            wl.name + " " + c.params.canonical() + " " + who + " procs=" +
            std::to_string(c.procs);
        auto col = [&](const char* name) {
            return static_cast<std::size_t>(std::find(h.begin(), h.end(), name) - h.begin());
        };
        enum class End { Ran, OverMemory, Abandoned };
        // The configuration's warm-up and repetitions, in this process or in a child.
        auto run_config = [&]() -> End {
            std::unique_ptr<Session> session;
            if (c.runtime.kind == RuntimeRef::Go) {
                session = make_go_session(spec, wl.name);
            } else {
                SessionFactory make = nullptr;
                if (own) {
                    if (const auto f = reg.factories.find({c.policy, c.workload}); f != reg.factories.end())
                        make = f->second;
                } else {
                    const auto& peer = reg.runtimes[c.runtime.index].factories;
                    if (const auto f = peer.find(c.workload); f != peer.end()) make = f->second;
                }
                if (!make) throw UsageError("workload " + wl.name + " is not compiled for " + who);
                session = make(spec);
            }
            note_placement(session->placement_json());
            auto fill = [&](std::vector<std::string>& r, const RepOutcome& o) {
                auto set = [&](const char* name, std::string v) { r[col(name)] = std::move(v); };
                set("wall_ns", std::to_string(o.wall_ns));
                set("tasks", std::to_string(o.result.tasks));
                set("result_ok", o.result.ok ? "1" : "0");
                // A peer has none of schedlab's counters: the cells stay empty (not zero).
                if (o.has_counters) {
#define SCHEDLAB_ROW_COUNTER(name, doc) set(#name, std::to_string(o.stats.name));
                    SCHEDLAB_COUNTERS(SCHEDLAB_ROW_COUNTER)
#undef SCHEDLAB_ROW_COUNTER
                    set("spinning_high_water", std::to_string(o.stats.spinning_high_water));
                }
                std::string extra;
                for (const auto& [k, v] : o.result.extra)
                    if (!v.empty()) extra += (extra.empty() ? "" : ";") + k + "=" + v;
                set("extra", extra);
                emit(r);
                if (!o.result.ok) {
                    ++failed;
                    std::fprintf(stderr, "%sschedlab: %s rep %s: wrong answer: %s\n", tty ? "\n" : "",
                                 label.c_str(), r[col("rep")].c_str(), o.result.detail.c_str());
                }
            };
            std::vector<double> walls;
            End end = End::Ran;
            // A peer that gives up on a configuration (the plain-thread peer's thread cap, a
            // library error) loses that configuration only: it is reported and the run goes on.
            int at_rep = todo.empty() ? -1 : todo.front();  // the row a failure is recorded in
            try {
                if (want_span && session->can_measure_work_span()) {
                    at_rep = -1;
                    fill(span_row, session->run_work_span(c.given));
                    at_rep = todo.empty() ? -1 : todo.front();
                }
                if (session->runs_batch()) {
                    if (!todo.empty()) session->prepare_batch(c.given, e.warmup, static_cast<int>(todo.size()));
                } else {
                    for (int w = 0; w < e.warmup && !todo.empty(); ++w) session->run(c.given);
                }
                for (int rep : todo) {
                    if (tty) {
                        const double elapsed =
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                        const std::size_t ran = done_reps;
                        const double eta = ran ? elapsed / double(ran) * double(total_reps - ran) : 0;
                        const int width = 30;
                        const int filled = total_reps ? int(width * ran / total_reps) : width;
                        std::fprintf(stderr, "\r[%s%s] %zu/%zu  %s  ETA %s   \x1b[K",
                                     std::string(std::size_t(filled), '=').c_str(),
                                     std::string(std::size_t(width - filled), ' ').c_str(), ran,
                                     total_reps, label.c_str(), ran ? fmt_eta(eta).c_str() : "?");
                    }
                    at_rep = rep;
                    const RepOutcome o = session->run(c.given);
                    auto r = row_for(rep);
                    fill(r, o);
                    walls.push_back(double(o.wall_ns));
                    ++done_reps;
                }
            } catch (const UsageError&) {
                throw;
            } catch (const schedlab::rt::MemoryLimitError& err) {
                // Recorded as one failed row (no measurement: wall_ns and counters empty) with
                // the reason, so that the sweep's other configurations go on and a resume skips it.
                end = End::OverMemory;
                auto r = at_rep == -1 && !span_row.empty() ? span_row : row_for(at_rep);
                r[col("result_ok")] = "0";
                r[col("extra")] = std::string("failed=") + err.what();
                emit(r);
                std::fprintf(stderr, "%sschedlab: %s: %s; use smaller parameters (--param) or a larger "
                             "--max-memory\n", tty ? "\n" : "", label.c_str(), err.what());
                done_reps += todo.size() - walls.size();
            } catch (const std::exception& err) {
                if (own) throw;
                end = End::Abandoned;
                std::fprintf(stderr, "%sschedlab: %s: %s; configuration left out\n", tty ? "\n" : "",
                             label.c_str(), err.what());
                done_reps += todo.size() - walls.size();
            }
            if (!tty && !walls.empty())
                std::fprintf(stderr, "schedlab: [%zu/%zu] %s: median %s over %zu reps\n", ci + 1,
                             configs.size(), label.c_str(), format_ns(median(walls)).c_str(),
                             walls.size());
            return end;
        };
        End end = End::Ran;
        if (!e.isolate) {
            end = run_config();
        } else {
            // The child's rows are written here as they arrive; if it dies, the repetition it
            // was in gets a failed row naming the signal, and the sweep goes on.
            std::set<int> arrived;
            const ChildEnd child = run_in_child(
                [&](ChildLink& link) {
                    emit = [&link](const std::vector<std::string>& r) { link.send('R', csv_join(r)); };
                    note_placement = [&link](const std::string& pj) { link.send('P', pj); };
                    link.send('O', std::to_string(static_cast<int>(run_config())));
                },
                [&](char kind, const std::string& payload) {
                    if (kind == 'R') {
                        const auto r = csv_split(payload);
                        emit(r);
                        arrived.insert(std::stoi(r[col("rep")]));
                        if (r[col("result_ok")] == "0" && r[col("extra")].rfind("failed=", 0) != 0) ++failed;
                    } else if (kind == 'P') {
                        note_placement(payload);
                    } else if (kind == 'O') {
                        end = static_cast<End>(std::stoi(payload));
                    }
                });
            done_reps += todo.size();
            if (!child.completed) {
                if (child.signal == SIGINT || child.signal == SIGTERM) on_signal(child.signal);
                ++crashed;
                stopped.insert(ci);
                std::vector<std::string> r;
                if (want_span && !arrived.count(-1)) {
                    r = span_row;
                } else {
                    for (int rep : todo)
                        if (!arrived.count(rep)) {
                            r = row_for(rep);
                            break;
                        }
                }
                std::fprintf(stderr, "%sschedlab: %s: %s%s\n", tty ? "\n" : "", label.c_str(),
                             child.describe().c_str(),
                             r.empty() ? " after its last repetition" : "; recorded as failed");
                if (!r.empty()) {
                    r[col("result_ok")] = "0";
                    r[col("extra")] = "failed=" + child.describe();
                    emit(r);
                }
            }
        }
        if (end == End::OverMemory) {
            ++over_memory;
            stopped.insert(ci);
        } else if (end == End::Abandoned) {
            ++abandoned;
        }
    }
    if (tty) std::fprintf(stderr, "\r\x1b[K");
    if (file) {
        placements.push_back(std::string("{\"membind_node\":") + std::to_string(e.membind) +
                             (e.membind >= 0 ? ",\"membind\":\"set_mempolicy MPOL_BIND\"}"
                                             : ",\"membind\":\"OS default\"}"));
        append_run_metadata(file->out(), run_metadata(argv, placements));
        file->commit();
        g_resume_hint = nullptr;
        std::fprintf(stderr, "schedlab: wrote %s (%zu rows) and %s.meta.json\n",
                     file->out().c_str(), file->rows_present(), file->out().c_str());
    }
    if (abandoned)
        std::fprintf(stderr, "schedlab: %zu configuration(s) of peer runtimes failed and have no rows\n", abandoned);
    if (failed) std::fprintf(stderr, "schedlab: %zu repetitions gave a wrong answer (result_ok=0)\n", failed);
    if (over_memory)
        std::fprintf(stderr, "schedlab: %zu configuration(s) stopped over the memory bound (rows with "
                     "extra failed=...)\n", over_memory);
    if (crashed)
        std::fprintf(stderr, "schedlab: %zu configuration(s) ended by a signal (rows with extra failed=...)\n",
                     crashed);
    if (over_memory) return 2;
    if (failed || abandoned || crashed) return 1;
    return 0;
}

int cmd_run(const std::vector<std::string>& args, bool sweep, const std::vector<std::string>& argv) {
    const auto desc = run_options();
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(desc).run(), vm);
    } catch (const po::error& err) {
        throw UsageError(std::string(sweep ? "sweep: " : "run: ") + option_error_text(err));
    }
    if (vm.count("config")) {
        if (!sweep) throw UsageError("--config belongs to sweep, not run");
        const std::string path = vm["config"].as<std::string>();
        std::ifstream in(path);
        if (!in) throw UsageError("cannot read experiment file " + path);
        read_experiment(in, path, desc, vm);
    }
    try {
        po::notify(vm);
    } catch (const po::error& err) {
        throw UsageError(std::string(sweep ? "sweep: " : "run: ") + option_error_text(err));
    }
    if (vm.count("help")) {
        std::cout << desc;
        return 0;
    }
    const Registry& reg = registry();
    Experiment e;
    if (!vm.count("workload")) throw UsageError("--workload is required ('schedlab list workloads')");
    std::vector<std::string> wnames;
    for (const auto& w : reg.workloads) wnames.push_back(w.name);
    const auto wl = split_list(vm["workload"].as<std::string>());
    if (wl.size() != 1 && !sweep) throw UsageError("run takes one workload; use sweep for several");
    for (const auto& w : wl) {
        const auto it = std::find(wnames.begin(), wnames.end(), w);
        if (it == wnames.end())
            throw UsageError("unknown workload '" + w + "'" + hint(w, wnames) +
                             "; 'schedlab list workloads' shows them");
        e.workloads.push_back(static_cast<std::size_t>(it - wnames.begin()));
    }
    e.policies = resolve_policies(vm["policy"].as<std::string>());
    e.runtimes = resolve_runtimes(vm["runtime"].as<std::string>());
    const bool with_schedlab =
        std::find(e.runtimes.begin(), e.runtimes.end(), RuntimeRef{}) != e.runtimes.end();
    if (vm.count("procs")) {
        e.procs = parse_procs(vm["procs"].as<std::string>(), schedlab::rt::kMaxProcs);
    } else {
        const int cores = std::max(1u, std::thread::hardware_concurrency());
        for (int p = 1; p <= cores; ++p) e.procs.push_back(p);
    }
    if (vm.count("param")) e.params = parse_param_items(vm["param"].as<std::vector<std::string>>(), sweep);
    e.work_span = vm["work-span"].as<bool>();
    e.isolate = vm["isolate"].as<bool>();
    e.reps = vm["reps"].as<int>();
    e.warmup = vm["warmup"].as<int>();
    e.rounds = vm["rounds"].as<int>();
    if (e.reps < 1 || e.reps > 100000) throw UsageError("--reps must be between 1 and 100000");
    if (e.rounds < 1 || e.rounds > e.reps) throw UsageError("--rounds must be between 1 and --reps");
    if (e.warmup < 0 || e.warmup > 1000) throw UsageError("--warmup must be between 0 and 1000");
    e.spec.seed = vm["seed"].as<std::uint64_t>();
    e.spec.topology = vm["topology"].as<std::string>();
    e.spec.pin = vm["pin"].as<std::string>();
    e.spec.remote_steal_ns = vm["remote-steal-ns"].as<std::uint64_t>();
    e.spec.schedtrace_ms = vm["schedtrace"].as<std::uint64_t>();
    e.spec.scheddetail = vm["scheddetail"].as<bool>();
    if (e.spec.schedtrace_ms > 3'600'000) throw UsageError("--schedtrace must be between 0 (off) and 3600000 ms");
    if (e.spec.scheddetail && e.spec.schedtrace_ms == 0) throw UsageError("--scheddetail needs --schedtrace MS");
    if ((e.spec.schedtrace_ms || e.spec.scheddetail) && !with_schedlab)
        throw UsageError("--schedtrace and --scheddetail apply to the schedlab runtime only");
    if (vm.count("max-memory")) {
        try {
            e.spec.max_memory = schedlab::rt::parse_bytes(vm["max-memory"].as<std::string>());
        } catch (const std::invalid_argument& err) {
            throw UsageError(std::string("--max-memory: ") + err.what());
        }
    }
    if (const int node = vm["membind"].as<int>(); node >= 0) {
        try {
            schedlab::rt::bind_memory_to_node(node);
        } catch (const std::invalid_argument& err) {
            throw UsageError(err.what());
        }
        e.membind = node;
    }
    e.name = vm.count("experiment") ? vm["experiment"].as<std::string>() : wl.front();
    if (vm.count("out")) e.out = vm["out"].as<std::string>();
    if (vm.count("append") && vm.count("resume")) throw UsageError("--append and --resume exclude each other");
    if ((vm.count("append") || vm.count("resume")) && e.out.empty())
        throw UsageError("--append and --resume need --out");
    e.mode = vm.count("resume") ? OpenMode::Resume : vm.count("append") ? OpenMode::Append : OpenMode::Fresh;
    e.retry_failed = vm.count("retry-failed") > 0;
    if (e.retry_failed && !vm.count("resume")) throw UsageError("--retry-failed goes with --resume");
    // Placement is schedlab's: a peer runs where its library puts its threads.
    if (e.runtimes.size() > (with_schedlab ? 1u : 0u) &&
        (e.spec.topology != "flat" || e.spec.pin != "none" || e.spec.remote_steal_ns != 0))
        throw UsageError("--topology, --pin and --remote-steal-ns apply to the schedlab runtime only; "
                         "run the peers without them");
    // Check the placement specs once, before any output.
    if (with_schedlab) {
        RunSpec probe = e.spec;
        probe.procs = *std::max_element(e.procs.begin(), e.procs.end());
        const auto fac = reg.factories.find({e.policies.front(), e.workloads.front()});
        if (fac != reg.factories.end()) fac->second(probe);
    }
    return execute(e, argv);
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> all(argv, argv + argc);
    if (argc < 2) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    const std::string cmd = argv[1];
    const std::vector<std::string> rest(argv + 2, argv + argc);
    try {
        if (cmd == "list") return cmd_list(rest);
        if (cmd == "run") return cmd_run(rest, false, all);
        if (cmd == "sweep") return cmd_run(rest, true, all);
        if (cmd == "sim") return cmd_sim(rest, all);
        if (cmd == "calibrate") return cmd_calibrate(rest, all);
        if (cmd == "summarize") {
            if (rest.size() != 1) throw UsageError("summarize takes one CSV file");
            return summarize(rest[0], std::cout);
        }
        if (cmd == "help" || cmd == "--help" || cmd == "-h") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        throw UsageError("unknown command '" + cmd + "'" +
                         hint(cmd, {"list", "run", "sweep", "sim", "calibrate", "summarize", "help"}) +
                         " (list, run, sweep, sim, calibrate, summarize)");
    } catch (const UsageError& e) {
        std::fprintf(stderr, "schedlab: %s\n", e.what());
        return 2;
    } catch (const ParamError& e) {
        std::fprintf(stderr, "schedlab: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "schedlab: error: %s\n", e.what());
        return 1;
    }
}
