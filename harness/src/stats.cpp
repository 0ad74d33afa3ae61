#include "schedlab/harness/stats.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

namespace schedlab::harness {

std::string format_ns(double ns) {
    char buf[32];
    if (ns >= 1e9)
        std::snprintf(buf, sizeof buf, "%.3f s", ns / 1e9);
    else if (ns >= 1e6)
        std::snprintf(buf, sizeof buf, "%.2f ms", ns / 1e6);
    else if (ns >= 1e3)
        std::snprintf(buf, sizeof buf, "%.2f us", ns / 1e3);
    else
        std::snprintf(buf, sizeof buf, "%.0f ns", ns);
    return buf;
}

double median(std::span<const double> xs) {
    if (xs.empty()) throw std::invalid_argument("median of no samples");
    std::vector<double> v(xs.begin(), xs.end());
    const std::size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
    const double hi = v[mid];
    if (v.size() % 2) return hi;
    const double lo = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
    return (lo + hi) / 2;
}

double mad(std::span<const double> xs) {
    const double m = median(xs);
    std::vector<double> dev;
    dev.reserve(xs.size());
    for (double x : xs) dev.push_back(std::fabs(x - m));
    return median(dev);
}

Interval bootstrap_median_ci(std::span<const double> xs, double level, int resamples,
                             std::uint64_t seed) {
    if (xs.empty()) throw std::invalid_argument("confidence interval of no samples");
    if (xs.size() == 1 || resamples < 1) return {xs[0], xs[0]};
    std::uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
    auto next = [&] {  // splitmix64
        std::uint64_t z = (s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    };
    std::vector<double> medians, sample(xs.size());
    medians.reserve(static_cast<std::size_t>(resamples));
    for (int r = 0; r < resamples; ++r) {
        for (auto& x : sample) x = xs[next() % xs.size()];
        medians.push_back(median(sample));
    }
    std::sort(medians.begin(), medians.end());
    const double alpha = (1 - level) / 2;
    auto at = [&](double q) {
        const double pos = q * static_cast<double>(medians.size() - 1);
        return medians[static_cast<std::size_t>(std::lround(pos))];
    };
    return {at(alpha), at(1 - alpha)};
}

CilkFit fit_cilk_model(std::span<const int> procs, std::span<const double> t_p, double t1,
                       double tinf) {
    CilkFit fit;
    const std::set<int> distinct(procs.begin(), procs.end());
    if (procs.size() != t_p.size() || distinct.size() < 2 || t1 <= 0 || tinf <= 0) return fit;
    const auto n = static_cast<Eigen::Index>(procs.size());
    Eigen::MatrixXd x(n, 2);
    Eigen::VectorXd y(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        x(i, 0) = t1 / procs[static_cast<std::size_t>(i)];
        x(i, 1) = tinf;
        y(i) = t_p[static_cast<std::size_t>(i)];
    }
    // The Tinf column is constant: the model is a line in 1/P, so it is solvable once two
    // distinct P are present.
    const Eigen::Vector2d coef = x.colPivHouseholderQr().solve(y);
    if (!coef.allFinite()) return fit;
    const Eigen::VectorXd residual = y - x * coef;
    const double mean = y.mean();
    const double ss_tot = (y.array() - mean).square().sum();
    const double ss_res = residual.squaredNorm();
    fit.a = coef(0);
    fit.b = coef(1);
    fit.r2 = ss_tot > 0 ? 1 - ss_res / ss_tot : 1;
    fit.ok = true;
    fit.distinct_procs = distinct.size();
    return fit;
}

}  // namespace schedlab::harness
