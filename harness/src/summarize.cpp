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
    double work = -1, span = -1;  // from extra, when measured
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
    std::size_t rows = 0;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto r = csv_split(line);
        if (r.size() != h.size())
            throw UsageError(path + ": row " + std::to_string(rows + 2) + " has " +
                             std::to_string(r.size()) + " cells, the header " +
                             std::to_string(h.size()));
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
            s.work = extra_value(extra, "work_ns");
            s.span = extra_value(extra, "span_ns");
        }
        std::string who = r[c_pol] + (r[c_rt] == "schedlab" ? "" : "@" + r[c_rt]);
        if (c_topo != h.end() && r[static_cast<std::size_t>(c_topo - h.begin())] != "flat")
            who += "/" + r[static_cast<std::size_t>(c_topo - h.begin())];
        // rep -1: the instrumented repetition (work and span), not a timing sample.
        const int procs = r[c_rep].rfind('-', 0) == 0 ? 0 : std::stoi(r[c_procs]);
        groups[{r[c_exp], r[c_wl], r[c_par], who}][procs].push_back(s);
        ++rows;
    }
    if (rows == 0) throw UsageError(path + " has no rows");

    std::string current;
    char buf[512];
    for (const auto& [g, by_procs] : groups) {
        const auto& [exp, wl, params, who] = g;
        if (exp != current) {
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
        std::vector<double> spans, works;
        for (const auto& [procs, samples] : by_procs) {
            if (procs == 0) {  // the instrumented repetition
                for (const auto& s : samples) {
                    if (s.span > 0) spans.push_back(s.span);
                    if (s.work > 0) works.push_back(s.work);
                }
                continue;
            }
            std::vector<double> w;
            std::size_t ok = 0;
            for (const auto& s : samples) {
                w.push_back(s.wall);
                ok += s.ok;
                if (s.span > 0) spans.push_back(s.span);
                if (s.work > 0) works.push_back(s.work);
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
        if (!spans.empty() && t1 > 0) {
            const double tinf = median(spans);
            out << "   Cilk: T1 " << format_ns(t1) << "  Tinf " << format_ns(tinf);
            if (!works.empty()) out << "  work " << format_ns(median(works));
            std::snprintf(buf, sizeof buf, "  T1/Tinf %.1f", t1 / tinf);
            out << buf;
            for (std::size_t i = 0; i < fit_p.size(); ++i) {
                std::snprintf(buf, sizeof buf, "  T%d %s (T1/T%d %.2f)", fit_p[i],
                              format_ns(fit_t[i]).c_str(), fit_p[i], t1 / fit_t[i]);
                out << buf;
            }
            const CilkFit f = fit_cilk_model(fit_p, fit_t, t1, tinf);
            if (f.ok) {
                std::snprintf(buf, sizeof buf, "\n   fit T_P = a*T1/P + b*Tinf: a %.3f  b %.3f  R^2 %.3f",
                              f.a, f.b, f.r2);
                out << buf;
            }
            out << "\n";
        }
    }
    return 0;
}

}  // namespace schedlab::harness
