// What the names given to `schedlab run` and `sweep` mean: --policy's policies and groups
// (all, sweep:global-check, sweep:steal, sweep:spin, sweep:preempt) as registry indexes, --runtime's runtimes
// (schedlab, go, the peer adapters, fiber = fiber-ws,fiber-rr, all = every one built) as
// RuntimeRefs. Each list comes back deduplicated in the order first named and never empty; a
// name unknown, or known but not built here, throws UsageError (exit status 2) saying which.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace schedlab::harness {

// Which runtime a configuration runs on: schedlab's own (under a policy), a peer adapter
// (Registry::runtimes[index]) or the Go program.
struct RuntimeRef {
    enum Kind { Schedlab, Peer, Go } kind = Schedlab;
    std::size_t index = 0;
    bool operator==(const RuntimeRef&) const = default;
};

// "schedlab", "go" or the peer's name: the CSV's runtime column.
std::string runtime_name(const RuntimeRef& r);

// Whether peers/go has the workload.
bool go_supports(const std::string& workload);

// --policy: indexes into Registry::policies.
std::vector<std::size_t> resolve_policies(const std::string& text);

// --runtime.
std::vector<RuntimeRef> resolve_runtimes(const std::string& text);

}  // namespace schedlab::harness
