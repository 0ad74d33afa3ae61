// A static dependency DAG and its dataflow execution (workloads/.../dag.hpp): every node has
// a counter of unfinished predecessors; the finishing predecessor that takes a counter to zero
// starts that node as a new goroutine, so exactly one goroutine runs per node.
//
// Memory ordering: a node writes its output with plain stores, then decrements its successors'
// counters. Go's atomics are sequentially consistent, so the decrement that reaches zero
// happens after every predecessor's writes, and the go statement hands them to the new node.
package main

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// dag has nodes 0..size-1 in a topological order (every edge goes from a lower number to a
// higher one), successors and predecessors sorted per node.
type dag struct {
	succStart, succ []uint32
	predStart, pred []uint32
	roots           []uint32
}

type edge struct{ from, to uint32 }

// compressEdges groups edges by key(e) and lists value(e) per group, sorted.
func compressEdges(nodes uint32, edges []edge, key, value func(edge) uint32) (start, out []uint32) {
	start = make([]uint32, nodes+1)
	for _, e := range edges {
		start[key(e)+1]++
	}
	for v := uint32(0); v < nodes; v++ {
		start[v+1] += start[v]
	}
	out = make([]uint32, len(edges))
	fill := append([]uint32(nil), start[:nodes]...)
	for _, e := range edges {
		out[fill[key(e)]] = value(e)
		fill[key(e)]++
	}
	for v := uint32(0); v < nodes; v++ {
		row := out[start[v]:start[v+1]]
		sort.Slice(row, func(i, j int) bool { return row[i] < row[j] })
	}
	return start, out
}

func newDag(nodes uint32, edges []edge) (*dag, error) {
	for _, e := range edges {
		if !(e.from < e.to && e.to < nodes) {
			return nil, fmt.Errorf("dag edge %d->%d is not forward within %d nodes", e.from, e.to, nodes)
		}
	}
	d := &dag{}
	d.succStart, d.succ = compressEdges(nodes, edges, func(e edge) uint32 { return e.from }, func(e edge) uint32 { return e.to })
	d.predStart, d.pred = compressEdges(nodes, edges, func(e edge) uint32 { return e.to }, func(e edge) uint32 { return e.from })
	for v := uint32(0); v < nodes; v++ {
		if d.npreds(v) == 0 {
			d.roots = append(d.roots, v)
		}
		s := d.succs(v)
		for i := 1; i < len(s); i++ {
			if s[i] == s[i-1] {
				return nil, fmt.Errorf("dag edge from %d given twice", v)
			}
		}
	}
	return d, nil
}

func (d *dag) size() uint32            { return uint32(len(d.succStart) - 1) }
func (d *dag) edges() int              { return len(d.succ) }
func (d *dag) succs(v uint32) []uint32 { return d.succ[d.succStart[v]:d.succStart[v+1]] }
func (d *dag) preds(v uint32) []uint32 { return d.pred[d.predStart[v]:d.predStart[v+1]] }
func (d *dag) npreds(v uint32) uint32  { return d.predStart[v+1] - d.predStart[v] }

// dagRun runs body(v) for every node in dependency order, a goroutine per node, and returns
// when all have finished. pending holds one counter per node (allocated untimed by the
// caller). With durations non-nil, each body's time is recorded there.
func dagRun(d *dag, pending []atomic.Uint32, body func(uint32), durations []uint64) {
	for v := range pending {
		pending[v].Store(d.npreds(uint32(v)))
	}
	var wg sync.WaitGroup
	var start func(v uint32)
	start = func(v uint32) {
		wg.Add(1)
		go func() {
			if durations != nil {
				t0 := time.Now()
				body(v)
				durations[v] = uint64(time.Since(t0).Nanoseconds())
			} else {
				body(v)
			}
			for _, s := range d.succs(v) {
				if pending[s].Add(^uint32(0)) == 0 {
					start(s)
				}
			}
			wg.Done()
		}()
	}
	for _, v := range d.roots {
		start(v)
	}
	wg.Wait()
}

// workAndSpan is Cilk's T1 and T-infinity from per-node durations: the sum, and the longest
// path weighted by them (one forward pass: nodes are in topological order).
func workAndSpan(d *dag, durations []uint64) (work, span uint64) {
	ready := make([]uint64, d.size())
	for v := uint32(0); v < d.size(); v++ {
		finish := ready[v] + durations[v]
		work += durations[v]
		if finish > span {
			span = finish
		}
		for _, s := range d.succs(v) {
			if finish > ready[s] {
				ready[s] = finish
			}
		}
	}
	return work, span
}

// workSpanColumns are the extra values work_ns, span_ns, parallelism (empty when not measured).
func workSpanColumns(measured bool, work, span uint64) []kv {
	if !measured {
		return []kv{{"work_ns", ""}, {"span_ns", ""}, {"parallelism", ""}}
	}
	par := 0.0
	if span != 0 {
		par = float64(work) / float64(span)
	}
	return []kv{{"work_ns", fmt.Sprint(work)}, {"span_ns", fmt.Sprint(span)}, {"parallelism", fmt.Sprintf("%.3f", par)}}
}
