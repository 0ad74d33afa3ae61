// The registry: every compiled policy bundle x every workload, type-erased for the command
// line. Each bundle's sessions are compiled in their own generated translation unit
// (harness/cmake/harness_bundle.cpp.in), so the build spreads over cores.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "schedlab/runtime/counters.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::harness {

struct PolicyInfo {
    std::string name, steal, global_check, spin_cap, runnext, victim, local_order, join;
};

struct WorkloadInfo {
    std::string name, summary;
    std::vector<workloads::ParamSpec> params;
    bool needs_channels = false;
    // Build the workload once from the given parameters, to reject bad values (ParamError)
    // before anything runs.
    void (*validate)(const workloads::Params&) = nullptr;
    // Of the complete parameters, those the workload reads: the CSV's params column
    // (workloads::recorded_params).
    workloads::Params (*recorded)(const workloads::Params& full) = nullptr;
    workloads::Params params_column(const workloads::Params& full) const {
        return recorded ? recorded(full) : full;
    }
};

// Where and how one configuration runs (the runtime's Options).
struct RunSpec {
    int procs = 1;
    std::uint64_t seed = 1;
    std::string topology = "flat";
    std::string pin = "none";
    std::uint64_t remote_steal_ns = 0;
    std::size_t max_memory = 0;  // the runtime's memory bound (runtime/memory.hpp); 0: default
    std::uint64_t schedtrace_ms = 0;  // --schedtrace: sysmon's line every this many ms (stderr)
    bool scheddetail = false;
};

struct RepOutcome {
    std::uint64_t wall_ns = 0;
    workloads::Result result;
    rt::Stats stats;
    bool has_counters = true;  // false on peers: the counter columns are left empty
};

// One policy x workload x RunSpec, with a Runtime kept across repetitions (warm pools).
class Session {
public:
    virtual ~Session() = default;
    // Build the workload from the given parameters (untimed; it fills in its defaults), run it
    // (timed inside main), check.
    virtual RepOutcome run(const workloads::Params& params) = 0;
    // One instrumented repetition on 1 P that measures work and span (extra columns work_ns,
    // span_ns, parallelism); false when the workload cannot measure them.
    virtual bool can_measure_work_span() const = 0;
    virtual RepOutcome run_work_span(const workloads::Params& params) = 0;
    virtual std::string placement_json() const = 0;
    // A session whose repetitions run in another process (the Go peer) is told the whole
    // batch before the first run(): it makes the warm-ups and the repetitions there in one go,
    // and run() hands out the repetitions' outcomes in order.
    virtual bool runs_batch() const { return false; }
    virtual void prepare_batch(const workloads::Params& /*given*/, int /*warmup*/, int /*reps*/) {}
};

using SessionFactory = std::unique_ptr<Session> (*)(const RunSpec&);

// A runtime other than schedlab's own (peers/): an in-process adapter with a session per
// workload it supports, or the Go peer (a separate program, peers/go; external).
struct RuntimeInfo {
    std::string name, summary;
    int max_procs = 0;        // 0: no limit of its own; the serial elision: 1
    bool uses_procs = true;   // false: procs is recorded, the OS decides (threads)
    bool external = false;    // sessions come from external_session(), not from factories
    std::map<std::size_t, SessionFactory> factories;  // workload index -> session
    std::map<std::size_t, std::string> unsupported;   // workload index -> why not
};

struct Registry {
    std::vector<PolicyInfo> policies;
    std::vector<WorkloadInfo> workloads;
    std::map<std::pair<std::size_t, std::size_t>, SessionFactory> factories;  // (policy, workload)
    // Sweep axes, in the order of their CMake lists: policy indexes.
    std::vector<std::size_t> global_check_sweep, steal_sweep, spin_sweep, preempt_sweep;
    // The peer runtimes compiled into this build, and the Go peer when its program is there.
    std::vector<RuntimeInfo> runtimes;

    std::size_t workload_index(const std::string& name);  // adds an entry when new
};

const Registry& registry();

// Defined per bundle in generated translation units.
template <class Bundle>
void add_bundle(Registry& r);
// The peer adapters compiled into this build (harness/src/peers/, one translation unit each).
void add_peers(Registry& r);

}  // namespace schedlab::harness
