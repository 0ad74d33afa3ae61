// calibrate's kernel costs: what the workloads' own serial code costs per unit of work (a fib
// call, an nqueens call and task, a UTS node, a flop of matmul's leaf and of the cholesky
// tile's GEMM), with the clock read and the runtime's spin pause. The simulator charges these
// per unit of the work it simulates, so each is timed on the workload's code, not a stand-in.
#include <Eigen/Dense>
#include <chrono>
#include <cstdint>
#include <vector>

#include "calibrate_internal.hpp"
#include "schedlab/peers/serial.hpp"
#include "schedlab/runtime/spinlock.hpp"
#include "schedlab/workloads/grain.hpp"
#include "schedlab/workloads/matmul.hpp"
#include "schedlab/workloads/nqueens.hpp"
#include "schedlab/workloads/uts.hpp"

namespace schedlab::harness::calibration {

namespace {

std::uint64_t fib_serial(int n) { return n < 2 ? static_cast<std::uint64_t>(n) : fib_serial(n - 1) + fib_serial(n - 2); }

}  // namespace

// ---- Kernels -------------------------------------------------------------------------------

void measure_kernels(Measured& m, int reps) {
    constexpr int kFibN = 27;
    std::uint64_t calls = 0;
    for (std::uint64_t a = 1, b = 1, i = 1; i < kFibN; ++i) {  // calls of the naive recursion
        const std::uint64_t c = a + b + 1;
        a = b;
        b = c;
        calls = c;
    }
    volatile int n = kFibN;
    volatile std::uint64_t sink = 0;
    m.fib_call_ps = 1000.0 * per_unit(reps, double(calls), [&] { sink = fib_serial(n); });
    m.spin_ps = 1000.0 / workloads::spin_iters_per_ns();
    {
        const workloads::NQueens::Board b{11, 0, 0, 0, 0};
        const auto calls = static_cast<double>(workloads::NQueens::serial_calls(b));
        m.nqueens_call_ps = 1000.0 * per_unit(reps, calls, [&] { sink = workloads::NQueens::serial(b); });
        // The workload's own task body, each spawn a plain call (the serial-elision peer): a
        // task per node of the same tree, its frame's answers array, group and closures
        // included, which the bare search above has none of.
        workloads::Params p;
        p.set("n", "11");
        workloads::NQueens w(p);
        m.nqueens_task_ps = 1000.0 * per_unit(reps, calls, [&] {
            peers::Serial::run(1, [&] { w.template run<peers::Serial>(); });
            sink = w.check().ok;
        });
    }
    {
        // The matmul workload's default leaf (64) on its default matrices (512 x 512): blocks
        // are views with a leading dimension of 512, visited in turn as the recursion does.
        constexpr std::int64_t n = 512, b = 64, nb = n / b;
        std::vector<double> x, y, z(n * n, 0.0);
        workloads::matmul_detail::random_inputs(1, n, x, y);
        m.leaf_flop_ps = 1000.0 * per_unit(reps, 2.0 * n * n * n, [&] {
            for (std::int64_t i = 0; i < nb; ++i)
                for (std::int64_t j = 0; j < nb; ++j)
                    for (std::int64_t k = 0; k < nb; ++k)
                        workloads::matmul_detail::leaf_multiply(&z[(i + j * n) * b], n, &x[(i + k * n) * b], n,
                                                                &y[(k + j * n) * b], n, b, b, b);
        });
        sink = static_cast<std::uint64_t>(z[0] != 0);
    }
    {
        constexpr int kReads = 1 << 20;
        m.clock_read = per_unit(reps, kReads, [&] {
            for (int i = 0; i < kReads; ++i) sink = sink + static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
        });
    }
    {
        workloads::Params p;
        p.set("tree", "small");
        const workloads::Uts uts(p);
        const auto nodes = static_cast<double>(uts.tree().count_serial().nodes);
        m.uts_node = per_unit(reps, nodes, [&] { sink = uts.tree().count_serial().nodes; });
    }
    {
        constexpr int b = 128;  // the cholesky workload's default tile
        // One thread, as in the workload (cholesky.cpp is built without OpenMP). This file
        // is (it links the OpenMP peer), and Eigen would otherwise split the product over
        // OpenMP threads: half the time on a quiet machine, 80x it when pinned to one CPU.
        const int threads = Eigen::nbThreads();
        Eigen::setNbThreads(1);
        const Eigen::MatrixXd a = Eigen::MatrixXd::Random(b, b), c = Eigen::MatrixXd::Random(b, b);
        Eigen::MatrixXd out = Eigen::MatrixXd::Random(b, b);
        m.gemm_flop_ps = 1000.0 * per_unit(reps, 2.0 * b * b * b, [&] { out.noalias() -= a * c.transpose(); });
        sink = static_cast<std::uint64_t>(out(0, 0) != 0);
        Eigen::setNbThreads(threads);
    }
    {
        constexpr int kRelax = 1 << 16;  // the runtime's pause between steal passes: 32 cpu_relax
        m.spin_pause = 32.0 * per_unit(reps, kRelax, [] {
            for (int i = 0; i < kRelax; ++i) rt::cpu_relax();
        });
    }
}

}  // namespace schedlab::harness::calibration
