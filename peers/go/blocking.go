// blocking: goroutines in blocking system calls beside goroutines that compute
// (workloads/.../blocking.hpp). `blockers` goroutines each make `calls` calls: a
// syscall.Nanosleep (call=sleep) or a syscall.Read of a pipe that a helper writes to after the
// delay (call=pipe; the helper is a goroutine locked to its own OS thread, sleeping with
// syscall.Nanosleep). `computers` goroutines do chunks of spin work with runtime.Gosched after
// each (schedlab's R::yield) until the last blocker is done. The delays are the same splitmix64
// draws as in C++. `mode` is read and recorded but changes nothing: Go makes every such call
// through entersyscall, and sysmon retakes the P of a call that lasts (schedlab's
// mode=blocking); Go has no plain mode that keeps the P, nor an entersyscallblock for these.
package main

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var blockingSpecs = []paramSpec{
	{"blockers", "4", "Gs making blocking calls"},
	{"calls", "200", "blocking calls per blocker"},
	{"block_us", "200", "mean duration of a call in microseconds (0..1e6)"},
	{"dist", "fixed", "distribution of a call's duration: fixed, uniform (on [0, 2*mean]) or exp"},
	{"seed", "1", "seed of the durations"},
	{"call", "sleep", "sleep (nanosleep) or pipe (a read of a pipe a helper thread writes to after the delay)"},
	{"mode", "blocking", "blocking (R::blocking), handoff (R::blocking_handoff) or plain (the bare call)"},
	{"computers", "4", "compute Gs, each doing chunks of work until the blockers are done"},
	{"grain", "10000", "work per chunk (see grain_unit)"},
	{"grain_unit", "iters", "iters (spin-kernel iterations) or ns (calibrated at build time)"},
}

const (
	blockingNotReturned     = math.MinInt64
	blockingMaxPipeBlockers = 200
)

type blocking struct {
	blockers, calls, computers, iters uint64
	pipe, ran                         bool
	delays, took, chunks, sums        []uint64
	got                               []int64
	phaseNs                           uint64
}

func blockingChunkValue(c, k, iters uint64) uint64 { return spin(mix64((c<<40)^k), iters) }

func newBlocking(_, p params) (workload, error) {
	blockers, err := p.getInt("blockers", 1, 10_000)
	if err != nil {
		return nil, err
	}
	calls, err := p.getInt("calls", 1, 10_000_000)
	if err != nil {
		return nil, err
	}
	if blockers*calls > 10_000_000 {
		return nil, paramErrorf("blocking: blockers*calls = %d calls is more than 1e7", blockers*calls)
	}
	meanUs, err := p.getDouble("block_us", 0, 1e6)
	if err != nil {
		return nil, err
	}
	dist, err := p.getChoice("dist", "fixed", "uniform", "exp")
	if err != nil {
		return nil, err
	}
	seed, err := p.getInt("seed", 0, math.MaxInt64)
	if err != nil {
		return nil, err
	}
	call, err := p.getChoice("call", "sleep", "pipe")
	if err != nil {
		return nil, err
	}
	if call == "pipe" && blockers > blockingMaxPipeBlockers {
		return nil, paramErrorf("blocking: call=pipe takes at most %d blockers (a helper thread and two pipes each), not %d",
			blockingMaxPipeBlockers, blockers)
	}
	if _, err := p.getChoice("mode", "blocking", "handoff", "plain"); err != nil {
		return nil, err
	}
	computers, err := p.getInt("computers", 0, 10_000)
	if err != nil {
		return nil, err
	}
	g, err := readGrain(p, false)
	if err != nil {
		return nil, err
	}
	n := blockers * calls
	w := &blocking{blockers: uint64(blockers), calls: uint64(calls), computers: uint64(computers),
		pipe: call == "pipe", delays: make([]uint64, n), took: make([]uint64, n), got: make([]int64, n),
		chunks: make([]uint64, computers), sums: make([]uint64, computers)}
	w.iters = g.draw(&splitMix{}) // a fixed grain: the mean
	meanNs := meanUs * 1e3
	rng := &splitMix{state: uint64(seed)}
	for i := range w.delays {
		ns := meanNs
		switch dist {
		case "uniform":
			ns = 2 * meanNs * rng.uniform01()
		case "exp":
			ns = -meanNs * math.Log(1-rng.uniform01())
		}
		w.delays[i] = uint64(math.Round(ns))
		w.got[i] = blockingNotReturned
	}
	return w, nil
}

func sleepNs(ns uint64) int64 {
	ts := syscall.NsecToTimespec(int64(ns))
	for {
		var rest syscall.Timespec
		err := syscall.Nanosleep(&ts, &rest)
		if err == nil {
			return 0
		}
		if err != syscall.EINTR {
			return -1
		}
		ts = rest
	}
}

// responder is one blocker's request and reply pipes; its helper runs on its own OS thread.
type responder struct{ req, resp [2]int }

func startResponders(w *blocking) ([]responder, *sync.WaitGroup, error) {
	rs := make([]responder, w.blockers)
	var helpers sync.WaitGroup
	for b := range rs {
		if err := syscall.Pipe2(rs[b].req[:], syscall.O_CLOEXEC); err != nil {
			return nil, nil, err
		}
		if err := syscall.Pipe2(rs[b].resp[:], syscall.O_CLOEXEC); err != nil {
			return nil, nil, err
		}
		helpers.Add(1)
		go func(r responder, base uint64, delays []uint64) {
			runtime.LockOSThread()
			defer helpers.Done()
			var c [1]byte
			for i, d := range delays {
				if n, err := readRetry(r.req[0], c[:]); n != 1 || err != nil {
					return
				}
				sleepNs(d)
				c[0] = byte((base + uint64(i)) & 0xff)
				if n, err := writeRetry(r.resp[1], c[:]); n != 1 || err != nil {
					return
				}
			}
		}(rs[b], uint64(b)*w.calls, w.delays[uint64(b)*w.calls:uint64(b+1)*w.calls])
	}
	return rs, &helpers, nil
}

func readRetry(fd int, buf []byte) (int, error) {
	for {
		n, err := syscall.Read(fd, buf)
		if err != syscall.EINTR {
			return n, err
		}
	}
}

func writeRetry(fd int, buf []byte) (int, error) {
	for {
		n, err := syscall.Write(fd, buf)
		if err != syscall.EINTR {
			return n, err
		}
	}
}

func (r *responder) call() int64 {
	c := [1]byte{1}
	if n, err := writeRetry(r.req[1], c[:]); n != 1 || err != nil {
		return -1
	}
	if n, err := readRetry(r.resp[0], c[:]); n != 1 || err != nil {
		return -1
	}
	return int64(c[0])
}

func (w *blocking) run() {
	var rs []responder
	var helpers *sync.WaitGroup
	if w.pipe {
		var err error
		if rs, helpers, err = startResponders(w); err != nil {
			panic(fmt.Sprintf("blocking: pipe: %v", err))
		}
	}
	var stop atomic.Bool
	var blockersWg, computersWg sync.WaitGroup
	blockersWg.Add(int(w.blockers))
	computersWg.Add(int(w.computers))
	t0 := time.Now()
	iters := w.iters
	for c := uint64(0); c < w.computers; c++ {
		go func(c uint64) {
			var k, sum uint64
			for !stop.Load() {
				sum += blockingChunkValue(c, k, iters)
				k++
				runtime.Gosched()
			}
			w.chunks[c], w.sums[c] = k, sum
			computersWg.Done()
		}(c)
	}
	for b := uint64(0); b < w.blockers; b++ {
		go func(b uint64) {
			for i := uint64(0); i < w.calls; i++ {
				at := b*w.calls + i
				s := time.Now()
				var got int64
				if rs != nil {
					got = rs[b].call()
				} else {
					got = sleepNs(w.delays[at])
				}
				w.took[at] = uint64(time.Since(s).Nanoseconds())
				w.got[at] = got
			}
			blockersWg.Done()
		}(b)
	}
	blockersWg.Wait()
	w.phaseNs = uint64(time.Since(t0).Nanoseconds())
	stop.Store(true)
	computersWg.Wait()
	if rs != nil {
		for i := range rs {
			syscall.Close(rs[i].req[1]) // the helper's read returns 0: it ends
		}
		helpers.Wait()
		for i := range rs {
			syscall.Close(rs[i].req[0])
			syscall.Close(rs[i].resp[0])
			syscall.Close(rs[i].resp[1])
		}
	}
	w.ran = true
}

func (w *blocking) expectedReturn(at uint64) int64 {
	if w.pipe {
		return int64(at & 0xff)
	}
	return 0
}

func (w *blocking) check() result {
	var returned, right uint64
	for at, g := range w.got {
		if g != blockingNotReturned {
			returned++
		}
		if g == w.expectedReturn(uint64(at)) {
			right++
		}
	}
	var chunks uint64
	sumsOK := true
	for c := uint64(0); c < w.computers; c++ {
		var sum uint64
		for k := uint64(0); k < w.chunks[c]; k++ {
			sum += blockingChunkValue(c, k, w.iters)
		}
		sumsOK = sumsOK && sum == w.sums[c]
		chunks += w.chunks[c]
	}
	r := result{ok: w.ran && right == uint64(len(w.got)) && sumsOK}
	if w.ran {
		r.tasks = w.blockers + w.computers
		what := "the computers' sums match"
		if !sumsOK {
			what = "a computer's sum differs"
		}
		r.detail = fmt.Sprintf("%d of %d calls returned, %d with the expected value; %s", returned, len(w.got), right, what)
	} else {
		r.detail = "not run"
	}
	took := append([]uint64(nil), w.took...)
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	var rate, mean, p50, p99 string
	if w.ran && w.phaseNs > 0 {
		rate = strconv.FormatFloat(float64(chunks)/(float64(w.phaseNs)*1e-9), 'f', 1, 64)
	}
	if w.ran && len(took) > 0 {
		var total float64
		for _, t := range took {
			total += float64(t)
		}
		mean = strconv.FormatUint(uint64(math.Round(total/float64(len(took)))), 10)
		p50 = strconv.FormatUint(percentile(took, 0.50), 10)
		p99 = strconv.FormatUint(percentile(took, 0.99), 10)
	}
	r.extra = []kv{
		{"chunks_per_s", rate},
		{"chunks", strconv.FormatUint(chunks, 10)},
		{"calls", strconv.FormatUint(returned, 10)},
		{"call_mean_ns", mean},
		{"call_p50_ns", p50},
		{"call_p99_ns", p99},
		{"phase_ns", strconv.FormatUint(w.phaseNs, 10)},
	}
	return r
}
