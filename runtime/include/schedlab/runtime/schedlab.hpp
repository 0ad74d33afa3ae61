// Everything a program needs to run Gs on schedlab's runtime under the default (Go) policy:
//
//   #include "schedlab/runtime/schedlab.hpp"
//   using R = schedlab::GoRuntime;
//   int answer = R::run(2, [] { R::Chan<int> c; R::go([&] { c.send(42); }); return c.recv(); });
#pragma once

#include "schedlab/policies/bundles.hpp"
#include "schedlab/runtime/chan.hpp"
#include "schedlab/runtime/instantiated.hpp"
#include "schedlab/runtime/runtime.hpp"
#include "schedlab/runtime/select.hpp"
#include "schedlab/runtime/sync.hpp"
#include "schedlab/runtime/task_runtime.hpp"

namespace schedlab {

using rt::Options;
using rt::Runtime;
using rt::Stats;

// The runtime under Go's policy (compiled in the library, as is every bundle listed in
// instantiated.hpp).
using GoRuntime = rt::Runtime<policies::Go>;
static_assert(rt::TaskRuntime<GoRuntime>);

}  // namespace schedlab
