// The flow workloads across two Ps, repeated: under ThreadSanitizer this checks that the DAG
// execution's hand-over of node outputs (counter release/acquire, then spawn) and the
// workloads' per-G result slots are free of data races; in every build, that the answers
// stay right run after run on one Runtime.
#include <gtest/gtest.h>

#include <string>

#include "schedlab/runtime/schedlab.hpp"
#include "schedlab/workloads/all.hpp"

namespace {

using namespace schedlab::workloads;
using R = schedlab::GoRuntime;

#if defined(__SANITIZE_THREAD__)
constexpr int kReps = 3;
#else
constexpr int kReps = 20;
#endif

template <class W>
void repeat_on_two_ps(const char* params) {
    schedlab::Options o;
    o.procs = 2;
    R rt(o);
    W w(Params::parse(params));
    for (int rep = 0; rep < kReps; ++rep) {
        rt.run([&] { w.template run<R>(); });
        const Result r = w.check();
        ASSERT_TRUE(r.ok) << W::name << " run " << rep << ": " << r.detail;
    }
}

TEST(FlowWorkloadsStress, RandDagStaysRightAcrossRuns) {
    repeat_on_two_ps<RandDag>("width=32;depth=16;fanin=4;grain=100;measure=1");
}

TEST(FlowWorkloadsStress, CholeskyStaysRightAcrossRuns) { repeat_on_two_ps<Cholesky>("n=128;tile=16"); }

TEST(FlowWorkloadsStress, FanOutStaysRightAcrossRuns) { repeat_on_two_ps<FanOut>("waves=4;n=500;grain=10"); }

TEST(FlowWorkloadsStress, SpawnStormStaysRightAcrossRuns) { repeat_on_two_ps<SpawnStorm>("n=5000"); }

TEST(FlowWorkloadsStress, PipelineStaysRightAcrossRuns) {
    for (const char* p : {"messages=2000;workers=4;cap=0", "messages=2000;workers=4;cap=2"})
        repeat_on_two_ps<Pipeline>(p);
}

TEST(FlowWorkloadsStress, PingPongStaysRightAcrossRuns) {
    for (const char* p : {"pairs=4;messages=500;cap=0", "pairs=4;messages=500;cap=1"}) repeat_on_two_ps<PingPong>(p);
}

}  // namespace
