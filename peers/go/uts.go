// uts: Unbalanced Tree Search, a goroutine per node (workloads/.../uts.hpp). tree=<preset> is
// checked against its published counts, tree=custom against a serial traversal.
package main

import (
	"fmt"
	"strconv"
	"sync"
)

var utsSpecs = []paramSpec{
	{"tree", "T1", "small, T1, T2, T3, T4, T5, T1L, T2L, T3L (published counts) or custom (the keys below)"},
	{"t", "geometric", "custom tree type: binomial, geometric, hybrid, balanced (or 0..3)"},
	{"b", "4", "custom root branching factor (geometric: expected children at the root)"},
	{"r", "0", "custom root seed"},
	{"d", "6", "custom depth parameter of the geometric shapes and balanced trees"},
	{"a", "linear", "custom geometric shape: linear, exponential, cyclic, fixed (or 0..3)"},
	{"q", "0.234375", "custom binomial: probability that a node has children"},
	{"m", "4", "custom binomial: number of children of a node that has any"},
	{"f", "0.5", "custom hybrid: switch to binomial at height f*d"},
	{"g", "1", "SHA-1 evaluations per node (more work per task)"},
}

type utsWorkload struct {
	preset *utsPreset // nil: custom
	tree   utsTree
	found  utsFound
}

// utsFound is what the traversal of a subtree found, and the goroutines it started.
type utsFound struct {
	counts utsCounts
	tasks  uint64
}

// utsRecorded: a preset fixes the tree, so only tree and g are read (and recorded).
func utsRecorded(full params) params {
	if full["tree"] == "custom" {
		return full
	}
	return params{"tree": full["tree"], "g": full["g"]}
}

func newUts(given, p params) (workload, error) {
	tree, err := p.getChoice("tree", "small", "T1", "T2", "T3", "T4", "T5", "T1L", "T2L", "T3L", "custom")
	if err != nil {
		return nil, err
	}
	if tree != "custom" {
		for _, s := range utsSpecs {
			if s.key != "tree" && s.key != "g" && given.has(s.key) {
				return nil, paramErrorf("parameter %s is fixed by tree=%s (use tree=custom to set the tree's parameters)", s.key, tree)
			}
		}
		preset := findUtsPreset(tree)
		c := preset.config
		g, err := p.getInt("g", 1, 1000)
		if err != nil {
			return nil, err
		}
		c.granularity = int(g)
		return &utsWorkload{preset: preset, tree: utsTree{c}}, nil
	}
	c, err := readUtsCustom(p)
	if err != nil {
		return nil, err
	}
	return &utsWorkload{tree: utsTree{c}}, nil
}

// readUtsCustom reads the custom tree's keys in the C++ order, so the first bad one is the one
// reported, and refuses trees that may never end or whose shape is undefined.
func readUtsCustom(p params) (utsConfig, error) {
	c := utsDefaults()
	t, err := p.getChoice("t", "binomial", "geometric", "hybrid", "balanced", "0", "1", "2", "3")
	if err != nil {
		return c, err
	}
	c.typ = map[string]utsTreeType{"binomial": utsBinomial, "0": utsBinomial, "geometric": utsGeometric,
		"1": utsGeometric, "hybrid": utsHybrid, "2": utsHybrid, "balanced": utsBalanced, "3": utsBalanced}[t]
	a, err := p.getChoice("a", "linear", "exponential", "cyclic", "fixed", "0", "1", "2", "3")
	if err != nil {
		return c, err
	}
	c.shape = map[string]utsShape{"linear": utsLinear, "0": utsLinear, "exponential": utsExponential,
		"1": utsExponential, "cyclic": utsCyclic, "2": utsCyclic, "fixed": utsFixed, "3": utsFixed}[a]
	if c.b0, err = p.getDouble("b", 0, 100000); err != nil {
		return c, err
	}
	r, err := p.getInt("r", 0, 2147483647)
	if err != nil {
		return c, err
	}
	d, err := p.getInt("d", 1, 100000)
	if err != nil {
		return c, err
	}
	if c.q, err = p.getDouble("q", 0, 1); err != nil {
		return c, err
	}
	m, err := p.getInt("m", 0, utsMaxChildren)
	if err != nil {
		return c, err
	}
	if c.shiftDepth, err = p.getDouble("f", 0, 1); err != nil {
		return c, err
	}
	g, err := p.getInt("g", 1, 1000)
	if err != nil {
		return c, err
	}
	c.rootSeed, c.genMx, c.m, c.granularity = int(r), int(d), int(m), int(g)
	binomialBelow := c.typ == utsBinomial || c.typ == utsHybrid
	if binomialBelow && c.q*float64(c.m) >= 1 {
		return c, paramErrorf("parameters q*m = %s >= 1: a binomial tree that large may never end", cxxToString(c.q*float64(c.m)))
	}
	if c.typ != utsBinomial && c.shape == utsExponential && c.genMx < 2 {
		return c, paramErrorf("parameter d must be at least 2 for the exponential shape")
	}
	if c.typ == utsBalanced && c.b0 > utsMaxChildren {
		return c, paramErrorf("parameter b must be at most 100 for a balanced tree")
	}
	return c, nil
}

// visit starts a goroutine per child, waits for them all, and adds up what they found.
func (w *utsWorkload) visit(n *utsNode) utsFound {
	k := w.tree.numChildren(n)
	height := uint64(n.height)
	if k == 0 {
		return utsFound{utsCounts{1, 1, height}, 0}
	}
	below := make([]utsFound, k)
	var wg sync.WaitGroup
	wg.Add(k)
	for i := 0; i < k; i++ {
		go func(i int) {
			c := w.tree.child(n, i)
			below[i] = w.visit(&c)
			wg.Done()
		}(i)
	}
	wg.Wait()
	f := utsFound{utsCounts{1, 0, height}, uint64(k)}
	for _, b := range below {
		f.counts.nodes += b.counts.nodes
		f.counts.leaves += b.counts.leaves
		if b.counts.depth > f.counts.depth {
			f.counts.depth = b.counts.depth
		}
		f.tasks += b.tasks
	}
	return f
}

func (w *utsWorkload) run() {
	root := w.tree.root()
	w.found = w.visit(&root)
}

func describeUts(c utsCounts) string {
	return fmt.Sprintf("%d nodes, %d leaves, depth %d", c.nodes, c.leaves, c.depth)
}

func (w *utsWorkload) check() result {
	var want utsCounts
	var source string
	depthKnown := true
	if w.preset != nil {
		want = utsCounts{w.preset.nodes, w.preset.leaves, 0}
		if w.preset.depth >= 0 {
			want.depth = uint64(w.preset.depth)
		} else {
			depthKnown = false
		}
		source = "published counts of " + w.preset.name
	} else {
		want = w.tree.countSerial()
		source = "serial traversal"
	}
	got := w.found.counts
	r := result{tasks: w.found.tasks}
	r.ok = got.nodes == want.nodes && got.leaves == want.leaves && (!depthKnown || got.depth == want.depth)
	r.detail = describeUts(got)
	if !r.ok {
		r.detail += "; expected " + describeUts(want) + " (" + source + ")"
	}
	r.extra = []kv{
		{"nodes", strconv.FormatUint(got.nodes, 10)},
		{"leaves", strconv.FormatUint(got.leaves, 10)},
		{"depth", strconv.FormatUint(got.depth, 10)},
	}
	return r
}
