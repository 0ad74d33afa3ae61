// matmul: C = A * B by divide and conquer, the Cilk way (workloads/.../matmul.hpp): split
// every dimension larger than leaf in two, run the up to four products of a phase in parallel
// (the last one inline), wait, then the second phase. The same inputs as in C++ (mt19937_64
// and libstdc++'s uniform_real_distribution), the same blocks and the same task count.
//
// Difference from C++: the leaf product is a plain Go triple loop (column-major, j-p-i order),
// not Eigen's vectorised lazyProduct, so a leaf takes several times longer; and the reference
// product of the check is a plain loop too (untimed), not Eigen's GEMM.
package main

import (
	"fmt"
	"math"
	"runtime"
	"sync"
)

var matmulSpecs = []paramSpec{
	{"n", "512", "matrix size n x n, 1..4096"},
	{"leaf", "64", "blocks this size or smaller are multiplied serially (plain loops), 1..4096"},
	{"seed", "1", "seed of the random inputs (entries uniform in [-1, 1])"},
}

// view is a column-major block: element (i, j) at data[off + i + j*ld].
type view struct {
	data    []float64
	off, ld int
}

func (v view) at(i, j int) view { return view{v.data, v.off + i + j*v.ld, v.ld} }

type matmul struct {
	n, leaf int
	a, b, c []float64
	tasks   uint64
}

func newMatmul(_, p params) (workload, error) {
	n, err := p.getInt("n", 1, 4096)
	if err != nil {
		return nil, err
	}
	leaf, err := p.getInt("leaf", 1, 4096)
	if err != nil {
		return nil, err
	}
	seed, err := p.getInt("seed", 0, math.MaxInt64)
	if err != nil {
		return nil, err
	}
	w := &matmul{n: int(n), leaf: int(leaf)}
	w.a, w.b = matmulInputs(uint64(seed), w.n)
	w.c = make([]float64, len(w.a))
	return w, nil
}

// matmulInputs draws A then B (n x n, column-major) from one generator.
func matmulInputs(seed uint64, n int) (a, b []float64) {
	g := newMT19937x64(seed)
	a, b = make([]float64, n*n), make([]float64, n*n)
	for i := range a {
		a[i] = g.uniform(-1, 1)
	}
	for i := range b {
		b[i] = g.uniform(-1, 1)
	}
	return a, b
}

// leafMultiply does C (m x q) += A (m x k) * B (k x q) with plain loops.
func leafMultiply(c, a, b view, m, k, q int) {
	for j := 0; j < q; j++ {
		col := c.data[c.off+j*c.ld : c.off+j*c.ld+m]
		for p := 0; p < k; p++ {
			bpj := b.data[b.off+p+j*b.ld]
			arow := a.data[a.off+p*a.ld : a.off+p*a.ld+m]
			for i := range col {
				col[i] += arow[i] * bpj
			}
		}
	}
}

func halves(x, leaf int) [2]int {
	if x <= leaf {
		return [2]int{x, 0}
	}
	return [2]int{x / 2, x - x/2}
}

// matmulProduct is one sub-product of a phase and the goroutines it started.
type matmulProduct struct {
	c, a, b       view
	m, k, q, leaf int
	tasks         uint64
}

func (p *matmulProduct) run() { p.tasks = multiply(p.c, p.a, p.b, p.m, p.k, p.q, p.leaf) }

// multiply does C (m x q) += A (m x k) * B (k x q) and returns the goroutines it started.
func multiply(c, a, b view, m, k, q, leaf int) uint64 {
	if m <= leaf && k <= leaf && q <= leaf {
		leafMultiply(c, a, b, m, k, q)
		return 0
	}
	ms, ks, qs := halves(m, leaf), halves(k, leaf), halves(q, leaf)
	var tasks uint64
	for kk := 0; kk < 2 && ks[kk] > 0; kk++ {
		k0 := 0
		if kk == 1 {
			k0 = ks[0]
		}
		// The products of one phase write disjoint blocks of C.
		var sub [4]matmulProduct
		count := 0
		for ii := 0; ii < 2 && ms[ii] > 0; ii++ {
			for jj := 0; jj < 2 && qs[jj] > 0; jj++ {
				i0, j0 := 0, 0
				if ii == 1 {
					i0 = ms[0]
				}
				if jj == 1 {
					j0 = qs[0]
				}
				sub[count] = matmulProduct{c.at(i0, j0), a.at(i0, k0), b.at(k0, j0), ms[ii], ks[kk], qs[jj], leaf, 0}
				count++
			}
		}
		var wg sync.WaitGroup
		wg.Add(count - 1)
		for i := 0; i+1 < count; i++ {
			go func(p *matmulProduct) {
				p.run()
				wg.Done()
			}(&sub[i])
		}
		sub[count-1].run()
		wg.Wait()
		tasks += uint64(count - 1)
		for i := 0; i < count; i++ {
			tasks += sub[i].tasks
		}
	}
	return tasks
}

func (w *matmul) run() {
	for i := range w.c {
		w.c[i] = 0
	}
	full := func(s []float64) view { return view{s, 0, w.n} }
	w.tasks = multiply(full(w.c), full(w.a), full(w.b), w.n, w.n, w.n, w.leaf)
}

// referenceProduct is A * B as n^2 dot products (A transposed first so both operands are
// read in order), a different summation order from the leaves' and code of its own; its
// columns are split over GOMAXPROCS goroutines. Untimed: it only checks the answer.
func referenceProduct(a, b []float64, n int) []float64 {
	at := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for p := 0; p < n; p++ {
			at[p+i*n] = a[i+p*n]
		}
	}
	c := make([]float64, n*n)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(lo, hi int) {
			for j := lo; j < hi; j++ {
				bj := b[j*n : (j+1)*n]
				for i := 0; i < n; i++ {
					ai := at[i*n : (i+1)*n]
					sum := 0.0
					for p, x := range ai {
						sum += x * bj[p]
					}
					c[i+j*n] = sum
				}
			}
			wg.Done()
		}(n*w/workers, n*(w+1)/workers)
	}
	wg.Wait()
	return c
}

func (w *matmul) check() result {
	ref := referenceProduct(w.a, w.b, w.n)
	maxErr := 0.0
	for i := range w.c {
		d := math.Abs(w.c[i] - ref[i])
		if !(d <= maxErr) {
			maxErr = d // a NaN is an error too
		}
	}
	// Entries are sums of n products of numbers in [-1, 1]: rounding leaves errors near
	// n * 1e-16; a missing or doubled block is off by about 1.
	tol := 1e-10 * float64(w.n)
	r := result{tasks: w.tasks, ok: maxErr <= tol}
	r.detail = fmt.Sprintf("max |C - A*B| = %.3g (tolerance %.3g)", maxErr, tol)
	r.extra = []kv{{"max_abs_error", fmt.Sprintf("%.3g", maxErr)}}
	return r
}
