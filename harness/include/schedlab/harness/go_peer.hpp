// The Go peer: the same workloads written in Go (peers/go), built as the program schedlab-go
// next to the schedlab binary. A session runs one configuration's warm-ups and repetitions in
// one `schedlab-go run` process (GOMAXPROCS = procs) and reads its CSV rows back.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "schedlab/harness/registry.hpp"

namespace schedlab::harness {

// The schedlab-go program: $SCHEDLAB_GO_PROGRAM if set, else schedlab-go beside this
// executable; "" when there is none.
const std::string& go_peer_program();

// The workloads the program supports (`schedlab-go list`, asked once).
const std::vector<std::string>& go_peer_workloads();

std::unique_ptr<Session> make_go_session(const RunSpec& spec, const std::string& workload);

}  // namespace schedlab::harness
