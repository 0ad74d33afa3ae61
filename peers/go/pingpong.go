// pingpong: pairs of goroutines bouncing 0..messages-1 over two channels of capacity cap
// (workloads/.../pingpong.hpp). Every sample_every-th round trip is timed on the monotonic
// clock; the samples of all pairs give p50_ns, p99_ns (nearest rank) and max_ns.
package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"sync"
	"time"
)

var pingpongSpecs = []paramSpec{
	{"pairs", "1", "number of ping-pong pairs (2 goroutines each)"},
	{"messages", "100000", "round trips per pair"},
	{"cap", "0", "capacity of both channels of a pair (0: unbuffered)"},
	{"sample_every", "16", "time every k-th round trip (1: every one)"},
}

// pingpongMaxSamples bounds the samples kept in memory (8 bytes each), as in C++.
const pingpongMaxSamples = 1 << 26

// pairState is what one pair leaves behind: samples and pingerErrors written by the pinger,
// the rest by the ponger, read after the WaitGroup.
type pairState struct {
	samples                              []uint64
	pingerErrors, pongerErrors, received uint64
}

type pingPong struct {
	pairs, messages, capacity, sampleEvery, samplesPerPair uint64
	state                                                  []pairState
	spawned                                                uint64
}

func newPingPong(_, p params) (workload, error) {
	pairs, err := p.getInt("pairs", 1, 100_000)
	if err != nil {
		return nil, err
	}
	messages, err := p.getInt("messages", 1, 1_000_000_000)
	if err != nil {
		return nil, err
	}
	capacity, err := p.getInt("cap", 0, 1<<24)
	if err != nil {
		return nil, err
	}
	every, err := p.getInt("sample_every", 1, 1_000_000_000)
	if err != nil {
		return nil, err
	}
	w := &pingPong{pairs: uint64(pairs), messages: uint64(messages), capacity: uint64(capacity), sampleEvery: uint64(every)}
	w.samplesPerPair = (w.messages + w.sampleEvery - 1) / w.sampleEvery
	if w.samplesPerPair*w.pairs > pingpongMaxSamples {
		return nil, paramErrorf("pingpong: pairs*messages/sample_every = %d samples is more than %d; raise sample_every",
			w.samplesPerPair*w.pairs, pingpongMaxSamples)
	}
	w.state = make([]pairState, w.pairs)
	for i := range w.state {
		w.state[i].samples = make([]uint64, 0, w.samplesPerPair)
	}
	return w, nil
}

func (w *pingPong) pinger(st *pairState, ping chan<- int64, pong <-chan int64) {
	n := int64(w.messages)
	countdown := uint64(1) // time the first round trip, then every k-th
	for i := int64(0); i < n; i++ {
		countdown--
		if countdown != 0 {
			ping <- i
			if <-pong != i {
				st.pingerErrors++
			}
			continue
		}
		countdown = w.sampleEvery
		t0 := time.Now()
		ping <- i
		back := <-pong
		st.samples = append(st.samples, uint64(time.Since(t0).Nanoseconds()))
		if back != i {
			st.pingerErrors++
		}
	}
}

func pongerLoop(st *pairState, ping <-chan int64, pong chan<- int64, messages uint64) {
	for i := uint64(0); i < messages; i++ {
		v := <-ping
		if v != int64(i) {
			st.pongerErrors++
		}
		st.received++
		pong <- v
	}
}

func (w *pingPong) run() {
	var wg sync.WaitGroup
	wg.Add(int(2 * w.pairs))
	for p := range w.state {
		st := &w.state[p]
		st.samples = st.samples[:0]
		st.pingerErrors, st.pongerErrors, st.received = 0, 0, 0
		ping := make(chan int64, w.capacity)
		pong := make(chan int64, w.capacity)
		go func() {
			w.pinger(st, ping, pong)
			wg.Done()
		}()
		go func() {
			pongerLoop(st, ping, pong, w.messages)
			wg.Done()
		}()
	}
	wg.Wait()
	w.spawned = 2 * w.pairs
}

// latencyColumns sorts a sample of latencies and gives its p50_ns, p99_ns, p999_ns and max_ns
// columns (empty values for an empty sample), as schedlab's latency_columns.
func latencyColumns(all []uint64) []kv {
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	var p50, p99, p999, max string
	if len(all) > 0 {
		p50 = strconv.FormatUint(percentile(all, 0.50), 10)
		p99 = strconv.FormatUint(percentile(all, 0.99), 10)
		p999 = strconv.FormatUint(percentile(all, 0.999), 10)
		max = strconv.FormatUint(all[len(all)-1], 10)
	}
	return []kv{{"p50_ns", p50}, {"p99_ns", p99}, {"p999_ns", p999}, {"max_ns", max}}
}

// percentile is the nearest-rank percentile q (0 < q <= 1) of a sorted, non-empty sample.
func percentile(sorted []uint64, q float64) uint64 {
	rank := int(math.Ceil(q * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	if rank > len(sorted) {
		rank = len(sorted)
	}
	return sorted[rank-1]
}

func (w *pingPong) check() result {
	var errors, received uint64
	all := make([]uint64, 0, w.samplesPerPair*w.pairs)
	for i := range w.state {
		st := &w.state[i]
		errors += st.pingerErrors + st.pongerErrors
		received += st.received
		all = append(all, st.samples...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	r := result{tasks: w.spawned}
	r.ok = w.spawned != 0 && errors == 0 && received == w.pairs*w.messages && uint64(len(all)) == w.samplesPerPair*w.pairs
	if w.spawned == 0 {
		r.detail = "not run"
	} else {
		r.detail = fmt.Sprintf("%d of %d messages arrived, %d out of order", received, w.pairs*w.messages, errors)
	}
	roundTrips := uint64(0)
	if w.spawned != 0 {
		roundTrips = w.pairs * w.messages
	}
	var p50, p99, max string
	if len(all) > 0 {
		p50 = strconv.FormatUint(percentile(all, 0.50), 10)
		p99 = strconv.FormatUint(percentile(all, 0.99), 10)
		max = strconv.FormatUint(all[len(all)-1], 10)
	}
	r.extra = []kv{
		{"round_trips", strconv.FormatUint(roundTrips, 10)},
		{"rtt_samples", strconv.Itoa(len(all))},
		{"p50_ns", p50},
		{"p99_ns", p99},
		{"max_ns", max},
	}
	return r
}
