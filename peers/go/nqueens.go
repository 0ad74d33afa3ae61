// nqueens: count the placements of n non-attacking queens, a goroutine per legal placement in
// every row above cutoff (workloads/.../nqueens.hpp); checked against OEIS A000170.
package main

import (
	"fmt"
	"sync"
)

const nqueensMaxN = 18

var nqueensSpecs = []paramSpec{
	{"n", "12", "board size, 1..18"},
	{"cutoff", "0", "rows from this one down are solved serially (0: a goroutine per placement)"},
}

// nqueensSolutions holds the number of solutions for n = 0..18 (OEIS A000170).
var nqueensSolutions = [nqueensMaxN + 1]uint64{
	1, 1, 0, 0, 2, 10, 4, 40, 92, 352, 724, 2680, 14200, 73712, 365596, 2279184, 14772512,
	95815104, 666090624}

type nqueensWorkload struct {
	n, cutoff        int
	solutions, tasks uint64
}

func newNQueens(_, p params) (workload, error) {
	n, err := p.getInt("n", 1, nqueensMaxN)
	if err != nil {
		return nil, err
	}
	cutoff, err := p.getInt("cutoff", 0, nqueensMaxN)
	if err != nil {
		return nil, err
	}
	return &nqueensWorkload{n: int(n), cutoff: int(cutoff)}, nil
}

// board holds the queens of rows 0..row-1 as bit masks of the columns they attack in row.
type board struct {
	n, row            int
	cols, left, right uint32
}

func (b board) free() uint32 { return ^(b.cols | b.left | b.right) & (1<<uint(b.n) - 1) }

func (b board) with(bit uint32) board {
	return board{b.n, b.row + 1, b.cols | bit, (b.left | bit) << 1, (b.right | bit) >> 1}
}

func nqueensSerial(b board) uint64 {
	if b.row == b.n {
		return 1
	}
	var count uint64
	for avail := b.free(); avail != 0; avail &= avail - 1 {
		count += nqueensSerial(b.with(avail & -avail))
	}
	return count
}

type nqueensAnswer struct{ solutions, tasks uint64 }

func nqueensPlace(b board, cutoff int) nqueensAnswer {
	if b.row == b.n {
		return nqueensAnswer{1, 0}
	}
	if cutoff > 0 && b.row >= cutoff {
		return nqueensAnswer{nqueensSerial(b), 0}
	}
	var below [nqueensMaxN]nqueensAnswer
	var wg sync.WaitGroup
	k := 0
	for avail := b.free(); avail != 0; avail &= avail - 1 {
		wg.Add(1)
		go func(out *nqueensAnswer, next board) {
			*out = nqueensPlace(next, cutoff)
			wg.Done()
		}(&below[k], b.with(avail&-avail))
		k++
	}
	wg.Wait()
	a := nqueensAnswer{tasks: uint64(k)}
	for _, x := range below[:k] {
		a.solutions += x.solutions
		a.tasks += x.tasks
	}
	return a
}

func (w *nqueensWorkload) run() {
	a := nqueensPlace(board{n: w.n}, w.cutoff)
	w.solutions, w.tasks = a.solutions, a.tasks
}

func (w *nqueensWorkload) check() result {
	return exactCheck(w.tasks, w.solutions, nqueensSolutions[w.n],
		fmt.Sprintf("%d-queens: %d solutions", w.n, w.solutions), "solutions")
}
