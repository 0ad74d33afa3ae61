// What every workload is: parameters with defaults and validation, an untimed setup, a timed
// run on a task runtime R, and a check of its own answer.
//
// A workload W is a class with
//   static constexpr const char* name;          // "fib", the name on the command line
//   static constexpr const char* summary;       // one line for `schedlab list`
//   static constexpr bool needs_channels;       // true: needs rt::TaskRuntime, else ForkJoin
//   static constexpr bool needs_waitgroup;      // optional, default false: uses R::go + R::WaitGroup
//                                               // (peers/all.hpp: which peer adapters can run it)
//   static constexpr bool needs_blocking;       // optional, default false: uses R::blocking,
//                                               // R::blocking_handoff or R::preempt_point
//                                               // (schedlab's runtime only; peers/traits.hpp)
//   static constexpr bool needs_timers;         // optional, default false: uses R::sleep_for,
//                                               // R::sleep_until or R::after (likewise)
//   static std::span<const ParamSpec> params(); // every key with its default and meaning
//   explicit W(const Params&);                  // read + validate parameters, build inputs
//   template <class R> void run();              // the timed part, called inside R's main task
//   Result check() const;                       // after run: tasks, result_ok, extra columns
//   static Params recorded(const Params& full); // optional: of the complete parameters, those
//                                               // the run reads (the CSV's params column);
//                                               // default: all of them (recorded_params below)
// The harness times run() alone, so input generation and the check cost nothing.
#pragma once

#include <concepts>
#include <cstdint>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace schedlab::workloads {

// A bad parameter: unknown key, unparsable or out-of-range value. The message is one line.
struct ParamError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct ParamSpec {
    const char* key;
    const char* default_value;
    const char* help;
};

// k=v parameters of one workload run. Values given on the command line override the
// workload's defaults; keys not in the workload's specs are an error (with a did-you-mean).
class Params {
public:
    Params() = default;
    // "k=v;k=v" or "k=v,k=v" (whitespace around items ignored, empty text = no parameters).
    static Params parse(std::string_view text);

    void set(std::string key, std::string value);
    bool has(std::string_view key) const { return values_.find(std::string(key)) != values_.end(); }
    const std::map<std::string, std::string>& values() const { return values_; }

    // The given values completed with the specs' defaults; throws ParamError on an unknown key.
    Params with_defaults(std::string_view workload, std::span<const ParamSpec> specs) const;

    // Typed access with range checks; the key must be present (call with_defaults first).
    std::int64_t get_int(std::string_view key, std::int64_t min, std::int64_t max) const;
    double get_double(std::string_view key, double min, double max) const;
    bool get_bool(std::string_view key) const;
    const std::string& get_string(std::string_view key) const;
    // One of `choices`, else ParamError listing them.
    const std::string& get_choice(std::string_view key,
                                  std::initializer_list<std::string_view> choices) const;

    // "k=v;k=v" sorted by key: the CSV's params column.
    std::string canonical() const;

private:
    std::map<std::string, std::string> values_;
};

// The closest of `candidates` to `word` when it is close enough to be a likely typo, else "".
std::string did_you_mean(std::string_view word, std::span<const std::string> candidates);

// What a run produced. `tasks` counts the tasks (Gs) the workload created; `ok` says whether
// its answer checked out; `extra` holds workload-specific CSV columns (name, value), in a fixed
// order per workload.
struct Result {
    std::uint64_t tasks = 0;
    bool ok = false;
    std::string detail;  // why not ok, or what was checked
    std::vector<std::pair<std::string, std::string>> extra;
};

// Nearest-rank percentile q (0 < q <= 1) of a sorted, non-empty sample (latency columns).
std::uint64_t percentile(const std::vector<std::uint64_t>& sorted, double q);
// Sort a sample of latencies and add its p50_ns, p99_ns, p999_ns and max_ns columns to r
// (empty values for an empty sample).
void add_latency_columns(Result& r, std::vector<std::uint64_t>& sample);

template <class W>
concept Workload = requires(const W& w, const Params& p) {
    { W::name } -> std::convertible_to<const char*>;
    { W::summary } -> std::convertible_to<const char*>;
    { W::needs_channels } -> std::convertible_to<bool>;
    { W::params() } -> std::convertible_to<std::span<const ParamSpec>>;
    { w.check() } -> std::same_as<Result>;
} && std::constructible_from<W, const Params&>;

// The CSV's params column of W given its complete parameters: W::recorded when W has it (a
// preset that fixes other keys lists only the keys it reads), else every key.
template <class W>
Params recorded_params(const Params& full) {
    if constexpr (requires { { W::recorded(full) } -> std::same_as<Params>; })
        return W::recorded(full);
    else
        return full;
}

}  // namespace schedlab::workloads
