// spawnstorm: one goroutine starts n trivial goroutines and waits for them all
// (workloads/.../spawn_storm.hpp). Each marks its own slot; the check counts the marks.
package main

import (
	"fmt"
	"sync"
)

var spawnStormSpecs = []paramSpec{{"n", "1000000", "number of goroutines started by one goroutine"}}

type spawnStorm struct {
	n, spawned uint64
	ran        []uint8
}

func newSpawnStorm(_, p params) (workload, error) {
	n, err := p.getInt("n", 1, 100_000_000)
	if err != nil {
		return nil, err
	}
	return &spawnStorm{n: uint64(n), ran: make([]uint8, n)}, nil
}

func (w *spawnStorm) run() {
	// Cleared inside the timed part, as in C++.
	for i := range w.ran {
		w.ran[i] = 0
	}
	var wg sync.WaitGroup
	slots := w.ran
	for i := uint64(0); i < w.n; i++ {
		wg.Add(1)
		go func(i uint64) {
			slots[i] = 1
			wg.Done()
		}(i)
	}
	wg.Wait()
	w.spawned = w.n
}

func (w *spawnStorm) check() result {
	var ran uint64
	for _, v := range w.ran {
		ran += uint64(v)
	}
	r := result{tasks: w.spawned, ok: w.spawned == w.n && ran == w.n}
	if w.spawned == 0 {
		r.detail = "not run"
	} else {
		r.detail = fmt.Sprintf("%d of %d goroutines ran", ran, w.n)
	}
	return r
}
