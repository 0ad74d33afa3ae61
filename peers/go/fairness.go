// fairness: compute-bound goroutines beside latency-sensitive ones
// (workloads/.../fairness.hpp). `hogs` goroutines each do hog_ms of spin work (Go's own
// calibration: the same time as in C++, not the same iterations) in chunks of chunk_us; with
// points=1 each chunk is followed by a call of an empty function that is not inlined
// (preemptPoint: its prologue's stack check is where Go's cooperative preemption lands, as
// schedlab's R::preempt_point). Go 1.19 also preempts asynchronously (a signal to a goroutine
// that has run 10 ms), so points=0 hogs are preempted too: that is the comparison. `probes`
// goroutines each receive from a channel of capacity 1; a driver sleeps until the next due
// time, every interval_us (driver=handoff: time.Sleep, which parks the goroutine on a timer and
// frees its P at once, as schedlab's R::blocking_handoff; driver=blocking: syscall.Nanosleep,
// which keeps the P in _Psyscall until sysmon retakes it, as R::blocking), sends each probe that due
// time (a slot missed altogether is skipped), until every hog is done; the latency is from the
// due time to the receipt.
package main

import (
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

var fairnessSpecs = []paramSpec{
	{"hogs", "2", "compute-bound Gs"},
	{"hog_ms", "100", "work of each hog in ms (spin work, calibrated at build time)"},
	{"chunk_us", "50", "work between two of a hog's preemption points, in microseconds"},
	{"points", "1", "1: a hog calls R::preempt_point() after each chunk; 0: never"},
	{"probes", "2", "latency-sensitive Gs, each receiving the driver's messages"},
	{"interval_us", "1000", "the driver sends a round of messages every interval_us microseconds"},
	{"driver", "handoff", "how the driver sleeps: handoff (R::blocking_handoff) or blocking (R::blocking)"},
}

type fairness struct {
	hogs, probes, chunks, chunkIters, intervalNs uint64
	points, ran, timerDriver                     bool
	sums                                         []uint64
	latencies                                    [][]uint64
	rounds, hogsNs                               uint64
}

func fairnessChunkValue(h, k, iters uint64) uint64 { return spin(mix64((h<<40)^k), iters) }

// preemptPoint is schedlab's R::preempt_point: an empty call whose prologue checks for a
// preemption request.
//
//go:noinline
func preemptPoint() {}

func newFairness(_, p params) (workload, error) {
	hogs, err := p.getInt("hogs", 0, 10_000)
	if err != nil {
		return nil, err
	}
	hogMs, err := p.getInt("hog_ms", 0, 600_000)
	if err != nil {
		return nil, err
	}
	chunkUs, err := p.getInt("chunk_us", 1, 1_000_000)
	if err != nil {
		return nil, err
	}
	points, err := p.getBool("points")
	if err != nil {
		return nil, err
	}
	probes, err := p.getInt("probes", 1, 10_000)
	if err != nil {
		return nil, err
	}
	intervalUs, err := p.getInt("interval_us", 1, 10_000_000)
	if err != nil {
		return nil, err
	}
	driver, err := p.getChoice("driver", "handoff", "blocking")
	if err != nil {
		return nil, err
	}
	w := &fairness{hogs: uint64(hogs), probes: uint64(probes), points: points, intervalNs: uint64(intervalUs) * 1000,
		sums: make([]uint64, hogs), latencies: make([][]uint64, probes), timerDriver: driver == "handoff"}
	w.chunks = (uint64(hogMs)*1000 + uint64(chunkUs) - 1) / uint64(chunkUs)
	w.chunkIters = uint64(math.Round(float64(chunkUs) * 1e3 * spinItersPerNs()))
	return w, nil
}

func (w *fairness) run() {
	base := time.Now()
	since := func() uint64 { return uint64(time.Since(base).Nanoseconds()) }
	chans := make([]chan uint64, w.probes)
	for i := range chans {
		chans[i] = make(chan uint64, 1)
	}
	var stop atomic.Bool
	var ready, others, hogs sync.WaitGroup
	ready.Add(int(w.probes) + 1)
	others.Add(int(w.probes) + 1)
	hogs.Add(int(w.hogs))
	for p := range chans {
		go func(p int) {
			ready.Done()
			for sent := range chans[p] {
				w.latencies[p] = append(w.latencies[p], since()-sent)
			}
			others.Done()
		}(p)
	}
	go func() {
		ready.Done()
		var rounds uint64
		interval := w.intervalNs
		due := since() + interval
		for !stop.Load() {
			if now := since(); due > now {
				if w.timerDriver {
					time.Sleep(time.Duration(due - now))
				} else {
					sleepNs(due - now)
				}
			}
			for _, c := range chans {
				c <- due
			}
			rounds++
			now := since()
			due += interval
			if due <= now { // skip missed slots
				due += (now-due)/interval*interval + interval
			}
		}
		for _, c := range chans {
			close(c)
		}
		w.rounds = rounds
		others.Done()
	}()
	ready.Wait()
	from := since()
	iters, chunks, points := w.chunkIters, w.chunks, w.points
	for h := uint64(0); h < w.hogs; h++ {
		go func(h uint64) {
			var sum uint64
			for k := uint64(0); k < chunks; k++ {
				sum += fairnessChunkValue(h, k, iters)
				if points {
					preemptPoint()
				}
			}
			w.sums[h] = sum
			hogs.Done()
		}(h)
	}
	hogs.Wait()
	w.hogsNs = since() - from
	stop.Store(true)
	others.Wait()
	w.ran = true
}

func (w *fairness) check() result {
	var all []uint64
	var complete, hogsRight uint64
	for _, lat := range w.latencies {
		if uint64(len(lat)) == w.rounds {
			complete++
		}
		all = append(all, lat...)
	}
	for h := uint64(0); h < w.hogs && w.ran; h++ {
		var expected uint64
		for k := uint64(0); k < w.chunks; k++ {
			expected += fairnessChunkValue(h, k, w.chunkIters)
		}
		if w.sums[h] == expected {
			hogsRight++
		}
	}
	r := result{ok: w.ran && complete == w.probes && hogsRight == w.hogs, detail: "not run"}
	if w.ran {
		r.tasks = w.hogs + w.probes + 1
		r.detail = fmt.Sprintf("%d of %d probes received all %d rounds; %d of %d hogs' sums match",
			complete, w.probes, w.rounds, hogsRight, w.hogs)
	}
	r.extra = append([]kv{{"messages", strconv.Itoa(len(all))}}, latencyColumns(all)...)
	r.extra = append(r.extra, kv{"hogs_ns", strconv.FormatUint(w.hogsNs, 10)})
	return r
}
