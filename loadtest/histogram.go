package loadtest

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// subBits sets the histogram's precision: each power of two is split in
// 1<<subBits buckets, so a value is reported within 1/128 (0.8 %) of itself.
const subBits = 7

// maxBucket bounds recorded values at about 2^38 ns (4.6 minutes).
const maxBucket = (38-subBits+1)<<subBits + 1<<subBits

// A Histogram counts latencies in log-linear buckets. Record may be called
// from many goroutines at once; it does not allocate.
type Histogram struct {
	counts [maxBucket]atomic.Uint64
	n      atomic.Uint64
	max    atomic.Int64
}

// bucketOf returns the bucket of v nanoseconds: values below 1<<subBits
// have a bucket each; above, each power of two has 1<<subBits buckets.
func bucketOf(v uint64) int {
	if v < 1<<subBits {
		return int(v)
	}
	shift := bits.Len64(v) - 1 - subBits
	i := (shift+1)<<subBits + int(v>>shift) - 1<<subBits
	return min(i, maxBucket-1)
}

// bucketTop returns the largest value that falls in bucket i.
func bucketTop(i int) uint64 {
	if i < 1<<subBits {
		return uint64(i)
	}
	shift := i>>subBits - 1
	mantissa := uint64(i&(1<<subBits-1) | 1<<subBits)
	return (mantissa+1)<<shift - 1
}

// Record counts one latency.
func (h *Histogram) Record(d time.Duration) {
	v := max(int64(d), 0)
	h.counts[bucketOf(uint64(v))].Add(1)
	h.n.Add(1)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			return
		}
	}
}

// Count is the number of latencies recorded.
func (h *Histogram) Count() uint64 { return h.n.Load() }

// Max is the largest latency recorded, exactly.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max.Load()) }

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100): the
// smallest recorded value that at least p % of the values do not exceed,
// rounded up to its bucket's top (never above Max). Zero when empty.
func (h *Histogram) Percentile(p float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(p / 100 * float64(n))
	if float64(rank) < p/100*float64(n) {
		rank++ // ceil
	}
	rank = max(rank, 1)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			return min(time.Duration(bucketTop(i)), h.Max())
		}
	}
	return h.Max()
}

// Merge adds other's counts to h.
func (h *Histogram) Merge(other *Histogram) {
	for i := range other.counts {
		if c := other.counts[i].Load(); c > 0 {
			h.counts[i].Add(c)
		}
	}
	h.n.Add(other.n.Load())
	for {
		m, o := h.max.Load(), other.max.Load()
		if o <= m || h.max.CompareAndSwap(m, o) {
			return
		}
	}
}
