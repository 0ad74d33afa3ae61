// fib: naive doubly recursive Fibonacci, a goroutine per call (workloads/.../fib.hpp).
// spawn=one: `go fib(n-1)`, fib(n-2) inline, then wait; spawn=both: two goroutines, then wait.
// Calls with n < cutoff run serially. tasks counts the goroutines started.
package main

import (
	"fmt"
	"sync"
)

var fibSpecs = []paramSpec{
	{"n", "30", "compute fib(n), 0..60"},
	{"cutoff", "0", "calls with n below this run serially (0: a goroutine per call)"},
	{"spawn", "one", "one: go fib(n-1), run fib(n-2) inline; both: go both"},
}

type fibWorkload struct {
	n, cutoff    int
	both         bool
	value, tasks uint64
}

func newFib(_, p params) (workload, error) {
	n, err := p.getInt("n", 0, 60)
	if err != nil {
		return nil, err
	}
	cutoff, err := p.getInt("cutoff", 0, 60)
	if err != nil {
		return nil, err
	}
	spawn, err := p.getChoice("spawn", "one", "both")
	if err != nil {
		return nil, err
	}
	return &fibWorkload{n: int(n), cutoff: int(cutoff), both: spawn == "both"}, nil
}

// fibAnswer is a call's value and the goroutines started in its subtree.
type fibAnswer struct{ value, tasks uint64 }

func fibSerial(n int) uint64 {
	if n < 2 {
		return uint64(n)
	}
	return fibSerial(n-1) + fibSerial(n-2)
}

func fibOne(n, cutoff int) fibAnswer {
	if n < 2 {
		return fibAnswer{uint64(n), 0}
	}
	if n < cutoff {
		return fibAnswer{fibSerial(n), 0}
	}
	var a fibAnswer
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		a = fibOne(n-1, cutoff)
		wg.Done()
	}()
	b := fibOne(n-2, cutoff)
	wg.Wait()
	return fibAnswer{a.value + b.value, a.tasks + b.tasks + 1}
}

func fibBoth(n, cutoff int) fibAnswer {
	if n < 2 {
		return fibAnswer{uint64(n), 0}
	}
	if n < cutoff {
		return fibAnswer{fibSerial(n), 0}
	}
	var a, b fibAnswer
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		a = fibBoth(n-1, cutoff)
		wg.Done()
	}()
	go func() {
		b = fibBoth(n-2, cutoff)
		wg.Done()
	}()
	wg.Wait()
	return fibAnswer{a.value + b.value, a.tasks + b.tasks + 2}
}

func (w *fibWorkload) run() {
	var a fibAnswer
	if w.both {
		a = fibBoth(w.n, w.cutoff)
	} else {
		a = fibOne(w.n, w.cutoff)
	}
	w.value, w.tasks = a.value, a.tasks
}

// fibIterative is the reference the recursive answer is checked against.
func fibIterative(n int) uint64 {
	var a, b uint64 = 0, 1
	for i := 0; i < n; i++ {
		a, b = b, a+b
	}
	return a
}

func (w *fibWorkload) check() result {
	return exactCheck(w.tasks, w.value, fibIterative(w.n), fmt.Sprintf("fib(%d) = %d", w.n, w.value), "value")
}
