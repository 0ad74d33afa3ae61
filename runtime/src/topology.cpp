#include "schedlab/runtime/topology.hpp"

#include <linux/mempolicy.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "schedlab/runtime/detail.hpp"

namespace schedlab::rt {

namespace {

std::string read_line(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::string s;
    std::getline(in, s);
    return s;
}

int to_int(std::string_view s, std::string_view what) {
    int v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || ptr != s.data() + s.size() || v < 0)
        throw std::invalid_argument(std::string(what) + ": '" + std::string(s) +
                                    "' is not a non-negative integer");
    return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    while (true) {
        const auto at = s.find(sep);
        out.push_back(s.substr(0, at));
        if (at == std::string_view::npos) return out;
        s.remove_prefix(at + 1);
    }
}

}  // namespace

std::vector<int> parse_cpu_list(std::string_view text) {
    std::vector<int> cpus;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    if (text.empty()) throw std::invalid_argument("empty CPU list");
    for (auto item : split(text, ',')) {
        const auto dash = item.find('-');
        const int lo = to_int(item.substr(0, dash), "CPU list");
        const int hi = dash == std::string_view::npos ? lo : to_int(item.substr(dash + 1), "CPU list");
        if (hi < lo || hi - lo > 4096)
            throw std::invalid_argument("CPU list: bad range '" + std::string(item) + "'");
        for (int c = lo; c <= hi; ++c) cpus.push_back(c);
    }
    return cpus;
}

int MachineTopology::allowed_cpus() const {
    int n = 0;
    for (const auto& cpus : node_cpus) n += static_cast<int>(cpus.size());
    return n;
}

MachineTopology MachineTopology::read() {
    cpu_set_t mask;
    CPU_ZERO(&mask);
    std::vector<int> allowed;
    if (sched_getaffinity(0, sizeof mask, &mask) == 0) {
        for (int c = 0; c < CPU_SETSIZE; ++c)
            if (CPU_ISSET(c, &mask)) allowed.push_back(c);
    }
    if (allowed.empty()) allowed.push_back(0);

    MachineTopology m;
    const int max_cpu = allowed.back();
    m.llc_of_cpu.assign(static_cast<std::size_t>(max_cpu) + 1, -1);
    namespace fs = std::filesystem;
    std::error_code ec;
    std::map<int, std::vector<int>> by_node;
    for (const auto& e : fs::directory_iterator("/sys/devices/system/node", ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("node", 0) != 0 || name.size() == 4) continue;
        int id = 0;
        try {
            id = to_int(std::string_view(name).substr(4), "node");
            for (int c : parse_cpu_list(read_line(e.path() / "cpulist")))
                if (std::binary_search(allowed.begin(), allowed.end(), c)) by_node[id].push_back(c);
        } catch (const std::invalid_argument&) {
            continue;  // a node without CPUs has an empty cpulist
        }
    }
    if (by_node.empty()) by_node[0] = allowed;
    for (auto& [id, cpus] : by_node) {
        m.node_ids.push_back(id);
        m.node_cpus.push_back(cpus);
    }
    // Last-level cache: the highest cache index of each CPU; its group is named by the lowest
    // CPU sharing it.
    for (int c : allowed) {
        const fs::path dir = "/sys/devices/system/cpu/cpu" + std::to_string(c) + "/cache";
        int best_level = -1;
        for (const auto& e : fs::directory_iterator(dir, ec)) {
            if (e.path().filename().string().rfind("index", 0) != 0) continue;
            try {
                const int level = to_int(read_line(e.path() / "level"), "cache level");
                if (level <= best_level) continue;
                const auto shared = parse_cpu_list(read_line(e.path() / "shared_cpu_list"));
                best_level = level;
                m.llc_of_cpu[static_cast<std::size_t>(c)] = shared.empty() ? c : shared.front();
            } catch (const std::invalid_argument&) {
            }
        }
    }
    return m;
}

Placement make_placement(int procs, std::string_view topology, std::string_view pin,
                         std::uint64_t remote_steal_ns, const MachineTopology& machine) {
    if (procs < 1) throw std::invalid_argument("procs must be at least 1");
    const auto nprocs = static_cast<std::uint32_t>(procs);
    Placement pl;
    pl.topology_spec = std::string(topology);
    pl.pin_spec = std::string(pin);
    pl.remote_steal_ns = remote_steal_ns;
    pl.machine_nodes = static_cast<int>(machine.node_cpus.size());
    pl.machine_cpus = machine.allowed_cpus();
    if (remote_steal_ns > 1'000'000'000)
        throw std::invalid_argument("remote steal penalty above 1 s is not a steal cost");

    // CPUs in compact order (node by node) and in scatter order (one per node in turn).
    std::vector<int> compact, scatter;
    for (const auto& cpus : machine.node_cpus) compact.insert(compact.end(), cpus.begin(), cpus.end());
    for (std::size_t i = 0;; ++i) {
        bool any = false;
        for (const auto& cpus : machine.node_cpus)
            if (i < cpus.size()) {
                scatter.push_back(cpus[i]);
                any = true;
            }
        if (!any) break;
    }
    std::vector<int> order;
    if (pin == "none") {
    } else if (pin == "compact") {
        order = compact;
    } else if (pin == "scatter") {
        order = scatter;
    } else {
        std::vector<int> list;
        try {
            list = parse_cpu_list(pin);
        } catch (const std::invalid_argument&) {
            throw std::invalid_argument("pinning '" + std::string(pin) +
                                        "' is not none, compact, scatter or a CPU list like 0,2-3");
        }
        for (int c : list)
            if (std::find(compact.begin(), compact.end(), c) == compact.end())
                throw std::invalid_argument("CPU " + std::to_string(c) +
                                            " is not available to this process (it may use " +
                                            std::to_string(pl.machine_cpus) + " CPUs)");
        order = list;
    }
    if (!order.empty()) {
        for (std::uint32_t p = 0; p < nprocs; ++p) pl.cpu_of.push_back(order[p % order.size()]);
        pl.oversubscribed = nprocs > order.size();
    }

    if (topology == "flat") {
        pl.topology = policies::Topology::flat(nprocs);
    } else if (topology == "machine") {
        // Each P on the node of its CPU (or, unpinned, of the CPU compact order would give it).
        pl.topology.procs = nprocs;
        pl.topology.nodes = static_cast<std::uint32_t>(machine.node_cpus.size());
        for (std::uint32_t p = 0; p < nprocs; ++p) {
            const int cpu = pl.cpu_of.empty() ? compact[p % compact.size()] : pl.cpu_of[p];
            std::uint32_t node = 0;
            for (std::size_t n = 0; n < machine.node_cpus.size(); ++n)
                if (std::count(machine.node_cpus[n].begin(), machine.node_cpus[n].end(), cpu))
                    node = static_cast<std::uint32_t>(n);
            const int llc = static_cast<std::size_t>(cpu) < machine.llc_of_cpu.size()
                                ? machine.llc_of_cpu[static_cast<std::size_t>(cpu)]
                                : -1;
            pl.topology.node_of.push_back(node);
            // Unknown caches: one group per node.
            pl.topology.group_of.push_back(llc >= 0 ? static_cast<std::uint32_t>(llc)
                                                    : 100000 + node);
        }
    } else {
        const auto parts = split(topology, 'x');
        std::vector<int> dims;
        try {
            for (auto d : parts) dims.push_back(to_int(d, "topology"));
        } catch (const std::invalid_argument&) {
            dims.clear();
        }
        if ((dims.size() != 2 && dims.size() != 3) ||
            std::find(dims.begin(), dims.end(), 0) != dims.end())
            throw std::invalid_argument("topology '" + std::string(topology) +
                                        "' is not flat, machine, NxC or NxGxC (like 2x4)");
        const auto nodes = static_cast<std::uint32_t>(dims[0]);
        const auto groups = dims.size() == 3 ? static_cast<std::uint32_t>(dims[1]) : 1u;
        const auto per_group = static_cast<std::uint32_t>(dims.back());
        const std::uint64_t slots = std::uint64_t{nodes} * groups * per_group;
        if (slots < nprocs)
            throw std::invalid_argument("topology " + std::string(topology) + " has " +
                                        std::to_string(slots) + " Ps, fewer than procs=" +
                                        std::to_string(procs));
        pl.topology = policies::Topology::grid(nprocs, nodes, groups, per_group);
        pl.synthetic = true;
    }
    return pl;
}

void bind_memory_to_node(int node) {
    if (node < 0) {
        if (syscall(SYS_set_mempolicy, MPOL_DEFAULT, nullptr, 0) != 0)
            throw std::invalid_argument(std::string("cannot reset the memory policy: ") +
                                        std::strerror(errno));
        return;
    }
    const auto& m = detail::machine_topology();
    if (std::find(m.node_ids.begin(), m.node_ids.end(), node) == m.node_ids.end())
        throw std::invalid_argument("cannot bind memory to node " + std::to_string(node) +
                                    ": this machine has " + std::to_string(m.node_ids.size()) +
                                    " node(s) with CPUs available to this process");
    constexpr int kBits = 8 * sizeof(unsigned long);
    if (node >= 64 * kBits) throw std::invalid_argument("NUMA node number too large");
    unsigned long mask[64] = {};
    mask[node / kBits] = 1ul << (node % kBits);
    if (syscall(SYS_set_mempolicy, MPOL_BIND, mask, 64 * kBits) != 0)
        throw std::invalid_argument("cannot bind memory to node " + std::to_string(node) + ": " +
                                    std::strerror(errno));
}

std::string Placement::to_json() const {
    std::ostringstream o;
    auto list = [&](const auto& v) {
        o << '[';
        for (std::size_t i = 0; i < v.size(); ++i) o << (i ? "," : "") << v[i];
        o << ']';
    };
    o << "{\"topology\":\"" << topology_spec << "\",\"topology_source\":\""
      << (synthetic ? "synthetic" : topology_spec == "machine" ? "machine" : "flat")
      << "\",\"nodes\":" << topology.nodes << ",\"node_of_p\":";
    list(topology.node_of);
    o << ",\"pin\":\"" << pin_spec << "\",\"cpu_of_p\":";
    list(cpu_of);
    o << ",\"oversubscribed\":" << (oversubscribed ? "true" : "false")
      << ",\"remote_steal_ns\":" << remote_steal_ns
      << ",\"remote_steal_cost\":\"" << (remote_steal_ns ? "emulated" : "none added")
      << "\",\"machine_nodes\":" << machine_nodes << ",\"machine_cpus\":" << machine_cpus << '}';
    return o.str();
}

namespace detail {

const MachineTopology& machine_topology() {
    static const MachineTopology m = MachineTopology::read();
    return m;
}

void pin_this_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (const int err = pthread_setaffinity_np(pthread_self(), sizeof set, &set))
        fatal("cannot pin an M to CPU %d: %s", cpu, std::strerror(err));
}

SavedAffinity::SavedAffinity() {
    static_assert(sizeof(cpu_set_t) <= sizeof mask_);
    saved_ = pthread_getaffinity_np(pthread_self(), sizeof(cpu_set_t),
                                    reinterpret_cast<cpu_set_t*>(mask_)) == 0;
}

SavedAffinity::~SavedAffinity() {
    if (saved_)
        pthread_setaffinity_np(pthread_self(), sizeof(cpu_set_t),
                               reinterpret_cast<const cpu_set_t*>(mask_));
}

void spin_for_ns(std::uint64_t ns) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(ns);
    while (std::chrono::steady_clock::now() < until) {
    }
}

}  // namespace detail

}  // namespace schedlab::rt
