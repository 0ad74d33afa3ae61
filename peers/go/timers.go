// timers: goroutines that sleep in a loop (workloads/.../timers.hpp). `gs` goroutines each
// sleep `sleeps` times for a duration drawn uniformly from [min_us, max_us] (the same seeded
// sequence per goroutine as schedlab's), through time.Sleep (via=sleep) or a receive from
// time.After (via=after), with work_us of spin work after each wake-up; each records its
// lateness, from the due time (when the sleep began plus its duration) to when it runs again.
package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"
)

var timersSpecs = []paramSpec{
	{"gs", "1000", "sleeping Gs"},
	{"sleeps", "20", "sleeps per G"},
	{"min_us", "100", "shortest sleep, microseconds"},
	{"max_us", "5000", "longest sleep, microseconds (durations are uniform in [min_us, max_us])"},
	{"via", "sleep", "how a G sleeps: sleep (R::sleep_for, time.Sleep) or after (a receive from R::after, <-time.After)"},
	{"work_us", "0", "spin work after each wake-up, microseconds (calibrated at build time)"},
}

// timersSeed is schedlab's: "timers" in ASCII.
const timersSeed = 0x74696d657273

type timers struct {
	gs, sleeps, minNs, maxNs, workIters uint64
	viaAfter, ran                       bool
	lateness, early, sink               []uint64
	done                                []bool
}

func newTimers(_, p params) (workload, error) {
	gs, err := p.getInt("gs", 1, 1_000_000)
	if err != nil {
		return nil, err
	}
	sleeps, err := p.getInt("sleeps", 1, 1_000_000)
	if err != nil {
		return nil, err
	}
	if gs*sleeps > 100_000_000 {
		return nil, errors.New("timers: gs*sleeps must be at most 100000000")
	}
	minUs, err := p.getInt("min_us", 0, 60_000_000)
	if err != nil {
		return nil, err
	}
	maxUs, err := p.getInt("max_us", 0, 60_000_000)
	if err != nil {
		return nil, err
	}
	if maxUs < minUs {
		return nil, errors.New("timers: max_us must be at least min_us")
	}
	via, err := p.getChoice("via", "sleep", "after")
	if err != nil {
		return nil, err
	}
	workUs, err := p.getInt("work_us", 0, 1_000_000)
	if err != nil {
		return nil, err
	}
	w := &timers{gs: uint64(gs), sleeps: uint64(sleeps), minNs: uint64(minUs) * 1000, maxNs: uint64(maxUs) * 1000,
		viaAfter: via == "after", workIters: uint64(math.Round(float64(workUs) * 1e3 * spinItersPerNs()))}
	w.lateness = make([]uint64, w.gs*w.sleeps)
	w.early = make([]uint64, w.gs)
	w.sink = make([]uint64, w.gs)
	w.done = make([]bool, w.gs)
	return w, nil
}

func (w *timers) run() {
	var wg sync.WaitGroup
	wg.Add(int(w.gs))
	for g := uint64(0); g < w.gs; g++ {
		go func(g uint64) {
			rng := splitMix{mix64(timersSeed ^ (g * 0x9e3779b97f4a7c15))}
			late := w.lateness[g*w.sleeps : (g+1)*w.sleeps]
			var early, sum uint64
			for i := uint64(0); i < w.sleeps; i++ {
				d := time.Duration(w.minNs + rng.below(w.maxNs-w.minNs+1))
				due := time.Now().Add(d)
				if w.viaAfter {
					<-time.After(d)
				} else {
					time.Sleep(d)
				}
				woke := time.Now()
				if woke.Before(due) {
					early++
				} else {
					late[i] = uint64(woke.Sub(due))
				}
				if w.workIters > 0 {
					sum += spin(mix64(g^(i<<32)), w.workIters)
				}
			}
			w.early[g], w.sink[g], w.done[g] = early, sum, true
			wg.Done()
		}(g)
	}
	wg.Wait()
	w.ran = true
}

func (w *timers) check() result {
	var finished, early uint64
	for g := uint64(0); g < w.gs; g++ {
		if w.done[g] {
			finished++
		}
		early += w.early[g]
	}
	r := result{ok: w.ran && finished == w.gs && early == 0, detail: "not run"}
	var all []uint64
	if w.ran {
		r.tasks = w.gs
		r.detail = fmt.Sprintf("%d of %d Gs slept %d times; %d sleeps ended early", finished, w.gs, w.sleeps, early)
		all = append(all, w.lateness...)
	}
	r.extra = append([]kv{{"sleeps", strconv.Itoa(len(all))}}, latencyColumns(all)...)
	r.extra = append(r.extra, kv{"early", strconv.FormatUint(early, 10)})
	return r
}
