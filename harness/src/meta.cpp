#include "schedlab/harness/meta.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <thread>

#include "schedlab/harness/results_file.hpp"
#include "schedlab/runtime/topology.hpp"

namespace schedlab::harness {

namespace fs = std::filesystem;

std::string json_escape(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

namespace {

std::string command_output(const std::string& cmd) {
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
        std::array<char, 256> buf;
        while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
        pclose(p);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

}  // namespace

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
    return "unknown";
}

std::string run_metadata(const std::vector<std::string>& argv,
                         const std::vector<std::string>& placements) {
    const std::string src = SCHEDLAB_SOURCE_DIR;
    const std::string commit = command_output("git -C '" + src + "' rev-parse HEAD 2>/dev/null");
    const std::string dirty =
        command_output("git -C '" + src + "' status --porcelain --untracked-files=no 2>/dev/null");
    utsname u{};
    uname(&u);
    const auto& machine = rt::detail::machine_topology();
    std::ostringstream nodes;
    nodes << '[';
    for (std::size_t n = 0; n < machine.node_cpus.size(); ++n) {
        nodes << (n ? "," : "") << "{\"node\":" << machine.node_ids[n] << ",\"cpus\":[";
        for (std::size_t c = 0; c < machine.node_cpus[n].size(); ++c)
            nodes << (c ? "," : "") << machine.node_cpus[n][c];
        nodes << "]}";
    }
    nodes << ']';
    const std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;

    std::ostringstream o;
    o << "{\"date\":" << json_escape(date) << ",\"command\":" << json_escape(cmd)
      << ",\"git_commit\":" << json_escape(commit.empty() ? "unknown" : commit)
      << ",\"git_dirty\":" << (dirty.empty() ? "false" : "true")
      << ",\"compiler\":" << json_escape(SCHEDLAB_CXX_COMPILER)
      << ",\"build_type\":" << json_escape(SCHEDLAB_BUILD_TYPE)
      << ",\"sanitizer\":" << json_escape(SCHEDLAB_SANITIZER)
      << ",\"cpu_model\":" << json_escape(cpu_model())
      << ",\"cores\":" << std::thread::hardware_concurrency()
      << ",\"numa_nodes\":" << nodes.str() << ",\"kernel\":"
      << json_escape(std::string(u.sysname) + " " + u.release + " " + u.machine)
      << ",\"placements\":[";
    for (std::size_t i = 0; i < placements.size(); ++i) o << (i ? "," : "") << placements[i];
    o << "]}";
    return o.str();
}

void append_run_metadata(const fs::path& csv, const std::string& run_json) {
    const fs::path meta = csv.string() + ".meta.json";
    std::string runs;
    if (fs::exists(meta)) {
        std::ifstream in(meta);
        std::stringstream buf;
        buf << in.rdbuf();
        const std::string old = buf.str();
        // Our own format: {"schema":1,"runs":[ ... ]}; keep the runs' text as it is.
        const auto open = old.find("\"runs\":[");
        const auto close = old.rfind("]}");
        if (open == std::string::npos || close == std::string::npos || close < open)
            throw UsageError(meta.string() + " is not a schedlab metadata file; not touching it");
        runs = old.substr(open + 8, close - open - 8);
        while (!runs.empty() && (runs.back() == '\n' || runs.back() == ' ')) runs.pop_back();
    }
    const fs::path tmp = meta.string() + ".tmp";
    {
        std::ofstream out(tmp);
        out << "{\"schema\":1,\"runs\":[" << runs << (runs.empty() ? "\n" : ",\n") << run_json
            << "\n]}\n";
        if (!out) throw UsageError("cannot write " + tmp.string());
    }
    std::error_code ec;
    fs::rename(tmp, meta, ec);
    if (ec) throw UsageError("cannot rename " + tmp.string() + ": " + ec.message());
}

}  // namespace schedlab::harness
