#include <gtest/gtest.h>
#include "schedlab/sim/generators.hpp"
#include "schedlab/sim/simulator.hpp"
TEST(Sim, Smoke) {
    auto g = schedlab::sim::shapes::fib({.n = 10});
    schedlab::sim::SimOptions o; o.procs = 4;
    auto r = schedlab::sim::simulate("go", g, o);
    EXPECT_TRUE(r.result_ok) << r.error;
}
