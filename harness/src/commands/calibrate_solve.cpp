// calibrate's solver and its cost file: the single costs the simulator charges, solved from
// the probes' figures (Measured), and the file's text, each `key = value` line after a comment
// saying how its value was found (or that it is the default). Nothing here measures or writes
// a file; the figures come in, the costs and the text go out.
//
// The runtime-level figures are composites, so the single costs are solved from them, in the
// same terms the simulator charges them (sim/include/schedlab/sim/cost_model.hpp):
//   spawn then join on 1 P:     J  = spawn + 2 local_op + 2 switch + ready
//   spawnwait (go f(); <-done): W  = J + 2 chan_op
//   unbuffered ping-pong:       PP = 2 (switch + local_op + ready) + 4 chan_op
//   yield of one G on 1 P:      Y  = 2 global_op + switch + the yield's own path
//   spawn storm on 1 P, per G:  S  = spawn + fresh_g + local_op + switch
//   spawn then join on 2 Ps, the other kept busy: J2 = J + 2 shared_put
// with local_op and global_op measured directly. W - J gives chan_op, PP then switch + ready,
// J spawn; Y bounds switch from above. In J and W the child reuses the stack and descriptor
// the previous one freed; in S 200 000 Gs are live at once, so S over spawn is fresh_g.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "calibrate_internal.hpp"
#include "schedlab/harness/meta.hpp"
#include "schedlab/runtime/constants.hpp"
#include "schedlab/sim/cost_model.hpp"

namespace schedlab::harness::calibration {

namespace {

std::uint64_t round_ns(double x) { return static_cast<std::uint64_t>(std::max(0.0, x) + 0.5); }

}  // namespace

sim::CostModel solve_costs(const Measured& m) {
    sim::CostModel c;
    // The equations at the top. At 1 P the split of a G's round trip between switch and ready
    // cannot be told apart: ping-pong fixes their sum, the yield bounds switch from above (it
    // adds the yield's own path). Switch takes the bound, capped by the sum; ready the rest.
    const double chan = std::max(0.0, (m.spawn_wait - m.spawn_join) / 2.0);
    const double sum = std::max(0.0, m.ping_pong / 2.0 - m.local_op - 2.0 * chan);
    const double sw = std::min(std::max(0.0, m.yield - 2 * m.global_op), sum);
    const double spawn = std::max(0.0, m.spawn_join - 2.0 * m.local_op - sw - sum);
    c.local_op_ns = round_ns(m.local_op);
    c.global_op_ns = round_ns(m.global_op);
    c.switch_ns = round_ns(sw);
    c.spawn_ns = round_ns(spawn);
    c.fresh_g_ns = round_ns(std::max(0.0, m.spawn_storm - spawn - m.local_op - sw));
    c.ready_ns = round_ns(sum - sw);
    c.chan_op_ns = round_ns(chan);
    c.steal_attempt_ns = round_ns(m.steal_attempt);
    c.steal_per_g_ns = round_ns(m.steal_per_g);
    c.wake_ns = round_ns(m.wake);
    c.unpark_latency_ns = round_ns(m.unpark);
    c.spin_pause_ns = round_ns(m.spin_pause);
    if (m.migrate >= 0) c.migrate_ns = round_ns(m.migrate);
    if (m.remote_done >= 0) c.remote_done_ns = round_ns(m.remote_done);
    c.shared_put_ns = round_ns(m.shared_put);
    c.pause_jitter_ns = round_ns(m.pause_jitter);
    c.clock_read_ns = round_ns(m.clock_read);
    c.nqueens_call_ps = round_ns(m.nqueens_call_ps);
    c.nqueens_task_ps = round_ns(m.nqueens_task_ps);
    c.leaf_flop_ps = round_ns(m.leaf_flop_ps);
    {
        std::uint64_t* reuse[] = {&c.reuse_64_ns, &c.reuse_256_ns, &c.reuse_1024_ns, &c.reuse_4096_ns,
                                  &c.reuse_16384_ns, &c.reuse_65536_ns};
        std::size_t i = 0;
        for (const auto& [k, ns] : m.ws_curve)
            if (k >= 64 && i < std::size(reuse)) *reuse[i++] = round_ns(ns - m.ws_curve.front().second);
    }
    c.fib_call_ps = round_ns(m.fib_call_ps);
    c.spin_ps_per_iter = round_ns(m.spin_ps);
    c.uts_node_ns = round_ns(m.uts_node);
    c.gemm_flop_ps = round_ns(m.gemm_flop_ps);
    c.runnext_steal_pause_ns = rt::kRunnextStealPauseNs;
    c.spin_ns = rt::kDefaultSpinNs;
    c.time_slice_ns = rt::kTimeSliceNs;
    c.slice_check_every = rt::kSliceCheckEvery;
    return c;
}

std::string cost_file_text(const sim::CostModel& c, const Measured& m, int reps, std::int64_t gs, int cpu,
                           const std::vector<CpuSpeed>& speeds) {
    char date[64];
    const std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
    char buf[1024];
    std::string text = "# schedlab simulator cost model, measured by `schedlab calibrate`\n";
    text += std::string("# date: ") + date + "\n# cpu: " + cpu_model() + " (" +
            std::to_string(std::thread::hardware_concurrency()) + " CPUs)\n";
    std::snprintf(buf, sizeof buf, "# medians of %d timed runs after a warm-up; runtime runs of %lld Gs on 1 P.\n",
                  reps, static_cast<long long>(gs));
    text += buf;
    text += "# one-thread figures measured on " + (cpu >= 0 ? "CPU " + std::to_string(cpu) : std::string("any CPU")) +
            "; CPU speeds, ns per step of a load-add-store loop / per dependent load over 64 MiB:";
    for (const auto& s : speeds) {
        std::snprintf(buf, sizeof buf, " cpu%d %.3f/%.0f", s.cpu, s.loop_step_ns, s.mem_load_ns);
        text += buf;
    }
    text += "\n";
    std::snprintf(buf, sizeof buf,
                  "# measured: spawn storm %.1f ns/G, spawn+join %.1f ns/iteration, spawnwait %.1f ns/round,\n"
                  "#   yield %.1f ns, ring pop %.1f ns, locked global-queue op %.1f ns;\n"
                  "#   steal %.1f ns per attempt + %.2f ns per G (cross-thread);\n"
                  "#   futex wake %.0f ns in the waker, %.0f ns wake-to-run; across cores: a G's lines %.0f ns,\n"
                  "#   a join counter's RMW %.0f ns (-1: one CPU, not measured); runnext CAS %.1f ns;\n"
                  "#   spawn+join on 2 Ps, the other busy, %.1f ns more than on 1 P (-1: not measured); a parked\n"
                  "#   fork-join G has %zu cache lines of stack in use; ping-pong round trip %.1f ns;\n#   clock read %.1f ns\n",
                  m.spawn_storm, m.spawn_join, m.spawn_wait, m.yield, m.local_op, m.global_op, m.steal_attempt, m.steal_per_g,
                  m.wake, m.unpark, m.migrate, m.remote_done, m.runnext_cas, m.shared_mode, m.stack_lines, m.ping_pong,
                  m.clock_read);
    text += buf;
    text += "# ns per turn (fork, join, yield) with K Gs in turn:";
    for (const auto& [k, ns] : m.ws_curve) {
        std::snprintf(buf, sizeof buf, " %.0f:%.1f", k, ns);
        text += buf;
    }
    text += "\n";
    auto how = [&m](const std::string& key) -> const char* {
        if (key == "spawn_ns") return "spawn+join - 2 x ring pop - switch - (switch + ready)";
        if (key == "fresh_g_ns") return "spawn storm per G - spawn - ring pop - switch";
        if (key == "ready_ns") return "ping-pong round trip / 2 - ring pop - 2 x chan_op - switch";
        if (key == "switch_ns")
            return "min(yield of one G on 1 P - 2 locked global-queue ops, ping-pong round trip / 2 - ring pop - "
                   "2 x chan_op)";
        if (key == "local_op_ns") return "LocalRunQueue put_tail + pop_head loop, half of a pair";
        if (key == "global_op_ns") return "SpinLock lock + GList push or pop + unlock";
        if (key == "steal_attempt_ns") return "steal_from a queue another thread just filled, 1 G moved, less one G";
        if (key == "steal_per_g_ns") return "steal_from of 32 Gs minus of 1 G, over 31";
        if (key == "wake_ns") return "Note::wakeup with a thread asleep on it, time in the call";
        if (key == "unpark_latency_ns") return "half the round trip of two threads waking each other through Notes";
        if (key == "spin_pause_ns") return "32 cpu_relax, timed in a loop";
        if (key == "migrate_ns")
            return m.migrate >= 0 ? "G descriptor + a parked fork-join G's stack lines visited after another CPU "
                                    "wrote them, less after this CPU did (random chained order)"
                                  : nullptr;
        if (key == "remote_done_ns")
            return m.remote_done >= 0 ? "locked decrement of a counter another CPU last wrote, less one this CPU did"
                                      : nullptr;
        if (key == "shared_put_ns")
            return m.shared_mode >= 0 ? "(spawn+join on 2 Ps with the other P busy - spawn+join on 1 P) / 2"
                                      : "LocalRunQueue::swap_runnext shared (CAS) less unshared";
        if (key == "chan_op_ns")
            return "(spawnwait round - spawn+join) / 2: the loops differ by a send and a receive";
        if (key == "clock_read_ns") return "std::chrono::steady_clock::now() in a loop";
        if (key == "pause_jitter_ns")
            return "4 x median absolute deviation of the spawnwait loop's time over one runnext-steal pause, 1 P";
        if (key == "nqueens_call_ps") return "nqueens' serial search of an 11 x 11 board, per call, in ps";
        if (key == "nqueens_task_ps") return "nqueens(11) through the serial-elision peer (spawn = call), per task, in ps";
        if (key == "leaf_flop_ps") return "matmul's leaf product, 64 x 64 blocks of 512 x 512 matrices, per flop, in ps";
        if (key.rfind("reuse_", 0) == 0) return "a turn (fork, join, yield) among K Gs on 1 P, less with 1 G (curve above)";
        if (key == "fib_call_ps") return "serial naive fib(27), per call, in ps";
        if (key == "spin_ps_per_iter") return "workloads::spin_iters_per_ns, inverted, in ps";
        if (key == "uts_node_ns") return "serial traversal of the UTS tree 'small', per node";
        if (key == "gemm_flop_ps") return "Eigen 128x128 tile GEMM (C -= A B^T), per flop, in ps";
        if (key == "runnext_steal_pause_ns" || key == "spin_ns" || key == "time_slice_ns" ||
            key == "slice_check_every")
            return "the runtime's constant (constants.hpp)";
        return nullptr;
    };
    sim::for_each_cost(c, [&](const char* name, std::uint64_t v, const char* source) {
        const char* h = how(name);
        text += std::string("# ") + (h ? std::string("measured: ") + h : std::string("default: ") + source) + "\n";
        text += std::string(name) + " = " + std::to_string(v) + "\n";
    });
    return text;
}

}  // namespace schedlab::harness::calibration
