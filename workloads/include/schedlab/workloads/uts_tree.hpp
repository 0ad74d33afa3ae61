// The tree of the Unbalanced Tree Search benchmark (UTS; Olivier, Huan, Liu et al., LCPC 2006),
// generated exactly as its reference implementation does, so that a traversal reproduces the
// published node counts of the sample trees.
//
// A node is a 20-byte SHA-1 digest plus its height. The root's digest hashes 16 zero bytes and
// the root seed (4 bytes, big-endian); child i's digest hashes the parent's digest followed by i
// (4 bytes, big-endian). A node's random number is the digest's last 4 bytes read big-endian
// with the top bit cleared, and its probability is that number / 2^31. From it:
//   geometric: b_i from the shape function of the height (the root always uses b_0), then
//              p = 1 / (1 + b_i) and children = floor(log(1 - u) / log(1 - p));
//   binomial:  the root has floor(b_0) children; any other node has m children when u < q,
//              else none;
//   hybrid:    geometric above height shift_depth * gen_mx, binomial from there down;
//   balanced:  b_0 children down to height gen_mx.
// Shapes (b_i at height i > 0, d = gen_mx): linear b_0 (1 - i/d); exponential b_0 i^(-ln b_0 / ln d);
// cyclic b_0^sin(2 pi i / d), none below 5d; fixed b_0 down to height d.
// No node has more than kMaxChildren children, except a binomial root (at most ceil(b_0)) and
// balanced trees.
//
// This part does not depend on the runtime; the traversal is in uts.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace schedlab::workloads::uts {

enum class TreeType { Binomial = 0, Geometric = 1, Hybrid = 2, Balanced = 3 };
enum class Shape { Linear = 0, Exponential = 1, Cyclic = 2, Fixed = 3 };

// The reference's cap on a node's children (MAXNUMCHILDREN).
inline constexpr int kMaxChildren = 100;

// The reference implementation's parameters, with its command-line letters and defaults.
struct Config {
    TreeType type = TreeType::Geometric;  // -t
    double b0 = 4.0;                      // -b: root branching factor
    int root_seed = 0;                    // -r
    int gen_mx = 6;                       // -d: depth parameter of the shape functions
    Shape shape = Shape::Linear;          // -a
    double q = 15.0 / 64.0;               // -q: binomial probability of having children
    int m = 4;                            // -m: binomial number of children
    double shift_depth = 0.5;             // -f: hybrid switch height, fraction of gen_mx
    int granularity = 1;                  // -g: SHA-1 evaluations per child (extra work)
};

struct Node {
    std::array<std::uint8_t, 20> state;
    int height;
};

// What a traversal finds.
struct Counts {
    std::uint64_t nodes = 0;
    std::uint64_t leaves = 0;
    std::uint64_t depth = 0;  // greatest height
    friend bool operator==(const Counts&, const Counts&) = default;
};

// A named tree with published counts (the reference's sample_trees.sh; the "small" tree is the
// reference's default parameters). depth is nullopt where no depth is published.
struct Preset {
    const char* name;
    const char* description;
    Config config;
    std::uint64_t nodes;
    std::uint64_t leaves;
    std::optional<std::uint64_t> depth;
};

std::span<const Preset> presets();
const Preset* find_preset(std::string_view name);

class Tree {
public:
    explicit Tree(const Config& c) : c_(c) {}
    const Config& config() const { return c_; }

    Node root() const;
    int num_children(const Node& n) const;
    Node child(const Node& parent, int i) const;

    // A depth-first traversal on the calling thread: the reference answer for any parameters.
    Counts count_serial() const;

private:
    int geometric_children(const Node& n) const;
    Config c_;
};

}  // namespace schedlab::workloads::uts
