// The 64-bit Mersenne Twister (Matsumoto and Nishimura's MT19937-64, as std::mt19937_64 is
// specified) and libstdc++'s uniform_real_distribution<double> on it, so that matmul's random
// inputs are the C++ workload's, bit for bit.
package main

const (
	mtN         = 312
	mtM         = 156
	mtMatrixA   = 0xb5026f5aa96619e9
	mtUpperMask = 0xffffffff80000000
	mtLowerMask = 0x7fffffff
)

type mt19937x64 struct {
	state [mtN]uint64
	index int
}

func newMT19937x64(seed uint64) *mt19937x64 {
	g := &mt19937x64{index: mtN}
	g.state[0] = seed
	for i := 1; i < mtN; i++ {
		prev := g.state[i-1]
		g.state[i] = 6364136223846793005*(prev^(prev>>62)) + uint64(i)
	}
	return g
}

// twist regenerates the whole state block.
func (g *mt19937x64) twist() {
	for i := 0; i < mtN; i++ {
		y := (g.state[i] & mtUpperMask) | (g.state[(i+1)%mtN] & mtLowerMask)
		next := g.state[(i+mtM)%mtN] ^ (y >> 1)
		if y&1 != 0 {
			next ^= mtMatrixA
		}
		g.state[i] = next
	}
	g.index = 0
}

func (g *mt19937x64) next() uint64 {
	if g.index >= mtN {
		g.twist()
	}
	x := g.state[g.index]
	g.index++
	x ^= (x >> 29) & 0x5555555555555555
	x ^= (x << 17) & 0x71d67fffeda60000
	x ^= (x << 37) & 0xfff7eee000000000
	x ^= x >> 43
	return x
}

// canonical is libstdc++'s generate_canonical<double, 53> on a 64-bit engine: one draw,
// converted to double (round to nearest), divided by 2^64, and pulled below 1 when the
// rounding reached it.
func (g *mt19937x64) canonical() float64 {
	u := float64(g.next()) / 18446744073709551616.0
	if u >= 1 {
		u = 0x1.fffffffffffffp-1
	}
	return u
}

// uniform is uniform_real_distribution<double>(a, b) as libstdc++ computes it: u * (b - a) + a.
func (g *mt19937x64) uniform(a, b float64) float64 { return g.canonical()*(b-a) + a }
