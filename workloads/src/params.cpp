#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
            diag = up;
        }
    }
    return row[b.size()];
}

}  // namespace

std::string did_you_mean(std::string_view word, std::span<const std::string> candidates) {
    std::string best;
    std::size_t best_d = ~std::size_t{0};
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    // Close enough: at most a third of the word wrong (and at least one edit allowed).
    if (best.empty() || best_d > std::max<std::size_t>(1, word.size() / 3)) return "";
    return best;
}

Params Params::parse(std::string_view text) {
    Params p;
    while (!text.empty()) {
        const std::size_t end = text.find_first_of(";,");
        std::string_view item = trim(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (item.empty()) continue;
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos || eq == 0)
            throw ParamError("parameter '" + std::string(item) + "' is not key=value");
        std::string key(trim(item.substr(0, eq)));
        if (p.has(key)) throw ParamError("parameter '" + key + "' given twice");
        p.set(std::move(key), std::string(trim(item.substr(eq + 1))));
    }
    return p;
}

void Params::set(std::string key, std::string value) { values_[std::move(key)] = std::move(value); }

Params Params::with_defaults(std::string_view workload, std::span<const ParamSpec> specs) const {
    std::vector<std::string> keys;
    for (const auto& s : specs) keys.emplace_back(s.key);
    for (const auto& [k, v] : values_) {
        if (std::find(keys.begin(), keys.end(), k) != keys.end()) continue;
        std::string msg = "workload " + std::string(workload) + " has no parameter '" + k + "'";
        const std::string hint = did_you_mean(k, keys);
        if (!hint.empty()) msg += " (did you mean '" + hint + "'?)";
        throw ParamError(msg);
    }
    Params out = *this;
    for (const auto& s : specs)
        if (!out.has(s.key)) out.set(s.key, s.default_value);
    return out;
}

const std::string& Params::get_string(std::string_view key) const {
    const auto it = values_.find(std::string(key));
    if (it == values_.end()) throw ParamError("parameter '" + std::string(key) + "' is missing");
    return it->second;
}

std::int64_t Params::get_int(std::string_view key, std::int64_t min, std::int64_t max) const {
    const std::string& v = get_string(key);
    std::int64_t out = 0;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || ptr != v.data() + v.size())
        throw ParamError("parameter " + std::string(key) + "=" + v + " is not an integer");
    if (out < min || out > max)
        throw ParamError("parameter " + std::string(key) + "=" + v + " is out of range [" +
                         std::to_string(min) + ", " + std::to_string(max) + "]");
    return out;
}

double Params::get_double(std::string_view key, double min, double max) const {
    const std::string& v = get_string(key);
    errno = 0;
    char* end = nullptr;
    const double out = std::strtod(v.c_str(), &end);
    if (v.empty() || end != v.c_str() + v.size() || errno != 0 || !std::isfinite(out))
        throw ParamError("parameter " + std::string(key) + "=" + v + " is not a number");
    if (out < min || out > max)
        throw ParamError("parameter " + std::string(key) + "=" + v + " is out of range [" +
                         std::to_string(min) + ", " + std::to_string(max) + "]");
    return out;
}

bool Params::get_bool(std::string_view key) const {
    const std::string& v = get_string(key);
    if (v == "1" || v == "true" || v == "on" || v == "yes") return true;
    if (v == "0" || v == "false" || v == "off" || v == "no") return false;
    throw ParamError("parameter " + std::string(key) + "=" + v + " is not a boolean (1/0, on/off)");
}

const std::string& Params::get_choice(std::string_view key,
                                      std::initializer_list<std::string_view> choices) const {
    const std::string& v = get_string(key);
    std::string list;
    for (auto c : choices) {
        if (c == v) return v;
        list += (list.empty() ? "" : ", ") + std::string(c);
    }
    throw ParamError("parameter " + std::string(key) + "=" + v + " is not one of: " + list);
}

std::string Params::canonical() const {
    std::string out;
    for (const auto& [k, v] : values_) {  // std::map: sorted by key
        if (!out.empty()) out += ';';
        out += k + '=' + v;
    }
    return out;
}

std::uint64_t percentile(const std::vector<std::uint64_t>& sorted, double q) {
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

void add_latency_columns(Result& r, std::vector<std::uint64_t>& sample) {
    std::sort(sample.begin(), sample.end());
    const bool have = !sample.empty();
    r.extra.emplace_back("p50_ns", have ? std::to_string(percentile(sample, 0.50)) : "");
    r.extra.emplace_back("p99_ns", have ? std::to_string(percentile(sample, 0.99)) : "");
    r.extra.emplace_back("p999_ns", have ? std::to_string(percentile(sample, 0.999)) : "");
    r.extra.emplace_back("max_ns", have ? std::to_string(sample.back()) : "");
}

}  // namespace schedlab::workloads
