#include "schedlab/harness/summarize.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <tuple>
#include <vector>

#include "schedlab/harness/results_file.hpp"
#include "schedlab/harness/stats.hpp"

namespace schedlab::harness {

namespace {

struct Sample {
    double wall = 0;
    bool ok = false;
    double span = -1;  // from extra, when measured
};

double extra_value(const std::string& extra, const std::string& key) {
    std::size_t pos = 0;
    while (pos <= extra.size()) {
        const auto end = std::min(extra.find(';', pos), extra.size());
        const std::string item = extra.substr(pos, end - pos);
        const auto eq = item.find('=');
        if (eq != std::string::npos && item.substr(0, eq) == key) {
            try {
                return std::stod(item.substr(eq + 1));
            } catch (...) {
                return -1;
            }
        }
        pos = end + 1;
    }
    return -1;
}

}  // namespace

int summarize(const std::string& path, std::ostream& out) {
    std::ifstream in(path);
    if (!in) throw UsageError("cannot read " + path);
    std::string line;
    if (!std::getline(in, line)) throw UsageError(path + " is empty");
    const auto h = csv_split(line);
    auto col = [&](const char* name) {
        const auto it = std::find(h.begin(), h.end(), name);
        if (it == h.end()) throw UsageError(path + " is not a schedlab CSV (no column " + name + ")");
        return static_cast<std::size_t>(it - h.begin());
    };
    const std::size_t c_exp = col("experiment"), c_wl = col("workload"), c_par = col("params"),
                      c_pol = col("policy"), c_rt = col("runtime"), c_procs = col("procs"),
                      c_wall = col("wall_ns"), c_ok = col("result_ok"), c_rep = col("rep");
    const auto c_extra = std::find(h.begin(), h.end(), "extra");
    const auto c_topo = std::find(h.begin(), h.end(), "topology");

    // (experiment, workload, params, policy+runtime+topology) -> procs -> samples
    using Group = std::tuple<std::string, std::string, std::string, std::string>;
    std::map<Group, std::map<int, std::vector<Sample>>> groups;
    std::size_t rows = 0, failed_configs = 0;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto r = csv_split(line);
        if (r.size() != h.size())
            throw UsageError(path + ": row " + std::to_string(rows + 2) + " has " +
                             std::to_string(r.size()) + " cells, the header " +
                             std::to_string(h.size()));
        // A configuration that failed as a whole (over the memory bound) has no measurement.
        if (r[c_ok] != "1" && r[c_wall].empty()) {
            ++failed_configs;
            ++rows;
            continue;
        }
        Sample s;
        try {
            s.wall = std::stod(r[c_wall]);
        } catch (...) {
            throw UsageError(path + ": row " + std::to_string(rows + 2) + ": wall_ns '" +
                             r[c_wall] + "' is not a number");
        }
        s.ok = r[c_ok] == "1";
        if (c_extra != h.end()) {
            const std::string& extra = r[static_cast<std::size_t>(c_extra - h.begin())];
            s.span = extra_value(extra, "span_ns");
        }
        // A peer's rows have no policy (NA): "peer <runtime>" names them (the Go runtime is "peer go", never the go policy).
        std::string who = r[c_rt] == "schedlab" ? r[c_pol] : "peer " + r[c_rt];
        if (c_topo != h.end() && r[static_cast<std::size_t>(c_topo - h.begin())] != "flat")
            who += "/" + r[static_cast<std::size_t>(c_topo - h.begin())];
        // rep -1: the instrumented repetition (work and span), not a timing sample.
        const int procs = r[c_rep].rfind('-', 0) == 0 ? 0 : std::stoi(r[c_procs]);
        groups[{r[c_exp], r[c_wl], r[c_par], who}][procs].push_back(s);
        ++rows;
    }
    if (rows == 0) throw UsageError(path + " has no rows");
    if (failed_configs)
        out << failed_configs << " configuration(s) failed as a whole (extra failed=...) and have no samples\n";

    // Ts of the Cilk table: the serial elision's median at 1 proc, per workload and parameters
    // (of the same experiment when it has one, else of any experiment in the file).
    std::map<std::tuple<std::string, std::string, std::string>, double> serial_by_exp;
    std::map<std::pair<std::string, std::string>, double> serial_any;
    for (const auto& [g, by_procs] : groups) {
        const auto& [exp, wl, params, who] = g;
        if (who != "peer serial" || !by_procs.count(1)) continue;
        std::vector<double> w;
        for (const auto& s : by_procs.at(1)) w.push_back(s.wall);
        serial_by_exp[{exp, wl, params}] = median(w);
        serial_any.emplace(std::pair{wl, params}, median(w));
    }
    auto ts_of = [&](const std::string& exp, const std::string& wl, const std::string& params) {
        if (const auto it = serial_by_exp.find({exp, wl, params}); it != serial_by_exp.end()) return it->second;
        if (const auto it = serial_any.find({wl, params}); it != serial_any.end()) return it->second;
        return -1.0;
    };

    // The Cilk-5 table of one experiment, printed after its main table.
    struct CilkRow {
        std::string wl, params, who;
        double ts, t1, tinf;
        int p;
        double tp;
        CilkFit fit;
    };
    std::vector<CilkRow> cilk;
    char buf[512];
    auto flush_cilk = [&] {
        if (cilk.empty()) return;
        out << "\n   Cilk table (Ts: serial elision at 1 proc; T1, T_P: medians at 1 and P procs; "
               "Tinf: span of the instrumented run; fit T_P = a*T1/P + b*Tinf)\n";
        std::snprintf(buf, sizeof buf, "   %-10s %-22s %-14s %10s %10s %6s %10s %8s %3s %10s %7s %14s\n", "workload",
                      "params", "policy", "Ts", "T1", "T1/Ts", "Tinf", "T1/Tinf", "P", "T_P", "T1/T_P",
                      "a / b / R^2");
        out << buf;
        auto num = [](double v, const char* f) {
            char b[32];
            if (v <= 0) return std::string("-");
            std::snprintf(b, sizeof b, f, v);
            return std::string(b);
        };
        for (const auto& c : cilk) {
            // Two proc counts determine a and b exactly: no R^2 to report.
            const std::string fit = !c.fit.ok ? "-"
                                    : num(c.fit.a, "%.2f") + "/" + num(c.fit.b, "%.1f") + "/" +
                                          (c.fit.distinct_procs < 3 ? "exact" : num(c.fit.r2, "%.2f"));
            std::snprintf(buf, sizeof buf, "   %-10s %-22s %-14s %10s %10s %6s %10s %8s %3d %10s %7s %14s\n",
                          c.wl.c_str(), c.params.substr(0, 22).c_str(), c.who.c_str(),
                          c.ts > 0 ? format_ns(c.ts).c_str() : "-", format_ns(c.t1).c_str(),
                          num(c.ts > 0 ? c.t1 / c.ts : -1, "%.2f").c_str(),
                          c.tinf > 0 ? format_ns(c.tinf).c_str() : "-",
                          num(c.tinf > 0 ? c.t1 / c.tinf : -1, "%.1f").c_str(), c.p,
                          format_ns(c.tp).c_str(), num(c.t1 / c.tp, "%.2f").c_str(), fit.c_str());
            out << buf;
        }
        cilk.clear();
    };

    std::string current;
    for (const auto& [g, by_procs] : groups) {
        const auto& [exp, wl, params, who] = g;
        if (exp != current) {
            flush_cilk();
            current = exp;
            out << "\n== experiment " << exp << "\n";
            std::snprintf(buf, sizeof buf, "%-10s %-28s %-18s %5s %4s %11s %10s %25s %8s %6s\n",
                          "workload", "params", "policy", "procs", "n", "median", "MAD",
                          "95% CI of median", "speedup", "ok");
            out << buf;
        }
        const std::vector<Sample>* base = by_procs.count(1) ? &by_procs.at(1) : nullptr;
        double t1 = -1;
        if (base) {
            std::vector<double> w;
            for (const auto& s : *base) w.push_back(s.wall);
            t1 = median(w);
        }
        std::vector<int> fit_p;
        std::vector<double> fit_t;
        std::vector<double> spans;
        for (const auto& [procs, samples] : by_procs) {
            if (procs == 0) {  // the instrumented repetition
                for (const auto& s : samples) {
                    if (s.span > 0) spans.push_back(s.span);
                }
                continue;
            }
            std::vector<double> w;
            std::size_t ok = 0;
            for (const auto& s : samples) {
                w.push_back(s.wall);
                ok += s.ok;
                if (s.span > 0) spans.push_back(s.span);
            }
            const double m = median(w);
            const Interval ci = bootstrap_median_ci(w);
            std::string speedup = t1 > 0 ? std::to_string(t1 / m).substr(0, 5) + "x" : "-";
            std::snprintf(buf, sizeof buf, "%-10s %-28s %-18s %5d %4zu %11s %10s %12s..%-11s %8s %3zu/%zu\n",
                          wl.c_str(), params.substr(0, 28).c_str(), who.c_str(), procs, w.size(),
                          format_ns(m).c_str(), format_ns(mad(w)).c_str(), format_ns(ci.lo).c_str(),
                          format_ns(ci.hi).c_str(), speedup.c_str(), ok, w.size());
            out << buf;
            fit_p.push_back(procs);
            fit_t.push_back(m);
        }
        // A Cilk row per proc count above 1, when the span or Ts is known.
        const double ts = who == "peer serial" ? -1 : ts_of(exp, wl, params);
        const double tinf = spans.empty() ? -1 : median(spans);
        if (t1 > 0 && (tinf > 0 || ts > 0)) {
            const CilkFit f = tinf > 0 ? fit_cilk_model(fit_p, fit_t, t1, tinf) : CilkFit{};
            for (std::size_t i = 0; i < fit_p.size(); ++i)
                if (fit_p[i] > 1) cilk.push_back({wl, params, who, ts, t1, tinf, fit_p[i], fit_t[i], f});
        }
    }
    flush_cilk();
    return 0;
}

}  // namespace schedlab::harness
