package profile

import (
	"math"
	"math/bits"
)

// hllPrecision 14 gives 16,384 one-byte registers (16 KiB a column) and a
// standard error of 1.04/√16384 ≈ 0.8 %.
const hllPrecision = 14

// hyperLogLog estimates the number of distinct 64-bit hashes it was fed
// (Flajolet et al. 2007, with linear counting for small cardinalities).
type hyperLogLog struct {
	reg [1 << hllPrecision]uint8
}

func (h *hyperLogLog) add(x uint64) {
	i := x >> (64 - hllPrecision)
	// rank: position of the first 1 in the remaining bits; the guard bit
	// bounds it when they are all 0.
	w := x<<hllPrecision | 1<<(hllPrecision-1)
	if r := uint8(bits.LeadingZeros64(w) + 1); r > h.reg[i] {
		h.reg[i] = r
	}
}

func (h *hyperLogLog) estimate() int64 {
	const m = float64(1 << hllPrecision)
	sum, zeros := 0.0, 0
	for _, r := range h.reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros))
	}
	return int64(math.Round(e))
}
