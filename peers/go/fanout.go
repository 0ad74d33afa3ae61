// fanout: waves of n goroutines joined by a sync.WaitGroup, each doing a grain of work and
// writing a hash into its slot (workloads/.../fanout.hpp); the sum is checked against a
// serial one made at build time.
package main

import (
	"fmt"
	"sync"
)

var fanoutSpecs = []paramSpec{
	{"waves", "10", "number of fan-out/fan-in rounds"},
	{"n", "10000", "goroutines per round"},
	{"grain", "1000", "work per goroutine (see grain_unit)"},
	{"grain_unit", "iters", "iters (spin-kernel iterations) or ns (calibrated at build time)"},
}

type fanOut struct {
	waves, n, iters uint64
	expected        uint64 // serial sum (wrapping)
	total, spawned  uint64
	slots           []uint64
}

func fanoutValue(index, iters uint64) uint64 { return spin(mix64(index), iters) }

func newFanOut(_, p params) (workload, error) {
	waves, err := p.getInt("waves", 1, 1_000_000)
	if err != nil {
		return nil, err
	}
	n, err := p.getInt("n", 1, 10_000_000)
	if err != nil {
		return nil, err
	}
	if waves*n > 1_000_000_000 {
		return nil, paramErrorf("fanout: waves*n = %d Gs is more than 1e9", waves*n)
	}
	g, err := readGrain(p, false)
	if err != nil {
		return nil, err
	}
	w := &fanOut{waves: uint64(waves), n: uint64(n), slots: make([]uint64, n)}
	w.iters = g.draw(&splitMix{}) // a fixed grain: the mean
	for i := uint64(0); i < w.waves*w.n; i++ {
		w.expected += fanoutValue(i, w.iters)
	}
	return w, nil
}

func (w *fanOut) run() {
	var total uint64
	slots, iters, n := w.slots, w.iters, w.n
	for wave := uint64(0); wave < w.waves; wave++ {
		var wg sync.WaitGroup
		wg.Add(int(n))
		for i := uint64(0); i < n; i++ {
			go func(i uint64) {
				slots[i] = fanoutValue(wave*n+i, iters)
				wg.Done()
			}(i)
		}
		wg.Wait()
		for _, v := range slots {
			total += v
		}
	}
	w.total = total
	w.spawned = w.waves * w.n
}

func (w *fanOut) check() result {
	r := result{tasks: w.spawned, ok: w.spawned == w.waves*w.n && w.total == w.expected}
	switch {
	case w.spawned == 0:
		r.detail = "not run"
	case w.total == w.expected:
		r.detail = fmt.Sprintf("sum over %d goroutines matches the serial sum", w.spawned)
	default:
		r.detail = "sum over the goroutines differs from the serial sum"
	}
	return r
}
