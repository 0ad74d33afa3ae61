#include "schedlab/harness/isolate.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "schedlab/harness/results_file.hpp"

namespace schedlab::harness {

namespace {
constexpr char kDone = '.';  // the body returned: every message before it arrived
}

void ChildLink::send(char kind, std::string_view payload) {
    // One write(2) loop per message, retried on EINTR (a signal handler in the child must not
    // tear a message, as stdio would on an interrupted write).
    std::string msg(1, kind);
    msg += std::to_string(payload.size());
    msg += ':';
    msg += payload;
    const char* p = msg.data();
    std::size_t left = msg.size();
    while (left > 0) {
        const ssize_t n = ::write(fd_, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) _exit(124);  // the parent is gone
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

std::string ChildEnd::describe() const {
    if (signal != 0) {
        const char* abbrev = sigabbrev_np(signal);
        return "killed by signal " + std::to_string(signal) + " (SIG" +
               (abbrev ? abbrev : "?") + ", " + strsignal(signal) + ")";
    }
    return "exited with status " + std::to_string(exit_status) + " before it finished";
}

ChildEnd run_in_child(const std::function<void(ChildLink&)>& body,
                      const std::function<void(char, const std::string&)>& on_message) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("cannot make a pipe to a child process: ") +
                                 std::strerror(errno));
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0) {
        const int err = errno;
        close(fds[0]);
        close(fds[1]);
        throw std::runtime_error(std::string("cannot start a child process: ") + std::strerror(err));
    }
    if (pid == 0) {
        close(fds[0]);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        ChildLink link(fds[1]);
        try {
            body(link);
        } catch (const UsageError& e) {
            link.send('U', e.what());
        } catch (const std::exception& e) {
            link.send('E', e.what());
        } catch (...) {
            link.send('E', "unknown exception in a child process");
        }
        link.send(kDone, "");
        std::fflush(stdout);
        std::fflush(stderr);
        _exit(0);
    }
    close(fds[1]);
    std::FILE* from = fdopen(fds[0], "r");
    if (!from) {
        close(fds[0]);
        throw std::runtime_error("cannot read from a child process");
    }
    ChildEnd end;
    std::string usage_error, other_error;
    std::string payload;
    for (;;) {
        const int kind = std::fgetc(from);
        std::size_t len = 0;
        if (kind == EOF || std::fscanf(from, "%zu:", &len) != 1) break;
        payload.resize(len);
        if (len && std::fread(payload.data(), 1, len, from) != len) break;  // torn: the child died
        if (kind == kDone)
            end.completed = true;
        else if (kind == 'U')
            usage_error = payload;
        else if (kind == 'E')
            other_error = payload;
        else
            on_message(static_cast<char>(kind), payload);
    }
    std::fclose(from);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status)) {
        end.completed = false;
        end.signal = WTERMSIG(status);
    } else if (!end.completed) {
        end.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (!usage_error.empty()) throw UsageError(usage_error);
    if (!other_error.empty()) throw std::runtime_error(other_error);
    return end;
}

}  // namespace schedlab::harness
