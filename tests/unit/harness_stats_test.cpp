// The harness's statistics and CSV handling as plain functions.
#include <gtest/gtest.h>

#include <vector>

#include "schedlab/harness/results_file.hpp"
#include "schedlab/harness/stats.hpp"

using namespace schedlab::harness;

TEST(HarnessStats, MedianAndMad) {
    const std::vector<double> odd{5, 1, 3}, even{4, 1, 3, 2};
    EXPECT_EQ(median(odd), 3);
    EXPECT_EQ(median(even), 2.5);
    const std::vector<double> xs{1, 2, 3, 4, 100};  // deviations 2,1,0,1,97
    EXPECT_EQ(mad(xs), 1);
}

TEST(HarnessStats, BootstrapIntervalHoldsTheMedianAndIsReproducible) {
    std::vector<double> xs;
    for (int i = 0; i < 31; ++i) xs.push_back(100 + (i * 37) % 17);
    const Interval a = bootstrap_median_ci(xs), b = bootstrap_median_ci(xs);
    EXPECT_LE(a.lo, median(xs));
    EXPECT_GE(a.hi, median(xs));
    EXPECT_LT(a.lo, a.hi);
    EXPECT_EQ(a.lo, b.lo);
    EXPECT_EQ(a.hi, b.hi);
    const std::vector<double> one{7};
    EXPECT_EQ(bootstrap_median_ci(one).lo, 7);
}

TEST(HarnessStats, CilkFitRecoversTheModel) {
    const double t1 = 1000, tinf = 10;
    std::vector<int> p{1, 2, 4, 8, 16};
    std::vector<double> t;
    for (int q : p) t.push_back(1.1 * t1 / q + 3.0 * tinf);
    const CilkFit f = fit_cilk_model(p, t, t1, tinf);
    ASSERT_TRUE(f.ok);
    EXPECT_NEAR(f.a, 1.1, 1e-9);
    EXPECT_NEAR(f.b, 3.0, 1e-9);
    EXPECT_NEAR(f.r2, 1.0, 1e-12);
    EXPECT_EQ(f.distinct_procs, 5u);
    const std::vector<int> two{1, 2};
    EXPECT_EQ(fit_cilk_model(two, std::vector<double>{t[0], t[1]}, t1, tinf).distinct_procs, 2u);
    const std::vector<int> single{2, 2};
    EXPECT_FALSE(fit_cilk_model(single, std::vector<double>{1, 2}, t1, tinf).ok);
}

TEST(HarnessCsv, QuotesRoundTrip) {
    const std::vector<std::string> cells{"plain", "a,b", "say \"hi\"", ""};
    EXPECT_EQ(csv_split(csv_join(cells)), cells);
    EXPECT_THROW(csv_split("\"open"), UsageError);
}
