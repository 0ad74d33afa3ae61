// uts: Unbalanced Tree Search. Count the nodes of a tree that exists only as a rule (each
// node's children follow from a SHA-1 hash of its parent: uts_tree.hpp), one task per node.
// The subtrees' sizes are unpredictable, which is what makes UTS a test of load balancing.
//
// Parameters: tree=<preset> picks one of the reference's sample trees (T1..T5, T1L..T3L) or
// the small default tree, and its published counts are the check; tree=custom takes the
// reference's parameters (t, b, r, d, a, q, m, f, g) and checks against a serial traversal.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "schedlab/workloads/uts_tree.hpp"
#include "schedlab/workloads/work_span.hpp"
#include "schedlab/workloads/workload.hpp"

namespace schedlab::workloads {

class Uts {
public:
    static constexpr const char* name = "uts";
    static constexpr const char* summary =
        "Unbalanced Tree Search (SHA-1 trees of the UTS reference), fork-join: a task per node";
    static constexpr bool needs_channels = false;

    static std::span<const ParamSpec> params() {
        static constexpr std::array<ParamSpec, 10> specs{{
            {"tree", "T1",
             "small, T1, T2, T3, T4, T5, T1L, T2L, T3L (published counts) or custom (the keys below)"},
            {"t", "geometric", "custom tree type: binomial, geometric, hybrid, balanced (or 0..3)"},
            {"b", "4", "custom root branching factor (geometric: expected children at the root)"},
            {"r", "0", "custom root seed"},
            {"d", "6", "custom depth parameter of the geometric shapes and balanced trees"},
            {"a", "linear", "custom geometric shape: linear, exponential, cyclic, fixed (or 0..3)"},
            {"q", "0.234375", "custom binomial: probability that a node has children"},
            {"m", "4", "custom binomial: number of children of a node that has any"},
            {"f", "0.5", "custom hybrid: switch to binomial at height f*d"},
            {"g", "1", "SHA-1 evaluations per node (more work per task)"},
        }};
        return specs;
    }

    explicit Uts(const Params& given) : tree_(read_config(given, preset_)) {}

    // A preset fixes the tree: of the complete parameters only tree and g are read
    // (read_config), so only they go to the CSV's params column.
    static Params recorded(const Params& full) {
        if (full.get_string("tree") == "custom") return full;
        Params out;
        for (const char* k : {"tree", "g"}) out.set(k, full.get_string(k));
        return out;
    }

    template <class R>
    void run() {
        ws_ = work_span::measure<R>([this] {
            const uts::Node root = tree_.root();
            found_ = visit<R>(root);
        });
    }

    Result check() const {
        Result r;
        r.tasks = found_.tasks;
        uts::Counts want;
        std::string source;
        bool depth_known = true;
        if (preset_ != nullptr) {
            want = {preset_->nodes, preset_->leaves, preset_->depth.value_or(0)};
            depth_known = preset_->depth.has_value();
            source = std::string("published counts of ") + preset_->name;
        } else {
            if (!serial_) serial_ = tree_.count_serial();
            want = *serial_;
            source = "serial traversal";
        }
        const uts::Counts got = found_.counts;
        r.ok = got.nodes == want.nodes && got.leaves == want.leaves &&
               (!depth_known || got.depth == want.depth);
        r.detail = describe(got);
        if (!r.ok) r.detail += "; expected " + describe(want) + " (" + source + ")";
        r.extra.emplace_back("nodes", std::to_string(got.nodes));
        r.extra.emplace_back("leaves", std::to_string(got.leaves));
        r.extra.emplace_back("depth", std::to_string(got.depth));
        work_span::append_columns(ws_, r.extra);
        return r;
    }

    const uts::Tree& tree() const { return tree_; }

private:
    struct Found {
        uts::Counts counts;
        std::uint64_t tasks = 0;
    };

    static std::string describe(const uts::Counts& c) {
        return std::to_string(c.nodes) + " nodes, " + std::to_string(c.leaves) + " leaves, depth " +
               std::to_string(c.depth);
    }

    template <class R>
    Found visit(const uts::Node& node) const {
        const int k = tree_.num_children(node);
        const auto height = static_cast<std::uint64_t>(node.height);
        if (k == 0) return {{1, 1, height}, 0};
        // Up to kFrameChildren results live in this task's frame, more on the heap: a task
        // parked in its join keeps the frame, and 100 results (3.2 KB) put every parked task
        // on a second stack page (T1 under go: 8.3 KiB per parked task, now one page). A
        // geometric tree with b=4 has more than 16 children at ~2% of its inner nodes.
        constexpr int kFrameChildren = 16;
        std::array<Found, kFrameChildren> local;
        std::vector<Found> big;
        Found* below = local.data();
        if (k > kFrameChildren) {
            big.resize(static_cast<std::size_t>(k));
            below = big.data();
        }
        {
            typename R::Group g;
            for (int i = 0; i < k; ++i)
                g.spawn([this, &node, i, out = below + i] { *out = visit<R>(tree_.child(node, i)); });
            g.wait();
        }
        Found f{{1, 0, height}, static_cast<std::uint64_t>(k)};
        for (int i = 0; i < k; ++i) {
            f.counts.nodes += below[i].counts.nodes;
            f.counts.leaves += below[i].counts.leaves;
            f.counts.depth = std::max(f.counts.depth, below[i].counts.depth);
            f.tasks += below[i].tasks;
        }
        return f;
    }

    static uts::Config read_config(const Params& given, const uts::Preset*& preset) {
        const Params p = given.with_defaults(name, params());
        const std::string& tree = p.get_choice(
            "tree", {"small", "T1", "T2", "T3", "T4", "T5", "T1L", "T2L", "T3L", "custom"});
        if (tree != "custom") {
            for (const ParamSpec& s : params())
                if (std::string_view(s.key) != "tree" && std::string_view(s.key) != "g" &&
                    given.has(s.key))
                    throw ParamError("parameter " + std::string(s.key) + " is fixed by tree=" + tree +
                                     " (use tree=custom to set the tree's parameters)");
            preset = uts::find_preset(tree);
            uts::Config c = preset->config;
            c.granularity = static_cast<int>(p.get_int("g", 1, 1000));
            return c;
        }
        preset = nullptr;
        uts::Config c;
        const std::string& t = p.get_choice(
            "t", {"binomial", "geometric", "hybrid", "balanced", "0", "1", "2", "3"});
        c.type = t == "binomial" || t == "0"   ? uts::TreeType::Binomial
                 : t == "geometric" || t == "1" ? uts::TreeType::Geometric
                 : t == "hybrid" || t == "2"    ? uts::TreeType::Hybrid
                                                : uts::TreeType::Balanced;
        const std::string& a =
            p.get_choice("a", {"linear", "exponential", "cyclic", "fixed", "0", "1", "2", "3"});
        c.shape = a == "linear" || a == "0"        ? uts::Shape::Linear
                  : a == "exponential" || a == "1" ? uts::Shape::Exponential
                  : a == "cyclic" || a == "2"      ? uts::Shape::Cyclic
                                                   : uts::Shape::Fixed;
        c.b0 = p.get_double("b", 0.0, 100000.0);
        c.root_seed = static_cast<int>(p.get_int("r", 0, 2147483647));
        c.gen_mx = static_cast<int>(p.get_int("d", 1, 100000));
        c.q = p.get_double("q", 0.0, 1.0);
        c.m = static_cast<int>(p.get_int("m", 0, uts::kMaxChildren));
        c.shift_depth = p.get_double("f", 0.0, 1.0);
        c.granularity = static_cast<int>(p.get_int("g", 1, 1000));
        // Trees that would never end, or whose shape function is undefined.
        const bool binomial_below = c.type == uts::TreeType::Binomial || c.type == uts::TreeType::Hybrid;
        if (binomial_below && c.q * c.m >= 1.0)
            throw ParamError("parameters q*m = " + std::to_string(c.q * c.m) +
                             " >= 1: a binomial tree that large may never end");
        if (c.type != uts::TreeType::Binomial && c.shape == uts::Shape::Exponential && c.gen_mx < 2)
            throw ParamError("parameter d must be at least 2 for the exponential shape");
        if (c.type == uts::TreeType::Balanced && c.b0 > uts::kMaxChildren)
            throw ParamError("parameter b must be at most 100 for a balanced tree");
        return c;
    }

    const uts::Preset* preset_ = nullptr;  // set by read_config before tree_ is built
    uts::Tree tree_;
    Found found_;
    mutable std::optional<uts::Counts> serial_;  // custom trees: the serial count, once
    std::optional<work_span::Measurement> ws_;
};

static_assert(Workload<Uts>);

}  // namespace schedlab::workloads
