#include "schedlab/runtime/memory.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace schedlab::rt {
namespace {

// A cgroup limit file holds a byte count or "max"; 0 when absent or unlimited.
std::size_t read_limit_file(const std::string& path) {
    std::ifstream in(path);
    std::string v;
    if (!(in >> v) || v == "max") return 0;
    errno = 0;
    const unsigned long long n = std::strtoull(v.c_str(), nullptr, 10);
    if (errno != 0 || n == 0 || n >= (1ull << 60)) return 0;  // v1 writes ~2^63 for "none"
    return static_cast<std::size_t>(n);
}

std::size_t cgroup_limit() {
    // cgroup v2: this process's group from /proc/self/cgroup ("0::/path").
    std::ifstream cg("/proc/self/cgroup");
    std::string line;
    while (std::getline(cg, line))
        if (line.rfind("0::", 0) == 0) {
            std::string dir = "/sys/fs/cgroup" + line.substr(3);
            // The limit may be set on any ancestor: take the lowest.
            std::size_t best = 0;
            for (;;) {
                const std::size_t l = read_limit_file(dir + "/memory.max");
                if (l && (!best || l < best)) best = l;
                if (dir == "/sys/fs/cgroup") break;
                const auto slash = dir.rfind('/');
                if (slash == std::string::npos || slash < std::strlen("/sys/fs/cgroup")) break;
                dir.resize(slash);
            }
            return best;
        }
    return read_limit_file("/sys/fs/cgroup/memory/memory.limit_in_bytes");  // v1
}

}  // namespace

std::size_t machine_memory_bytes() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    std::size_t phys = pages > 0 && page > 0
                           ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page)
                           : 0;
    const std::size_t cg = cgroup_limit();
    if (cg && (!phys || cg < phys)) phys = cg;
    return phys;
}

std::size_t default_memory_limit() { return machine_memory_bytes() / 2; }

std::size_t resident_bytes() {
    // No allocation and no stdio: called under the pools' spinlocks.
    const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[128];
    const ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return 0;
    buf[n] = '\0';
    unsigned long long size = 0, resident = 0;
    if (std::sscanf(buf, "%llu %llu", &size, &resident) != 2) return 0;
    return static_cast<std::size_t>(resident) * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

std::string format_bytes(std::size_t bytes) {
    static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        ++u;
    }
    char out[32];
    std::snprintf(out, sizeof out, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return out;
}

std::size_t parse_bytes(const std::string& text) {
    const auto bad = [&text] {
        return std::invalid_argument("bad memory size '" + text +
                                     "' (a positive number of bytes, or with K, M, G or T: 12G, 512M)");
    };
    if (text.empty()) throw bad();
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(text.c_str(), &end);
    if (errno != 0 || end == text.c_str() || !(v > 0) || !std::isfinite(v)) throw bad();
    std::string unit(end);
    double scale = 1;
    if (!unit.empty()) {
        const char c = static_cast<char>(unit[0] & ~0x20);  // upper case
        scale = c == 'K' ? 1024.0 : c == 'M' ? 1024.0 * 1024 : c == 'G' ? 1024.0 * 1024 * 1024
                : c == 'T' ? 1024.0 * 1024 * 1024 * 1024 : 0;
        const std::string rest = unit.substr(1);
        if (scale == 0 || !(rest.empty() || rest == "B" || rest == "iB" || rest == "b")) throw bad();
    }
    const double bytes = v * scale;
    if (bytes < 1 || bytes > 1e18) throw bad();
    return static_cast<std::size_t>(bytes);
}

bool MemoryBudget::admit(std::size_t more, std::size_t stacks) {
    if (limit_ == 0) return true;
    if (state_.load(std::memory_order_relaxed) != kOk) return false;
    const std::size_t rss = resident_bytes();
    if (rss + more <= limit_) return true;
    int expected = kOk;
    if (state_.compare_exchange_strong(expected, kWriting, std::memory_order_relaxed)) {
        reason_ = "the process reached " + format_bytes(rss) + " resident with " +
                  std::to_string(stacks) + " G stacks made, over the " + format_bytes(limit_) +
                  " memory limit";
        state_.store(kTripped, std::memory_order_release);
    }
    return false;
}

}  // namespace schedlab::rt
