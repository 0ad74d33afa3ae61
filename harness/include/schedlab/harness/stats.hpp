// Statistics of repeated measurements (harness only): robust location and spread, a bootstrap
// confidence interval, speedup, and the Cilk model fit T_P = a * T1 / P + b * Tinf.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace schedlab::harness {

double median(std::span<const double> xs);

// A duration for people: "12.3 ms", "870 ns" (three significant figures or so).
std::string format_ns(double ns);
// Median absolute deviation from the median (unscaled).
double mad(std::span<const double> xs);

struct Interval {
    double lo = 0, hi = 0;
};
// Percentile bootstrap CI of the median: `resamples` resamples with replacement, seeded so
// the same data give the same interval. One sample: [x, x].
Interval bootstrap_median_ci(std::span<const double> xs, double level = 0.95,
                             int resamples = 2000, std::uint64_t seed = 1);

// The Cilk model: T_P = a * T1 / P + b * Tinf, fitted by least squares (Eigen) over the
// (P, T_P) points. ok is false with fewer than two distinct P or a degenerate system.
struct CilkFit {
    double a = 0, b = 0, r2 = 0;
    bool ok = false;
    // With two distinct P the two coefficients are determined exactly (R^2 = 1 says nothing);
    // the fit tests the model only from three on.
    std::size_t distinct_procs = 0;
};
CilkFit fit_cilk_model(std::span<const int> procs, std::span<const double> t_p, double t1,
                       double tinf);

}  // namespace schedlab::harness
