// pipeline: producer -> workers -> collector over two channels of capacity cap
// (workloads/.../pipeline.hpp). The producer sends 1..messages and closes the first channel;
// workers range over it, spin for the grain and send a hash on; a closer goroutine closes
// the second channel once every worker is done; the caller counts and sums what arrives.
package main

import (
	"fmt"
	"strconv"
	"sync"
)

var pipelineSpecs = []paramSpec{
	{"messages", "100000", "messages sent by the producer"},
	{"workers", "4", "worker goroutines between producer and collector"},
	{"cap", "0", "capacity of both channels (0: unbuffered)"},
	{"grain", "0", "work per message in a worker (see grain_unit)"},
	{"grain_unit", "iters", "iters (spin-kernel iterations) or ns (calibrated at build time)"},
}

type pipeline struct {
	messages, workers, capacity, iters uint64
	expectedSum                        uint64
	count, sum, spawned                uint64
}

func pipelineValue(m, iters uint64) uint64 { return spin(mix64(m), iters) }

func newPipeline(_, p params) (workload, error) {
	messages, err := p.getInt("messages", 1, 1_000_000_000)
	if err != nil {
		return nil, err
	}
	workers, err := p.getInt("workers", 1, 100_000)
	if err != nil {
		return nil, err
	}
	capacity, err := p.getInt("cap", 0, 1<<24)
	if err != nil {
		return nil, err
	}
	g, err := readGrain(p, false)
	if err != nil {
		return nil, err
	}
	w := &pipeline{messages: uint64(messages), workers: uint64(workers), capacity: uint64(capacity)}
	w.iters = g.draw(&splitMix{}) // a fixed grain: the mean
	for m := uint64(1); m <= w.messages; m++ {
		w.expectedSum += pipelineValue(m, w.iters)
	}
	return w, nil
}

func (w *pipeline) run() {
	in := make(chan uint64, w.capacity)
	out := make(chan uint64, w.capacity)
	messages, iters := w.messages, w.iters
	go func() {
		for m := uint64(1); m <= messages; m++ {
			in <- m
		}
		close(in)
	}()
	var workers sync.WaitGroup
	workers.Add(int(w.workers))
	for i := uint64(0); i < w.workers; i++ {
		go func() {
			for m := range in {
				out <- pipelineValue(m, iters)
			}
			workers.Done()
		}()
	}
	go func() {
		workers.Wait()
		close(out)
	}()
	var count, sum uint64
	for v := range out {
		count++
		sum += v
	}
	w.count, w.sum = count, sum
	w.spawned = w.workers + 2
}

func (w *pipeline) check() result {
	r := result{tasks: w.spawned, ok: w.spawned != 0 && w.count == w.messages && w.sum == w.expectedSum}
	if w.spawned == 0 {
		r.detail = "not run"
	} else {
		verdict := "differs"
		if w.sum == w.expectedSum {
			verdict = "matches"
		}
		r.detail = fmt.Sprintf("%d of %d messages arrived, sum %s", w.count, w.messages, verdict)
	}
	r.extra = []kv{{"messages", strconv.FormatUint(w.count, 10)}}
	return r
}
