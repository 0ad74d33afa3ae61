// The Go peer's sessions: one schedlab-go process per configuration (see go_peer.hpp).
#include "schedlab/harness/go_peer.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "schedlab/harness/results_file.hpp"

extern char** environ;

namespace schedlab::harness {
namespace {

// Run argv[0] with argv, stdin from /dev/null, stderr inherited; return its stdout. Throws
// on a failure to start, or when it exits non-zero (UsageError for status 2: bad input).
std::string capture(const std::vector<std::string>& argv) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    const int err = posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (err != 0) {
        close(fds[0]);
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(err));
    }
    std::string out;
    char buf[1 << 14];
    for (;;) {
        const ssize_t n = read(fds[0], buf, sizeof buf);
        if (n > 0) {
            out.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            break;
        }
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
        throw UsageError("the Go peer refused the configuration (its message is above)");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error(argv[0] + " failed (" +
                                 (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                                    : "signal " + std::to_string(WTERMSIG(status))) +
                                 ")");
    return out;
}

class GoSession final : public Session {
public:
    GoSession(const RunSpec& spec, std::string workload) : spec_(spec), workload_(std::move(workload)) {}

    bool runs_batch() const override { return true; }
    void prepare_batch(const workloads::Params& given, int warmup, int reps) override {
        const std::string out = capture({go_peer_program(), "run", "--workload", workload_, "--params",
                                         given.canonical(), "--procs", std::to_string(spec_.procs),
                                         "--reps", std::to_string(reps), "--warmup",
                                         std::to_string(warmup), "--seed", std::to_string(spec_.seed)});
        std::istringstream in(out);
        std::string line;
        if (!std::getline(in, line)) throw std::runtime_error("schedlab-go printed nothing");
        const auto h = csv_split(line);
        auto col = [&](const char* name) {
            const auto it = std::find(h.begin(), h.end(), name);
            if (it == h.end()) throw std::runtime_error(std::string("schedlab-go's CSV has no column ") + name);
            return static_cast<std::size_t>(it - h.begin());
        };
        const std::size_t c_wall = col("wall_ns"), c_tasks = col("tasks"), c_ok = col("result_ok"),
                          c_extra = col("extra");
        batch_.clear();
        while (std::getline(in, line)) {
            if (line.empty()) continue;
            const auto r = csv_split(line);
            if (r.size() != h.size()) throw std::runtime_error("schedlab-go printed a torn row: " + line);
            RepOutcome o;
            o.has_counters = false;
            try {
                o.wall_ns = std::stoull(r[c_wall]);
                o.result.tasks = std::stoull(r[c_tasks]);
            } catch (const std::exception&) {
                throw std::runtime_error("schedlab-go printed a row with a bad number: " + line);
            }
            o.result.ok = r[c_ok] == "1";
            if (!o.result.ok) o.result.detail = "schedlab-go checked its answer and found it wrong";
            std::istringstream extra(r[c_extra]);
            for (std::string kv; std::getline(extra, kv, ';');)
                if (const auto eq = kv.find('='); eq != std::string::npos)
                    o.result.extra.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
            batch_.push_back(std::move(o));
        }
        if (batch_.size() != static_cast<std::size_t>(reps))
            throw std::runtime_error("schedlab-go printed " + std::to_string(batch_.size()) + " rows for " +
                                     std::to_string(reps) + " repetitions");
    }
    RepOutcome run(const workloads::Params&) override {
        if (batch_.empty()) throw std::logic_error("go peer: run() beyond the prepared batch");
        RepOutcome o = std::move(batch_.front());
        batch_.pop_front();
        return o;
    }
    bool can_measure_work_span() const override { return false; }
    RepOutcome run_work_span(const workloads::Params&) override {
        throw std::logic_error("work and span are measured on schedlab's runtime only");
    }
    std::string placement_json() const override {
        return "{\"runtime\":\"go\",\"procs\":" + std::to_string(spec_.procs) +
               ",\"gomaxprocs\":" + std::to_string(spec_.procs) + ",\"pinning\":\"none\"}";
    }

private:
    RunSpec spec_;
    std::string workload_;
    std::deque<RepOutcome> batch_;
};

}  // namespace

const std::string& go_peer_program() {
    static const std::string path = [] {
        if (const char* env = std::getenv("SCHEDLAB_GO_PROGRAM"); env && *env)
            return access(env, X_OK) == 0 ? std::string(env) : std::string();
        std::error_code ec;
        const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
        if (ec) return std::string();
        const auto p = self.parent_path() / "schedlab-go";
        return access(p.c_str(), X_OK) == 0 ? p.string() : std::string();
    }();
    return path;
}

const std::vector<std::string>& go_peer_workloads() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        if (go_peer_program().empty()) return out;
        std::istringstream in(capture({go_peer_program(), "list"}));
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) out.push_back(line);
        return out;
    }();
    return names;
}

std::unique_ptr<Session> make_go_session(const RunSpec& spec, const std::string& workload) {
    return std::make_unique<GoSession>(spec, workload);
}

}  // namespace schedlab::harness
