// parked: n goroutines blocked at once on one unbuffered channel (workloads/.../parked.hpp).
// Once all have started, the spawner reads the resident memory (/proc/self/statm), closes the
// channel and waits for them all. extra rss_per_task_bytes = growth of the resident set / n.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
)

var parkedSpecs = []paramSpec{{"n", "100000", "goroutines blocked at once"}}

type parked struct {
	n, spawned, woken     uint64
	rssBefore, rssBlocked int64
	closedSeen            []uint8
}

func newParked(_, p params) (workload, error) {
	n, err := p.getInt("n", 1, 10_000_000)
	if err != nil {
		return nil, err
	}
	return &parked{n: uint64(n), rssBefore: -1, rssBlocked: -1, closedSeen: make([]uint8, n)}, nil
}

// residentBytes is the second field of /proc/self/statm times the page size, or -1.
func residentBytes() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return -1
	}
	var size, resident int64
	if _, err := fmt.Sscan(string(data), &size, &resident); err != nil {
		return -1
	}
	return resident * int64(os.Getpagesize())
}

func (w *parked) run() {
	for i := range w.closedSeen {
		w.closedSeen[i] = 0
	}
	gate := make(chan int)
	var started, finished sync.WaitGroup
	started.Add(int(w.n))
	finished.Add(int(w.n))
	seen := w.closedSeen
	w.rssBefore = residentBytes()
	for i := uint64(0); i < w.n; i++ {
		go func(i uint64) {
			started.Done()
			if _, ok := <-gate; !ok {
				seen[i] = 1
			}
			finished.Done()
		}(i)
	}
	started.Wait()
	w.rssBlocked = residentBytes()
	close(gate)
	finished.Wait()
	w.woken = 0
	for _, c := range seen {
		w.woken += uint64(c)
	}
	w.spawned = w.n
}

func (w *parked) check() result {
	r := result{tasks: w.spawned, ok: w.spawned == w.n && w.woken == w.n}
	if w.spawned == 0 {
		r.detail = "not run"
	} else {
		r.detail = fmt.Sprintf("%d of %d blocked goroutines saw the channel close", w.woken, w.n)
	}
	if w.rssBefore >= 0 && w.rssBlocked >= 0 && w.n > 0 {
		r.extra = []kv{{"rss_per_task_bytes", strconv.FormatInt((w.rssBlocked-w.rssBefore)/int64(w.n), 10)}}
	}
	return r
}
