// Running a piece of a sweep in a child process, so that a signal there (a segfault in a
// workload, an abort, the kernel's OOM killer) costs that piece only: the parent keeps its
// results file and the rows the child sent before it died, and records how it died.
//
// The child talks to the parent through a pipe in typed messages (a kind byte, a length, the
// bytes), read as they come so that rows reach the results file while the child still runs.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace schedlab::harness {

// The child's end of the pipe.
class ChildLink {
public:
    explicit ChildLink(int fd) : fd_(fd) {}
    // One message; kinds 'U' and 'E' are taken (a usage error and another error of the body).
    void send(char kind, std::string_view payload);

private:
    int fd_;
};

struct ChildEnd {
    bool completed = false;  // the body returned (its messages all arrived)
    int signal = 0;          // the signal that ended the child, else 0
    int exit_status = 0;     // when it exited without completing: its status
    // "killed by signal 11 (SIGSEGV, Segmentation fault)" or "exited with status 3 ...".
    std::string describe() const;
};

// Fork; the child runs body(link) and _exits (no destructor or atexit handler of the parent's
// state runs there); the parent calls on_message for each message as it arrives and returns how
// the child ended. A UsageError or another exception thrown by the body in the child is
// rethrown in the parent (as UsageError or std::runtime_error with the same text). The child
// takes SIGINT and SIGTERM with their default action.
ChildEnd run_in_child(const std::function<void(ChildLink&)>& body,
                      const std::function<void(char kind, const std::string& payload)>& on_message);

}  // namespace schedlab::harness
