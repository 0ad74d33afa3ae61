// starve: goroutines left in the global run queue while a local producer keeps its P busy
// (workloads/.../starve.hpp): the case of Go's check of the global queue every 61st tick. One
// burst of `victims` goroutines (most overflow the P's ring to the global queue), then `rounds`
// rounds of `children` goroutines joined by a sync.WaitGroup. Each victim records when it
// first ran; its wait is that minus the time of its own `go`.
package main

import (
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"
)

var starveSpecs = []paramSpec{
	{"victims", "1000", "Gs started in one burst before the producer (most overflow to the global queue)"},
	{"rounds", "10000", "fork-join rounds of the local producer"},
	{"children", "8", "Gs per round"},
	{"grain", "1000", "work per child (see grain_unit)"},
	{"grain_unit", "iters", "iters (spin-kernel iterations) or ns (calibrated at build time)"},
}

const starveNotRun = ^uint64(0)

type starve struct {
	victims, rounds, children, iters uint64
	expected, total, spawned         uint64
	roundsEnd, producerNs            uint64
	started, ran, slots              []uint64
}

func starveValue(index, iters uint64) uint64 { return spin(mix64(index), iters) }

func newStarve(_, p params) (workload, error) {
	victims, err := p.getInt("victims", 1, 10_000_000)
	if err != nil {
		return nil, err
	}
	rounds, err := p.getInt("rounds", 1, 100_000_000)
	if err != nil {
		return nil, err
	}
	children, err := p.getInt("children", 1, 100_000)
	if err != nil {
		return nil, err
	}
	if rounds*children > 1_000_000_000 {
		return nil, paramErrorf("starve: rounds*children = %d Gs is more than 1e9", rounds*children)
	}
	g, err := readGrain(p, false)
	if err != nil {
		return nil, err
	}
	w := &starve{victims: uint64(victims), rounds: uint64(rounds), children: uint64(children),
		started: make([]uint64, victims), ran: make([]uint64, victims), slots: make([]uint64, children)}
	w.iters = g.draw(&splitMix{}) // a fixed grain: the mean
	for i := uint64(0); i < w.rounds*w.children; i++ {
		w.expected += starveValue(i, w.iters)
	}
	return w, nil
}

func (w *starve) run() {
	base := time.Now()
	since := func() uint64 { return uint64(time.Since(base).Nanoseconds()) }
	for i := range w.ran {
		w.ran[i] = starveNotRun
	}
	started, ran := w.started, w.ran
	var victims sync.WaitGroup
	victims.Add(int(w.victims))
	for i := uint64(0); i < w.victims; i++ {
		started[i] = since()
		go func(i uint64) {
			ran[i] = since()
			victims.Done()
		}(i)
	}
	slots, iters, n := w.slots, w.iters, w.children
	var total uint64
	from := since()
	for r := uint64(0); r < w.rounds; r++ {
		var wg sync.WaitGroup
		wg.Add(int(n))
		for i := uint64(0); i < n; i++ {
			go func(i uint64) {
				slots[i] = starveValue(r*n+i, iters)
				wg.Done()
			}(i)
		}
		wg.Wait()
		for _, v := range slots {
			total += v
		}
	}
	w.roundsEnd = since()
	w.producerNs = w.roundsEnd - from
	victims.Wait()
	w.total = total
	w.spawned = w.victims + w.rounds*w.children
}

func (w *starve) check() result {
	waits := make([]uint64, 0, w.victims)
	var servedDuring uint64
	for i := uint64(0); i < w.victims; i++ {
		if w.ran[i] == starveNotRun || w.ran[i] < w.started[i] {
			continue
		}
		waits = append(waits, w.ran[i]-w.started[i])
		if w.ran[i] <= w.roundsEnd {
			servedDuring++
		}
	}
	sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
	sumOK := w.total == w.expected
	r := result{tasks: w.spawned, ok: w.spawned != 0 && uint64(len(waits)) == w.victims && sumOK}
	if w.spawned == 0 {
		r.detail = "not run"
	} else {
		what := "the children's sum matches"
		if !sumOK {
			what = "the children's sum differs"
		}
		r.detail = fmt.Sprintf("%d of %d victims ran; %s", len(waits), w.victims, what)
	}
	var max, p50, p99 string
	if len(waits) > 0 {
		max = strconv.FormatUint(waits[len(waits)-1], 10)
		p50 = strconv.FormatUint(percentile(waits, 0.50), 10)
		p99 = strconv.FormatUint(percentile(waits, 0.99), 10)
	}
	r.extra = []kv{
		{"victims", strconv.FormatUint(w.victims, 10)},
		{"max_wait_ns", max},
		{"p50_wait_ns", p50},
		{"p99_wait_ns", p99},
		{"served_during", strconv.FormatUint(servedDuring, 10)},
		{"producer_ns", strconv.FormatUint(w.producerNs, 10)},
	}
	return r
}
