// cholesky: tiled Cholesky factorisation A = L L^T of an n x n symmetric positive definite
// matrix as a dependency DAG of tile tasks, with Eigen kernels on b x b tiles (T = n/b):
//   POTRF(k)     L_kk = chol(A_kk)
//   TRSM(i,k)    L_ik = A_ik L_kk^-T                      (i > k)
//   SYRK(i,k)    A_ii -= L_ik L_ik^T                      (i > k)
//   GEMM(i,j,k)  A_ij -= L_ik L_jk^T                      (i > j > k)
// A task depends on the tasks that wrote its inputs and on the previous update of the tile it
// writes; it is spawned by its last finishing predecessor (dag.hpp), so step k+1's panel starts
// while step k's trailing updates are still running. The task that first writes a tile copies
// it from the input, so a run never modifies the input and may be repeated.
//
// The matrix is generated from the seed when the workload is built (untimed): symmetric,
// off-diagonal entries uniform in [-1, 1], diagonal n + 1 (diagonally dominant, hence SPD).
// check() computes ||A - L L^T||_F / ||A||_F (one size-n rank-n update: about three times the
// flops of the factorisation) and requires it below kTolerance.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "schedlab/runtime/task_runtime.hpp"
#include "schedlab/workloads/dag.hpp"
#include "schedlab/workloads/dag_span.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

class Cholesky {
public:
    static constexpr const char* name = "cholesky";
    static constexpr const char* summary =
        "tiled Cholesky factorisation as a POTRF/TRSM/SYRK/GEMM task DAG (Eigen kernels)";
    static constexpr bool needs_channels = false;
    static std::span<const ParamSpec> params();
    // A backward-stable factorisation of this well-conditioned matrix leaves a relative
    // residual near machine epsilon (~1e-16); a wrong or missing tile update leaves one of order 1.
    static constexpr double kTolerance = 1e-10;

    explicit Cholesky(const Params& given);

    template <class R>
    void run() {
        potrf_ok_.assign(tiles_, 0);
        auto body = [this](std::uint32_t v) { run_task(tasks_[v]); };
        state_.run<R>(dag_, body, measure_ ? &times_ : nullptr);
        ran_ = true;
    }

    Result check() const;

    enum class Kind : std::uint8_t { Potrf, Trsm, Syrk, Gemm };
    // One tile task: it writes tile (i, j) at step k; `first` = the tile's first writer.
    struct Task {
        Kind kind;
        bool first;
        std::uint32_t i, j, k;
    };
    const Dag& dag() const { return dag_; }
    const std::vector<Task>& tasks() const { return tasks_; }

private:
    void run_task(const Task& t);  // the Eigen kernels, in cholesky.cpp
    double* tile(std::vector<double>& s, std::uint32_t i, std::uint32_t j) const;
    const double* tile(const std::vector<double>& s, std::uint32_t i, std::uint32_t j) const;

    std::uint32_t n_ = 0, b_ = 0, tiles_ = 0;  // tiles_ = T = n / b
    bool measure_ = false;
    // Lower tiles only, (i, j) with i >= j, each b x b column-major and contiguous.
    std::vector<double> input_;
    std::vector<double> work_;
    std::vector<std::uint8_t> potrf_ok_;  // per step k: 1 once POTRF(k) succeeded
    std::vector<Task> tasks_;
    Dag dag_;
    DagRunState state_;
    DagTimes times_;
    bool ran_ = false;
};

}  // namespace schedlab::workloads
