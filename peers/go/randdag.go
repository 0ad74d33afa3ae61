// randdag: a seeded random layered DAG (workloads/src/randdag.cpp), generated from the same
// splitmix64 sequence with the same sampling, so a seed gives the same edges and grains as in
// C++. A node hashes its index with its inputs' values, spins for its grain and outputs the
// result; the run's values are checked against a serial evaluation made at build time.
package main

import (
	"fmt"
	"sort"
	"strconv"
	"sync/atomic"
)

var randdagSpecs = []paramSpec{
	{"width", "64", "nodes per layer"},
	{"depth", "64", "number of layers"},
	{"fanin", "3", "predecessors of each node below the first layer (<= width)"},
	{"grain", "10000", "mean work per node (see grain_unit)"},
	{"grain_unit", "iters", "iters (spin-kernel iterations) or ns (calibrated at build time)"},
	{"grain_dist", "exponential", "fixed, uniform (0..2*mean) or exponential"},
	{"seed", "1", "seed of the graph and the grains"},
	{"measure", "0", "1: measure each node and report work_ns, span_ns, parallelism"},
}

// randdagMaxNodes bounds width*depth (32-bit node ids, memory for the serial check).
const randdagMaxNodes = 1 << 24

type randDag struct {
	seed      uint64
	measure   bool
	g         *dag
	iters     []uint64 // grain of each node, drawn at build time
	expected  []uint64 // serial evaluation
	values    []uint64 // written by the run
	pending   []atomic.Uint32
	durations []uint64
	ran       bool
}

// sampleDistinct draws k distinct numbers below n by Floyd's method (k draws, no rejection),
// sorted.
func sampleDistinct(rng *splitMix, n, k uint32) []uint32 {
	out := make([]uint32, 0, k)
	for j := n - k; j < n; j++ {
		t := uint32(rng.below(uint64(j) + 1))
		if containsU32(out, t) {
			t = j
		}
		out = append(out, t)
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}

func containsU32(list []uint32, x uint32) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

func layeredDag(width, depth, fanin uint32, rng *splitMix) (*dag, error) {
	edges := make([]edge, 0, int(width)*int(depth-1)*int(fanin))
	for layer := uint32(1); layer < depth; layer++ {
		for i := uint32(0); i < width; i++ {
			v := layer*width + i
			for _, p := range sampleDistinct(rng, width, fanin) {
				edges = append(edges, edge{(layer-1)*width + p, v})
			}
		}
	}
	return newDag(width*depth, edges)
}

func newRandDag(_, p params) (workload, error) {
	width, err := p.getInt("width", 1, 1<<20)
	if err != nil {
		return nil, err
	}
	depth, err := p.getInt("depth", 1, 1<<20)
	if err != nil {
		return nil, err
	}
	fanin, err := p.getInt("fanin", 1, 64)
	if err != nil {
		return nil, err
	}
	if width*depth > randdagMaxNodes {
		return nil, paramErrorf("randdag: width*depth = %d nodes is more than %d", width*depth, randdagMaxNodes)
	}
	if depth > 1 && fanin > width {
		return nil, paramErrorf("randdag: fanin=%d is more than width=%d", fanin, width)
	}
	g, err := readGrain(p, true)
	if err != nil {
		return nil, err
	}
	seed, err := p.getInt("seed", 0, 1<<63-1)
	if err != nil {
		return nil, err
	}
	measure, err := p.getBool("measure")
	if err != nil {
		return nil, err
	}
	w := &randDag{seed: uint64(seed), measure: measure}
	rng := &splitMix{state: w.seed}
	if w.g, err = layeredDag(uint32(width), uint32(depth), uint32(fanin), rng); err != nil {
		return nil, err
	}
	n := w.g.size()
	w.iters = make([]uint64, n)
	for i := range w.iters {
		w.iters[i] = g.draw(rng)
	}
	w.expected = make([]uint64, n)
	for v := uint32(0); v < n; v++ {
		w.expected[v] = w.nodeValue(v, w.expected)
	}
	w.values = make([]uint64, n)
	w.pending = make([]atomic.Uint32, n)
	if measure {
		w.durations = make([]uint64, n)
	}
	return w, nil
}

// nodeValue is node v's output from its inputs' values in vals.
func (w *randDag) nodeValue(v uint32, vals []uint64) uint64 {
	h := mix64(w.seed ^ (uint64(v) << 20))
	for _, p := range w.g.preds(v) {
		h = mix64(h ^ vals[p])
	}
	return spin(h, w.iters[v])
}

func (w *randDag) run() {
	dagRun(w.g, w.pending, func(v uint32) { w.values[v] = w.nodeValue(v, w.values) }, w.durations)
	w.ran = true
}

func (w *randDag) check() result {
	n := w.g.size()
	r := result{}
	if !w.ran {
		r.detail = "not run"
	} else {
		r.tasks = uint64(n)
		wrong := 0
		for v := range w.values {
			if w.values[v] != w.expected[v] {
				wrong++
			}
		}
		r.ok = wrong == 0
		if r.ok {
			r.detail = fmt.Sprintf("%d node values match the serial evaluation", n)
		} else {
			r.detail = fmt.Sprintf("%d of %d node values differ from the serial evaluation", wrong, n)
		}
	}
	r.extra = []kv{{"nodes", strconv.FormatUint(uint64(n), 10)}, {"edges", strconv.Itoa(w.g.edges())}}
	var work, span uint64
	if w.ran && w.measure {
		work, span = workAndSpan(w.g, w.durations)
	}
	r.extra = append(r.extra, workSpanColumns(w.ran && w.measure, work, span)...)
	return r
}
