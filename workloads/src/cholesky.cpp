#include "schedlab/workloads/cholesky.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include "schedlab/workloads/grain.hpp"

namespace schedlab::workloads {

namespace {

constexpr std::array<ParamSpec, 4> kSpecs{{
    {"n", "1024", "matrix order (a multiple of tile)"},
    {"tile", "128", "tile order b: tasks work on b x b tiles"},
    {"seed", "1", "seed of the matrix"},
    {"measure", "0", "1: measure each task and report work_ns, span_ns, parallelism"},
}};

// Above this many tiles per side the DAG has millions of tiny tasks (about T^3/6).
constexpr std::int64_t kMaxTiles = 256;

using Tile = Eigen::Map<Eigen::MatrixXd>;
using ConstTile = Eigen::Map<const Eigen::MatrixXd>;

// The four tile kernels. They run on G stacks (64 KiB by default); Eigen's product kernels
// would put packing buffers of up to EIGEN_STACK_ALLOCATION_LIMIT bytes on the stack, which is
// why schedlab_workloads lowers that limit for every target that uses it (CMakeLists.txt).
bool potrf(double* akk, Eigen::Index b) {
    Tile a(akk, b, b);
    Eigen::LLT<Eigen::Ref<Eigen::MatrixXd>> llt(a);  // in place: the lower triangle becomes L
    return llt.info() == Eigen::Success;
}
void trsm(const double* lkk, double* aik, Eigen::Index b) {
    Tile x(aik, b, b);
    ConstTile l(lkk, b, b);
    l.transpose().triangularView<Eigen::Upper>().solveInPlace<Eigen::OnTheRight>(x);  // X L^T = A
}
void syrk(const double* lik, double* aii, Eigen::Index b) {
    Tile c(aii, b, b);
    c.selfadjointView<Eigen::Lower>().rankUpdate(ConstTile(lik, b, b), -1.0);
}
void gemm(const double* lik, const double* ljk, double* aij, Eigen::Index b) {
    Tile c(aij, b, b);
    c.noalias() -= ConstTile(lik, b, b) * ConstTile(ljk, b, b).transpose();
}

std::size_t tile_index(std::uint32_t i, std::uint32_t j) { return std::size_t{i} * (i + 1) / 2 + j; }

}  // namespace

std::span<const ParamSpec> Cholesky::params() { return kSpecs; }

double* Cholesky::tile(std::vector<double>& s, std::uint32_t i, std::uint32_t j) const {
    return s.data() + tile_index(i, j) * b_ * b_;
}
const double* Cholesky::tile(const std::vector<double>& s, std::uint32_t i, std::uint32_t j) const {
    return s.data() + tile_index(i, j) * b_ * b_;
}

Cholesky::Cholesky(const Params& given) {
    const Params p = given.with_defaults(name, kSpecs);
    n_ = static_cast<std::uint32_t>(p.get_int("n", 1, 8192));
    b_ = static_cast<std::uint32_t>(p.get_int("tile", 1, 4096));
    if (n_ % b_ != 0)
        throw ParamError("cholesky: n=" + std::to_string(n_) + " is not a multiple of tile=" + std::to_string(b_));
    tiles_ = n_ / b_;
    if (tiles_ > kMaxTiles)
        throw ParamError("cholesky: n/tile = " + std::to_string(tiles_) + " tiles per side is more than " +
                         std::to_string(kMaxTiles));
    const auto seed = static_cast<std::uint64_t>(p.get_int("seed", 0, INT64_MAX));
    measure_ = p.get_bool("measure");

    // The input, lower tiles only. Entry (r, c), r > c, depends on (seed, r, c) alone.
    const std::size_t ntiles = std::size_t{tiles_} * (tiles_ + 1) / 2;
    input_.assign(ntiles * b_ * b_, 0.0);
    work_.assign(input_.size(), 0.0);
    for (std::uint32_t ti = 0; ti < tiles_; ++ti)
        for (std::uint32_t tj = 0; tj <= ti; ++tj) {
            double* t = tile(input_, ti, tj);
            for (std::uint32_t c = 0; c < b_; ++c)
                for (std::uint32_t r = 0; r < b_; ++r) {
                    const std::uint64_t gr = std::uint64_t{ti} * b_ + r, gc = std::uint64_t{tj} * b_ + c;
                    double v = 0;
                    if (gr == gc)
                        v = n_ + 1.0;
                    else if (gr > gc)
                        v = 2.0 * static_cast<double>(mix64(seed ^ mix64(gr * n_ + gc)) >> 11) * 0x1.0p-53 - 1.0;
                    else  // upper part of a diagonal tile: the mirror entry
                        v = 2.0 * static_cast<double>(mix64(seed ^ mix64(gc * n_ + gr)) >> 11) * 0x1.0p-53 - 1.0;
                    t[std::size_t{c} * b_ + r] = v;
                }
        }

    // The task graph in the order of the sequential right-looking algorithm, which is a
    // topological order. last[t] is the task that last wrote tile t: a task depends on it
    // (the update chain of its own tile) and on the tasks that produced the tiles it reads.
    std::vector<std::int64_t> last(ntiles, -1);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    const auto add = [&](Kind kind, std::uint32_t i, std::uint32_t j, std::uint32_t k,
                         std::initializer_list<std::uint32_t> reads) {
        const auto id = static_cast<std::uint32_t>(tasks_.size());
        std::int64_t& prev = last[tile_index(i, j)];
        if (prev >= 0) edges.emplace_back(static_cast<std::uint32_t>(prev), id);
        for (const std::uint32_t r : reads) edges.emplace_back(r, id);
        tasks_.push_back(Task{kind, prev < 0, i, j, k});
        prev = id;
        return id;
    };
    std::vector<std::uint32_t> trsm_of(tiles_);
    for (std::uint32_t k = 0; k < tiles_; ++k) {
        const std::uint32_t pk = add(Kind::Potrf, k, k, k, {});
        for (std::uint32_t i = k + 1; i < tiles_; ++i) trsm_of[i] = add(Kind::Trsm, i, k, k, {pk});
        for (std::uint32_t i = k + 1; i < tiles_; ++i) {
            add(Kind::Syrk, i, i, k, {trsm_of[i]});
            for (std::uint32_t j = k + 1; j < i; ++j) add(Kind::Gemm, i, j, k, {trsm_of[i], trsm_of[j]});
        }
    }
    dag_ = Dag(static_cast<std::uint32_t>(tasks_.size()), std::move(edges));
    state_ = DagRunState(dag_);
    potrf_ok_.assign(tiles_, 0);
}

void Cholesky::run_task(const Task& t) {
    const auto b = static_cast<Eigen::Index>(b_);
    double* out = tile(work_, t.i, t.j);
    if (t.first) std::memcpy(out, tile(input_, t.i, t.j), sizeof(double) * b_ * b_);
    switch (t.kind) {
        case Kind::Potrf:
            potrf_ok_[t.k] = potrf(out, b) ? 1 : 0;
            break;
        case Kind::Trsm:
            trsm(tile(work_, t.k, t.k), out, b);
            break;
        case Kind::Syrk:
            syrk(tile(work_, t.i, t.k), out, b);
            break;
        case Kind::Gemm:
            gemm(tile(work_, t.i, t.k), tile(work_, t.j, t.k), out, b);
            break;
    }
}

Result Cholesky::check() const {
    Result r;
    r.tasks = ran_ ? tasks_.size() : 0;
    double residual = -1;
    if (!ran_) {
        r.detail = "not run";
    } else {
        // Dense A (lower triangle) and L from the tiles.
        const Eigen::Index n = n_, b = b_;
        Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n, n), l = Eigen::MatrixXd::Zero(n, n);
        for (std::uint32_t ti = 0; ti < tiles_; ++ti)
            for (std::uint32_t tj = 0; tj <= ti; ++tj) {
                a.block(ti * b, tj * b, b, b) = ConstTile(tile(input_, ti, tj), b, b);
                l.block(ti * b, tj * b, b, b) = ConstTile(tile(work_, ti, tj), b, b);
            }
        a = a.triangularView<Eigen::Lower>();
        l = l.triangularView<Eigen::Lower>();
        // ||A||_F and ||A - L L^T||_F from lower triangles: off-diagonal entries count twice.
        const auto sym_norm = [](const Eigen::MatrixXd& m) {
            const double diag = m.diagonal().squaredNorm();
            return std::sqrt(2.0 * (m.squaredNorm() - diag) + diag);
        };
        const double a_norm = sym_norm(a);
        Eigen::MatrixXd diff = a;
        diff.selfadjointView<Eigen::Lower>().rankUpdate(l, -1.0);
        diff = diff.triangularView<Eigen::Lower>();
        residual = sym_norm(diff) / a_norm;
        std::size_t failed = 0;
        for (const auto ok : potrf_ok_) failed += ok == 0;
        r.ok = failed == 0 && residual < kTolerance;  // false for a NaN residual too
        char buf[160];
        std::snprintf(buf, sizeof buf, "||A - L L^T|| / ||A|| = %.3g (tolerance %.0e), %zu POTRF failed", residual,
                      kTolerance, failed);
        r.detail = buf;
    }
    char res[32];
    std::snprintf(res, sizeof res, "%.3e", residual);
    r.extra.emplace_back("residual", ran_ ? res : "");
    r.extra.emplace_back("tiles", std::to_string(tiles_));
    std::optional<WorkSpan> ws;
    if (ran_ && measure_) ws = work_and_span(dag_, times_.durations());
    append_work_span(r, ws);
    return r;
}

}  // namespace schedlab::workloads
