// Workload parameters: parsing, defaults, typed access with ranges, and the error messages.
#include <gtest/gtest.h>

#include <array>

#include "schedlab/workloads/workload.hpp"

using schedlab::workloads::ParamError;
using schedlab::workloads::Params;
using schedlab::workloads::ParamSpec;

namespace {

constexpr std::array<ParamSpec, 2> kSpecs{{{"n", "30", "problem size"},
                                           {"cutoff", "0", "serial below this"}}};

std::string error_of(auto&& f) {
    try {
        f();
    } catch (const ParamError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(Params, ParsesBothSeparatorsAndFillsDefaults) {
    const Params p = Params::parse(" n = 12 , ").with_defaults("fib", kSpecs);
    EXPECT_EQ(p.get_int("n", 1, 100), 12);
    EXPECT_EQ(p.get_int("cutoff", 0, 100), 0);
    EXPECT_EQ(p.canonical(), "cutoff=0;n=12");
    EXPECT_EQ(Params::parse("cutoff=3;n=4").canonical(), "cutoff=3;n=4");
    EXPECT_TRUE(Params::parse("").values().empty());
}

TEST(Params, RejectsBadInputWithOneLine) {
    EXPECT_EQ(error_of([] { Params::parse("n=3;cutof=2").with_defaults("fib", kSpecs); }),
              "workload fib has no parameter 'cutof' (did you mean 'cutoff'?)");
    EXPECT_EQ(error_of([] { Params::parse("zzzzzz=1").with_defaults("fib", kSpecs); }),
              "workload fib has no parameter 'zzzzzz'");
    EXPECT_EQ(error_of([] { Params::parse("n"); }), "parameter 'n' is not key=value");
    EXPECT_EQ(error_of([] { Params::parse("n=1;n=2"); }), "parameter 'n' given twice");
    EXPECT_EQ(error_of([] { Params::parse("n=x").get_int("n", 0, 9); }),
              "parameter n=x is not an integer");
    EXPECT_EQ(error_of([] { Params::parse("n=-1").get_int("n", 0, 9); }),
              "parameter n=-1 is out of range [0, 9]");
    EXPECT_EQ(error_of([] { Params::parse("q=1e400").get_double("q", 0, 1); }),
              "parameter q=1e400 is not a number");
    EXPECT_EQ(error_of([] { Params::parse("t=bin").get_choice("t", {"geo", "binomial"}); }),
              "parameter t=bin is not one of: geo, binomial");
    EXPECT_EQ(error_of([] { Params::parse("b=maybe").get_bool("b"); }),
              "parameter b=maybe is not a boolean (1/0, on/off)");
}
