// matmul's Eigen parts (see matmul.hpp): the leaf product, the inputs and the reference.
#include <Eigen/Core>
#include <random>

#include "schedlab/workloads/matmul.hpp"

namespace schedlab::workloads::matmul_detail {

namespace {
using Block = Eigen::Map<Eigen::MatrixXd, 0, Eigen::OuterStride<>>;
using ConstBlock = Eigen::Map<const Eigen::MatrixXd, 0, Eigen::OuterStride<>>;
}  // namespace

void leaf_multiply(double* c, Index ldc, const double* a, Index lda, const double* b, Index ldb,
                   Index m, Index k, Index q) {
    Block cb(c, m, q, Eigen::OuterStride<>(ldc));
    const ConstBlock ab(a, m, k, Eigen::OuterStride<>(lda));
    const ConstBlock bb(b, k, q, Eigen::OuterStride<>(ldb));
    // Coefficient-based: no packing buffers on the (small) task stack.
    cb.noalias() += ab.lazyProduct(bb);
}

void random_inputs(std::uint64_t seed, Index n, std::vector<double>& a, std::vector<double>& b) {
    std::mt19937_64 gen(seed);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    const auto size = static_cast<std::size_t>(n * n);
    a.resize(size);
    b.resize(size);
    for (double& x : a) x = u(gen);
    for (double& x : b) x = u(gen);
}

std::vector<double> reference_product(const std::vector<double>& a, const std::vector<double>& b,
                                      Index n) {
    std::vector<double> c(static_cast<std::size_t>(n * n));
    Eigen::Map<Eigen::MatrixXd>(c.data(), n, n).noalias() =
        Eigen::Map<const Eigen::MatrixXd>(a.data(), n, n) *
        Eigen::Map<const Eigen::MatrixXd>(b.data(), n, n);
    return c;
}

}  // namespace schedlab::workloads::matmul_detail
