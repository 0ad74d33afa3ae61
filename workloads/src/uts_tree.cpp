// UTS tree generation (see uts_tree.hpp for the rules) on OpenSSL's SHA-1.
//
// The low-level SHA1_Init/Update/Final calls are deprecated in OpenSSL 3 in favour of EVP, but
// EVP's one-shot path fetches the algorithm from the provider store on every call (a lock and
// an allocation per node); UTS hashes once per node, so the direct calls are kept.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "schedlab/workloads/uts_tree.hpp"

namespace schedlab::workloads::uts {

namespace {

static_assert(SHA_DIGEST_LENGTH == 20);

void put_be32(std::uint8_t* out, std::uint32_t v) {
    out[0] = static_cast<std::uint8_t>(v >> 24);
    out[1] = static_cast<std::uint8_t>(v >> 16);
    out[2] = static_cast<std::uint8_t>(v >> 8);
    out[3] = static_cast<std::uint8_t>(v);
}

// The node's random number in [0, 2^31) and as a probability in [0, 1).
std::int32_t node_rand(const Node& n) {
    const std::uint32_t v = (std::uint32_t{n.state[16]} << 24) | (std::uint32_t{n.state[17]} << 16) |
                            (std::uint32_t{n.state[18]} << 8) | std::uint32_t{n.state[19]};
    return static_cast<std::int32_t>(v & 0x7fffffffu);
}
double node_prob(const Node& n) { return static_cast<double>(node_rand(n)) / 2147483648.0; }

constexpr double kPi = 3.141592653589793;

Config geometric(Shape a, int d, double b, int r) {
    Config c;
    c.type = TreeType::Geometric;
    c.shape = a;
    c.gen_mx = d;
    c.b0 = b;
    c.root_seed = r;
    return c;
}

Config binomial(double b, double q, int m, int r) {
    Config c;
    c.type = TreeType::Binomial;
    c.b0 = b;
    c.q = q;
    c.m = m;
    c.root_seed = r;
    return c;
}

Config hybrid(Shape a, int d, double b, int r, double q, int m) {
    Config c = geometric(a, d, b, r);
    c.type = TreeType::Hybrid;
    c.q = q;
    c.m = m;
    return c;
}

// Counts from the UTS distribution's sample_trees.sh (checked against several copies of it);
// "small" is the reference's default tree, 1732 nodes and 1050 leaves as recorded in the
// result checks of UTS ports.
const Preset kPresets[] = {
    {"small", "reference defaults: geometric, linear, d=6, b=4, r=0", Config{}, 1732, 1050,
     std::nullopt},
    {"T1", "geometric fixed: -t 1 -a 3 -d 10 -b 4 -r 19", geometric(Shape::Fixed, 10, 4, 19),
     4130071, 3305118, 10},
    {"T2", "geometric cyclic: -t 1 -a 2 -d 16 -b 6 -r 502", geometric(Shape::Cyclic, 16, 6, 502),
     4117769, 2342762, 81},
    {"T3", "binomial: -t 0 -b 2000 -q 0.124875 -m 8 -r 42", binomial(2000, 0.124875, 8, 42),
     4112897, 3599034, 1572},
    {"T4", "hybrid: -t 2 -a 0 -d 16 -b 6 -r 1 -q 0.234375 -m 4",
     hybrid(Shape::Linear, 16, 6, 1, 0.234375, 4), 4132453, 3108986, 134},
    {"T5", "geometric linear: -t 1 -a 0 -d 20 -b 4 -r 34", geometric(Shape::Linear, 20, 4, 34),
     4147582, 2181318, 20},
    {"T1L", "geometric fixed, large: -t 1 -a 3 -d 13 -b 4 -r 29",
     geometric(Shape::Fixed, 13, 4, 29), 102181082, 81746377, 13},
    {"T2L", "geometric cyclic, large: -t 1 -a 2 -d 23 -b 7 -r 220",
     geometric(Shape::Cyclic, 23, 7, 220), 96793510, 53791152, 67},
    {"T3L", "binomial, large: -t 0 -b 2000 -q 0.200014 -m 5 -r 7", binomial(2000, 0.200014, 5, 7),
     111345631, 89076904, 17844},
};

}  // namespace

std::span<const Preset> presets() { return kPresets; }

const Preset* find_preset(std::string_view name) {
    for (const Preset& p : kPresets)
        if (name == p.name) return &p;
    return nullptr;
}

Node Tree::root() const {
    std::uint8_t seed[20] = {};
    put_be32(seed + 16, static_cast<std::uint32_t>(c_.root_seed));
    Node n;
    SHA1(seed, sizeof seed, n.state.data());
    n.height = 0;
    return n;
}

Node Tree::child(const Node& parent, int i) const {
    Node c;
    c.height = parent.height + 1;
    std::uint8_t index[4];
    put_be32(index, static_cast<std::uint32_t>(i));
    for (int k = 0; k < c_.granularity; ++k) {
        SHA_CTX ctx;
        SHA1_Init(&ctx);
        SHA1_Update(&ctx, parent.state.data(), parent.state.size());
        SHA1_Update(&ctx, index, sizeof index);
        SHA1_Final(c.state.data(), &ctx);
    }
    return c;
}

int Tree::geometric_children(const Node& n) const {
    double b = c_.b0;
    const int h = n.height;
    const double d = static_cast<double>(c_.gen_mx);
    if (h > 0) {
        switch (c_.shape) {
            case Shape::Exponential:
                b = c_.b0 * std::pow(static_cast<double>(h), -std::log(c_.b0) / std::log(d));
                break;
            case Shape::Cyclic:
                b = h > 5 * c_.gen_mx ? 0.0 : std::pow(c_.b0, std::sin(2.0 * kPi * h / d));
                break;
            case Shape::Fixed:
                b = h < c_.gen_mx ? c_.b0 : 0.0;
                break;
            case Shape::Linear:
                b = c_.b0 * (1.0 - static_cast<double>(h) / d);
                break;
        }
    }
    const double p = 1.0 / (1.0 + b);
    const double u = node_prob(n);
    return static_cast<int>(std::floor(std::log(1.0 - u) / std::log(1.0 - p)));
}

int Tree::num_children(const Node& n) const {
    int k = 0;
    const bool geometric_here =
        c_.type == TreeType::Geometric ||
        (c_.type == TreeType::Hybrid && n.height < c_.shift_depth * c_.gen_mx);
    if (c_.type == TreeType::Balanced) {
        return n.height < c_.gen_mx ? static_cast<int>(c_.b0) : 0;
    } else if (geometric_here) {
        k = geometric_children(n);
    } else if (c_.type == TreeType::Binomial && n.height == 0) {
        k = static_cast<int>(std::floor(c_.b0));
    } else {
        k = node_prob(n) < c_.q ? c_.m : 0;
    }
    if (c_.type == TreeType::Binomial && n.height == 0) {
        const int cap = static_cast<int>(std::ceil(c_.b0));
        return k > cap ? cap : k;
    }
    return k > kMaxChildren ? kMaxChildren : k;
}

Counts Tree::count_serial() const {
    Counts c;
    std::vector<Node> stack{root()};
    while (!stack.empty()) {
        const Node n = stack.back();
        stack.pop_back();
        ++c.nodes;
        if (static_cast<std::uint64_t>(n.height) > c.depth) c.depth = static_cast<std::uint64_t>(n.height);
        const int k = num_children(n);
        if (k == 0) ++c.leaves;
        for (int i = 0; i < k; ++i) stack.push_back(child(n, i));
    }
    return c;
}

}  // namespace schedlab::workloads::uts
