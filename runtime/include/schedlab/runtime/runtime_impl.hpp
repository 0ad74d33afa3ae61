// The scheduler's machinery: included only by the translation unit that instantiates a
// bundle (runtime/src/runtime_<bundle>.cpp), never by user code. Its parts, in the order a
// G meets them:
//   impl/lifecycle.hpp  a run (Ps, Ms, launch, finish) and a G's (free lists, spawn)
//   impl/queues.hpp     local and global run queues, and the inline join's own-child take
//   impl/idle.hpp       find_runnable, spinning, stealing, parking and waking Ms (the
//                       no-lost-wake-up protocol is described at its top)
//   impl/switch.hpp     switching between Gs, park / ready / yield
//   impl/syscall.hpp    blocking calls, idle Ms, sysmon
//   impl/timers.hpp     sleeping Gs and after() channels in per-P timer heaps
#pragma once

#include "schedlab/runtime/impl/lifecycle.hpp"
#include "schedlab/runtime/impl/queues.hpp"
#include "schedlab/runtime/impl/idle.hpp"
#include "schedlab/runtime/impl/switch.hpp"
#include "schedlab/runtime/impl/syscall.hpp"
#include "schedlab/runtime/impl/timers.hpp"
