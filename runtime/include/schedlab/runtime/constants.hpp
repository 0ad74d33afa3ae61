// The numbers that shape the runtime, in one place, each with where it comes from.
#pragma once

#include <cstddef>
#include <cstdint>

namespace schedlab::rt {

// Per-P run queue ring. Go: runq [256]guintptr in runtime2.go's p struct.
inline constexpr std::uint32_t kRunQueueSize = 256;
// runqputslow moves half the ring to the global queue when it is full, plus the new G, so a
// spawning loop takes the global lock once per 128 spawns.
inline constexpr std::uint32_t kOverflowBatch = kRunQueueSize / 2;
// globrunqget never moves more than half a ring into a P, leaving room for local spawns.
inline constexpr std::uint32_t kGlobalGrabMax = kRunQueueSize / 2;
// Before stealing a running victim's runnext, a thief waits this long so the victim can run
// it first (Go: usleep(3) in runqgrab); without it a ping-pong pair would be torn apart.
inline constexpr std::uint64_t kRunnextStealPauseNs = 3'000;

// A G readied through runnext inherits the time slice of the G that readied it, so a pair
// handing a value back and forth would keep its P forever; Go ends such a slice after 10 ms
// (sysmon's forcePreemptNS). schedlab has no sysmon: the P looks at the clock every
// kSliceCheckEvery inherited switches and, once the slice is older than kTimeSliceNs, sends
// the runnext G to the ring's tail and takes the ring's head instead.
inline constexpr std::uint64_t kTimeSliceNs = 10'000'000;
inline constexpr std::uint32_t kSliceCheckEvery = 64;

// sysmon (impl/syscall.hpp) takes its rhythm and preemption threshold from the bundle
// (policies/sysmon.hpp, Go's by default). It retakes a P from a blocking call it has seen in
// two rounds in a row (so at least one tick old) when the P has work or nobody else is idle
// or spinning, and any P whose call it first saw more than kSyscallRetakeAnywayNs ago (Go: 10 ms).
inline constexpr std::uint64_t kSyscallRetakeAnywayNs = 10'000'000;

// A timer that fires more than this after its due time counts as late (Stats::timers_late).
inline constexpr std::uint64_t kTimerLateNs = 1'000'000;

// Stack of a G: virtual size reserved per G (only touched pages cost memory) and the guard
// page below it. 64 KiB is ample for scheduler-bound code; Options::stack_size changes it.
inline constexpr std::size_t kDefaultStackSize = 64 * 1024;
inline constexpr std::size_t kPageSize = 4096;
// Stacks are carved from slabs of this many, one mmap per slab.
inline constexpr std::size_t kStacksPerSlab = 64;
// Stack colouring. Stacks sit a whole number of pages apart, so without an offset every
// stack's top lines (its header and a parked G's frames, 6 lines for a fork-join G) fall in
// the same 6 of the L1's 64 sets (and of each page-sized slice of the L2's): in a 12-way L1
// (this machine's) a dozen parked Gs evict each other although it could hold a hundred. Stack i's header sits
// (i mod kStackColours) x kStackColourStep bytes below its region's top, so 8 consecutive
// stacks tile 48 sets. The deepest colour still leaves 1.4 KiB of the top page below the
// header (a parked fork-join G uses 320 bytes), so a small G still touches one page.
// fib(25) spawn=both on 1 P, 13 alternating runs of 5: 5-10% faster (11 of 13); nqueens,
// uts, fib spawn=one, matmul, 2-P fib and nqueens: within the noise.
inline constexpr std::size_t kStackColours = 8;
inline constexpr std::size_t kStackColourStep = 6 * 64;
static_assert((kStackColours - 1) * kStackColourStep + 1024 <= kPageSize);
// Each guard page splits a mapping into two VMAs; Linux caps a process at vm.max_map_count
// (65530 by default), so guards are given to the first stacks only, leaving this many
// mappings for everything else in the process. An unguarded stack's overflow goes undetected.
inline constexpr std::size_t kMapCountReserve = 8192;
// Per-P caches of free stacks and free Gs (arrays of pointers); a full cache gives its older
// half to the runtime-wide pool, an empty one refills with one batch (Go's stackcache/gFree).
inline constexpr std::size_t kPerPCacheMax = 64;
inline constexpr std::size_t kCacheBatch = 32;
// Gs are allocated in slabs of this many and never returned to the OS during a run.
inline constexpr std::size_t kGsPerSlab = 256;

// How long a spinning M keeps looking for work to steal before it parks. Go makes one pass of
// 4 rounds, but its runnext pause (usleep(3), ~50 us on Linux) keeps a spinner alive for tens
// of microseconds; schedlab spins for a fixed, documented time instead.
inline constexpr std::uint64_t kDefaultSpinNs = 50'000;

// A sane upper bound on Ps (the harness checks user input against it).
inline constexpr int kMaxProcs = 1024;

}  // namespace schedlab::rt
