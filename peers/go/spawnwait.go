// spawnwait: `go f(); <-done`, n rounds in a row from one goroutine
// (workloads/.../spawn_wait.hpp). Each round's goroutine sends its index on an unbuffered
// channel; the spawner receives it before starting the next. ok when every index came back in
// order.
package main

import "fmt"

var spawnWaitSpecs = []paramSpec{{"n", "1000000", "rounds of go f(); <-done"}}

type spawnWait struct {
	n, rounds, outOfOrder uint64
}

func newSpawnWait(_, p params) (workload, error) {
	n, err := p.getInt("n", 1, 1_000_000_000)
	if err != nil {
		return nil, err
	}
	return &spawnWait{n: uint64(n)}, nil
}

func (w *spawnWait) run() {
	done := make(chan uint64)
	w.rounds, w.outOfOrder = 0, 0
	for i := uint64(0); i < w.n; i++ {
		go func(i uint64) { done <- i }(i)
		if <-done != i {
			w.outOfOrder++
		}
		w.rounds++
	}
}

func (w *spawnWait) check() result {
	r := result{tasks: w.rounds, ok: w.rounds == w.n && w.outOfOrder == 0}
	if w.rounds == 0 {
		r.detail = "not run"
	} else {
		r.detail = fmt.Sprintf("%d of %d rounds, %d out of order", w.rounds, w.n, w.outOfOrder)
	}
	return r
}
