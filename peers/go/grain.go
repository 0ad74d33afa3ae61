// Grain of work for the synthetic workloads (workloads/include/schedlab/workloads/grain.hpp):
// the same mixing function, spin kernel and seeded generator, bit for bit, so that a seed
// gives the same graph, grains and hashes as in C++.
package main

import (
	"math"
	"math/bits"
	"sync"
	"time"
)

// mix64 is splitmix64's finaliser: every input bit reaches every output bit.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// spin runs iters dependent multiply-xorshift steps: a grain of work the compiler cannot
// vectorise or fold, linear in iters.
func spin(x, iters uint64) uint64 {
	for i := uint64(0); i < iters; i++ {
		x = (x^(x>>29))*0xbf58476d1ce4e5b9 + i
	}
	return x
}

// splitMix is splitmix64's counter-plus-mix sequence.
type splitMix struct{ state uint64 }

func (s *splitMix) next() uint64 {
	v := mix64(s.state * 0x9e3779b97f4a7c15)
	s.state++
	return v
}

// uniform01 is uniform in [0, 1) with 53 random bits.
func (s *splitMix) uniform01() float64 { return float64(s.next()>>11) * 0x1p-53 }

// below is uniform in [0, n) by multiply-shift (the high word of next * n).
func (s *splitMix) below(n uint64) uint64 {
	hi, _ := bits.Mul64(s.next(), n)
	return hi
}

var spinRate struct {
	once sync.Once
	rate float64
}

// spinItersPerNs measures this build's spin kernel once per process (best of five runs of
// 2^20 iterations, the least disturbed by other processes). Go's loop runs at its own speed,
// so grain_unit=ns gives the same time per task as in C++, not the same iterations.
func spinItersPerNs() float64 {
	spinRate.once.Do(func() {
		const iters = 1 << 20
		best := math.Inf(1)
		var sink uint64
		for r := 0; r < 5; r++ {
			t0 := time.Now()
			sink += spin(sink+uint64(r), iters)
			if d := float64(time.Since(t0).Nanoseconds()); d < best {
				best = d
			}
		}
		spinSink = sink
		spinRate.rate = iters / math.Max(best, 1)
	})
	return spinRate.rate
}

// spinSink keeps the calibration's result alive.
var spinSink uint64

type grainDist int

const (
	grainFixed grainDist = iota
	grainUniform
	grainExponential
)

// grain is how much work one task does: a distribution with a mean, in spin iterations.
type grain struct {
	dist      grainDist
	meanIters float64
}

// draw is one task's iterations, rounded half away from zero as llround does.
func (g grain) draw(rng *splitMix) uint64 {
	it := g.meanIters
	switch g.dist {
	case grainUniform:
		it = 2 * g.meanIters * rng.uniform01()
	case grainExponential:
		it = -g.meanIters * math.Log(1-rng.uniform01())
	}
	return uint64(math.Round(it))
}

// readGrain reads grain, grain_unit and (withDist) grain_dist.
func readGrain(p params, withDist bool) (grain, error) {
	var g grain
	unit, err := p.getChoice("grain_unit", "iters", "ns")
	if err != nil {
		return g, err
	}
	// At most about a second per task: larger is a typo, not an experiment.
	mean, err := p.getDouble("grain", 0, 1e9)
	if err != nil {
		return g, err
	}
	g.meanIters = mean
	if unit == "ns" {
		g.meanIters = mean * spinItersPerNs()
	}
	if withDist {
		d, err := p.getChoice("grain_dist", "fixed", "uniform", "exponential")
		if err != nil {
			return g, err
		}
		g.dist = map[string]grainDist{"fixed": grainFixed, "uniform": grainUniform, "exponential": grainExponential}[d]
	}
	return g, nil
}
