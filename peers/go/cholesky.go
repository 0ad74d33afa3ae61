// cholesky: tiled Cholesky factorisation A = L L^T as a dependency DAG of tile tasks
// (workloads/src/cholesky.cpp): POTRF(k), TRSM(i,k), SYRK(i,k), GEMM(i,j,k) on b x b tiles,
// each started by its last finishing predecessor (dag.go). The same matrix (splitmix64 of the
// entry's position), the same graph and so the same task count as in C++.
//
// Difference from C++: the four tile kernels are plain Go loops (unblocked left-looking
// Cholesky, column-by-column substitution, rank-b updates), not Eigen's LLT, triangular solve
// and blocked products, so a tile takes longer and the residual differs in its last digits.
// The check is the same: ||A - L L^T||_F / ||A||_F below 1e-10 and no POTRF failed.
package main

import (
	"fmt"
	"math"
	"strconv"
	"sync/atomic"
)

var choleskySpecs = []paramSpec{
	{"n", "1024", "matrix order (a multiple of tile)"},
	{"tile", "128", "tile order b: tasks work on b x b tiles"},
	{"seed", "1", "seed of the matrix"},
	{"measure", "0", "1: measure each task and report work_ns, span_ns, parallelism"},
}

// choleskyMaxTiles: above this many tiles per side the DAG has millions of tiny tasks.
const choleskyMaxTiles = 256

// choleskyTolerance: a backward-stable factorisation of this well-conditioned matrix leaves a
// residual near 1e-16; a wrong or missing tile update leaves one of order 1.
const choleskyTolerance = 1e-10

type tileKind uint8

const (
	tilePotrf tileKind = iota
	tileTrsm
	tileSyrk
	tileGemm
)

// tileTask writes tile (i, j) at step k; first marks the tile's first writer, which copies
// the tile from the input so that a run never modifies it.
type tileTask struct {
	kind    tileKind
	first   bool
	i, j, k uint32
}

type cholesky struct {
	n, b, tiles uint32
	measure     bool
	input, work []float64 // lower tiles only, each b x b column-major and contiguous
	potrfOK     []bool
	tasks       []tileTask
	g           *dag
	pending     []atomic.Uint32
	durations   []uint64
	ran         bool
}

func tileIndex(i, j uint32) int { return int(i)*(int(i)+1)/2 + int(j) }

func (w *cholesky) tile(s []float64, i, j uint32) []float64 {
	size := int(w.b) * int(w.b)
	at := tileIndex(i, j) * size
	return s[at : at+size]
}

// choleskyEntry is entry (r, c), r > c, of the symmetric input: uniform in [-1, 1) from
// (seed, r, c) alone.
func choleskyEntry(seed, r, c, n uint64) float64 {
	return 2.0*float64(mix64(seed^mix64(r*n+c))>>11)*0x1p-53 - 1.0
}

func newCholesky(_, p params) (workload, error) {
	n, err := p.getInt("n", 1, 8192)
	if err != nil {
		return nil, err
	}
	b, err := p.getInt("tile", 1, 4096)
	if err != nil {
		return nil, err
	}
	if n%b != 0 {
		return nil, paramErrorf("cholesky: n=%d is not a multiple of tile=%d", n, b)
	}
	if n/b > choleskyMaxTiles {
		return nil, paramErrorf("cholesky: n/tile = %d tiles per side is more than %d", n/b, choleskyMaxTiles)
	}
	seed, err := p.getInt("seed", 0, math.MaxInt64)
	if err != nil {
		return nil, err
	}
	measure, err := p.getBool("measure")
	if err != nil {
		return nil, err
	}
	w := &cholesky{n: uint32(n), b: uint32(b), tiles: uint32(n / b), measure: measure}
	ntiles := tileIndex(w.tiles, 0)
	w.input = make([]float64, ntiles*int(b*b))
	w.work = make([]float64, len(w.input))
	for ti := uint32(0); ti < w.tiles; ti++ {
		for tj := uint32(0); tj <= ti; tj++ {
			t := w.tile(w.input, ti, tj)
			for c := uint32(0); c < w.b; c++ {
				for r := uint32(0); r < w.b; r++ {
					gr, gc := uint64(ti)*uint64(w.b)+uint64(r), uint64(tj)*uint64(w.b)+uint64(c)
					var v float64
					switch {
					case gr == gc:
						v = float64(w.n) + 1.0
					case gr > gc:
						v = choleskyEntry(uint64(seed), gr, gc, uint64(w.n))
					default: // upper part of a diagonal tile: the mirror entry
						v = choleskyEntry(uint64(seed), gc, gr, uint64(w.n))
					}
					t[int(c)*int(w.b)+int(r)] = v
				}
			}
		}
	}
	if w.g, err = w.buildGraph(ntiles); err != nil {
		return nil, err
	}
	w.pending = make([]atomic.Uint32, w.g.size())
	if measure {
		w.durations = make([]uint64, w.g.size())
	}
	return w, nil
}

// buildGraph lists the tasks in the order of the sequential right-looking algorithm (a
// topological order). A task depends on the last writer of its own tile and on the tasks
// that produced the tiles it reads.
func (w *cholesky) buildGraph(ntiles int) (*dag, error) {
	last := make([]int64, ntiles)
	for i := range last {
		last[i] = -1
	}
	var edges []edge
	add := func(kind tileKind, i, j, k uint32, reads ...uint32) uint32 {
		id := uint32(len(w.tasks))
		prev := &last[tileIndex(i, j)]
		if *prev >= 0 {
			edges = append(edges, edge{uint32(*prev), id})
		}
		for _, r := range reads {
			edges = append(edges, edge{r, id})
		}
		w.tasks = append(w.tasks, tileTask{kind, *prev < 0, i, j, k})
		*prev = int64(id)
		return id
	}
	trsmOf := make([]uint32, w.tiles)
	for k := uint32(0); k < w.tiles; k++ {
		pk := add(tilePotrf, k, k, k)
		for i := k + 1; i < w.tiles; i++ {
			trsmOf[i] = add(tileTrsm, i, k, k, pk)
		}
		for i := k + 1; i < w.tiles; i++ {
			add(tileSyrk, i, i, k, trsmOf[i])
			for j := k + 1; j < i; j++ {
				add(tileGemm, i, j, k, trsmOf[i], trsmOf[j])
			}
		}
	}
	return newDag(uint32(len(w.tasks)), edges)
}

// potrf factors the lower triangle of a in place (left-looking, a column at a time); false
// when a pivot is not positive.
func potrf(a []float64, b int) bool {
	for j := 0; j < b; j++ {
		col := a[j*b : (j+1)*b]
		for p := 0; p < j; p++ {
			colP := a[p*b : (p+1)*b]
			ljp := colP[j]
			for i := j; i < b; i++ {
				col[i] -= colP[i] * ljp
			}
		}
		if !(col[j] > 0) {
			return false
		}
		d := math.Sqrt(col[j])
		col[j] = d
		for i := j + 1; i < b; i++ {
			col[i] /= d
		}
	}
	return true
}

// trsm solves X L^T = A for X in place of a (L lower triangular), a column of X at a time.
func trsm(l, a []float64, b int) {
	for c := 0; c < b; c++ {
		col := a[c*b : (c+1)*b]
		for p := 0; p < c; p++ {
			lcp := l[p*b+c]
			colP := a[p*b : (p+1)*b]
			for r := range col {
				col[r] -= lcp * colP[r]
			}
		}
		d := l[c*b+c]
		for r := range col {
			col[r] /= d
		}
	}
}

// subtractProduct does C -= Li Lj^T: SYRK (Li = Lj, lower triangle of C only) and GEMM.
func subtractProduct(li, lj, c []float64, b int, lowerOnly bool) {
	for j := 0; j < b; j++ {
		col := c[j*b : (j+1)*b]
		from := 0
		if lowerOnly {
			from = j
		}
		for p := 0; p < b; p++ {
			colP := li[p*b : (p+1)*b]
			v := lj[p*b+j]
			for i := from; i < b; i++ {
				col[i] -= colP[i] * v
			}
		}
	}
}

func (w *cholesky) runTask(t tileTask) {
	b := int(w.b)
	out := w.tile(w.work, t.i, t.j)
	if t.first {
		copy(out, w.tile(w.input, t.i, t.j))
	}
	switch t.kind {
	case tilePotrf:
		w.potrfOK[t.k] = potrf(out, b)
	case tileTrsm:
		trsm(w.tile(w.work, t.k, t.k), out, b)
	case tileSyrk:
		lik := w.tile(w.work, t.i, t.k)
		subtractProduct(lik, lik, out, b, true)
	case tileGemm:
		subtractProduct(w.tile(w.work, t.i, t.k), w.tile(w.work, t.j, t.k), out, b, false)
	}
}

func (w *cholesky) run() {
	w.potrfOK = make([]bool, w.tiles)
	dagRun(w.g, w.pending, func(v uint32) { w.runTask(w.tasks[v]) }, w.durations)
	w.ran = true
}

// residual is ||A - L L^T||_F / ||A||_F over the lower triangles (off-diagonal entries count
// twice), with A and L copied out of the tiles into dense row-major matrices.
func (w *cholesky) residual() float64 {
	n, b := int(w.n), int(w.b)
	a, l := make([]float64, n*n), make([]float64, n*n)
	for ti := uint32(0); ti < w.tiles; ti++ {
		for tj := uint32(0); tj <= ti; tj++ {
			in, lt := w.tile(w.input, ti, tj), w.tile(w.work, ti, tj)
			for c := 0; c < b; c++ {
				for r := 0; r < b; r++ {
					gr, gc := int(ti)*b+r, int(tj)*b+c
					if gr >= gc {
						a[gr*n+gc], l[gr*n+gc] = in[c*b+r], lt[c*b+r]
					}
				}
			}
		}
	}
	var aSq, dSq float64
	for i := 0; i < n; i++ {
		li := l[i*n : i*n+i+1]
		for j := 0; j <= i; j++ {
			lj := l[j*n : j*n+j+1]
			dot := 0.0
			for p, x := range lj {
				dot += li[p] * x
			}
			weight := 2.0
			if i == j {
				weight = 1.0
			}
			aij := a[i*n+j]
			aSq += weight * aij * aij
			d := aij - dot
			dSq += weight * d * d
		}
	}
	return math.Sqrt(dSq) / math.Sqrt(aSq)
}

func (w *cholesky) check() result {
	r := result{}
	residual := "" // empty when not run, as in C++
	if !w.ran {
		r.detail = "not run"
	} else {
		r.tasks = uint64(len(w.tasks))
		res := w.residual()
		failed := 0
		for _, ok := range w.potrfOK {
			if !ok {
				failed++
			}
		}
		r.ok = failed == 0 && res < choleskyTolerance // false for a NaN residual too
		r.detail = fmt.Sprintf("||A - L L^T|| / ||A|| = %.3g (tolerance %.0e), %d POTRF failed", res, choleskyTolerance, failed)
		residual = fmt.Sprintf("%.3e", res)
	}
	r.extra = []kv{{"residual", residual}, {"tiles", strconv.FormatUint(uint64(w.tiles), 10)}}
	var work, span uint64
	if w.ran && w.measure {
		work, span = workAndSpan(w.g, w.durations)
	}
	r.extra = append(r.extra, workSpanColumns(w.ran && w.measure, work, span)...)
	return r
}
