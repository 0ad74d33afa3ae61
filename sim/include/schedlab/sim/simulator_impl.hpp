// The simulator's machinery: included by the translation units that instantiate a bundle
// (sim/src/sim_bundles_*.cpp), or by code that instantiates its own bundle. The model and
// what it leaves out are described in simulator.hpp; each step names the runtime function it
// mirrors (runtime/include/schedlab/runtime/runtime_impl.hpp).
//
// The parts, in the order they are included (each with its invariants at its top):
//   impl/structures.hpp     free lists, the Gs' state array, a P's touch log, the event tree
//   impl/state.hpp          Simulator<Policy>::Impl: a run's state, and the list of its steps
//   impl/costs.hpp          charging costs, the locks, free stacks and G descriptors
//   impl/run_queues.hpp     the local and global run queues, making a G runnable
//   impl/running.hpp        a G through its strands: spawns, joins, signals, its end
//   impl/inline_joins.hpp   joins that run their queued children as calls
//   impl/find_runnable.hpp  findRunnable: the queues in the runtime's order, steal passes
//   impl/idle.hpp           spinning, parking and waking Ms
//   impl/event_loop.hpp     a P's step, the run (event loop, result), Simulator's members
// Include this header, not the parts: they are one class's definition split by concern.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "schedlab/sim/simulator.hpp"

#include "schedlab/sim/impl/structures.hpp"
#include "schedlab/sim/impl/state.hpp"
#include "schedlab/sim/impl/costs.hpp"
#include "schedlab/sim/impl/run_queues.hpp"
#include "schedlab/sim/impl/running.hpp"
#include "schedlab/sim/impl/inline_joins.hpp"
#include "schedlab/sim/impl/find_runnable.hpp"
#include "schedlab/sim/impl/idle.hpp"
#include "schedlab/sim/impl/event_loop.hpp"
