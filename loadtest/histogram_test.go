package loadtest

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := time.Millisecond
	oneToHundred := make([]time.Duration, 100)
	for i := range oneToHundred {
		oneToHundred[i] = time.Duration(i+1) * ms
	}
	tests := []struct {
		name   string
		values []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value, median", []time.Duration{3 * ms}, 50, 3 * ms},
		{"one value, p99", []time.Duration{3 * ms}, 99, 3 * ms},
		{"1..100 ms, p50", oneToHundred, 50, 50 * ms},
		{"1..100 ms, p90", oneToHundred, 90, 90 * ms},
		{"1..100 ms, p99", oneToHundred, 99, 99 * ms},
		{"1..100 ms, p100", oneToHundred, 100, 100 * ms},
		{"1..100 ms, p0.5 is the first", oneToHundred, 0.5, 1 * ms},
		{"nearest rank rounds up", []time.Duration{1 * ms, 2 * ms, 3 * ms}, 50, 2 * ms},
		{"an outlier does not move p50", []time.Duration{ms, ms, ms, ms, time.Minute}, 50, ms},
		{"an outlier is p99 of five", []time.Duration{ms, ms, ms, ms, time.Minute}, 99, time.Minute},
		{"small values are exact", []time.Duration{5, 17, 99}, 50, 17},
		{"negative is zero", []time.Duration{-5}, 50, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := new(Histogram)
			for _, v := range tt.values {
				h.Record(v)
			}
			got := h.Percentile(tt.p)
			if !within(got, tt.want, 1.0/(1<<subBits)) {
				t.Errorf("p%v = %v, want %v within 0.8 %%", tt.p, got, tt.want)
			}
			if got < tt.want {
				t.Errorf("p%v = %v, below %v: percentiles round up", tt.p, got, tt.want)
			}
		})
	}
}

func TestMaxIsExact(t *testing.T) {
	h := new(Histogram)
	for _, v := range []time.Duration{1234567, 7654321, 42} {
		h.Record(v)
	}
	if h.Max() != 7654321 || h.Percentile(100) != 7654321 || h.Count() != 3 {
		t.Errorf("max %v, p100 %v, count %d; want 7.654321ms, 7.654321ms, 3", h.Max(), h.Percentile(100), h.Count())
	}
}

// TestBuckets checks that every value lands in a bucket whose top is at or
// above it and within the histogram's precision.
func TestBuckets(t *testing.T) {
	values := []uint64{0, 1, 127, 128, 129, 255, 256, 1000, 1 << 20, 1<<20 + 1, 123456789, 1 << 37, 1<<38 - 1}
	for _, v := range values {
		i := bucketOf(v)
		top := bucketTop(i)
		if top < v || float64(top-v) > float64(v)/(1<<subBits) {
			t.Errorf("value %d: bucket %d tops at %d", v, i, top)
		}
		if i > 0 && bucketTop(i-1) >= v {
			t.Errorf("value %d: the bucket below, %d, tops at %d, not below it", v, i-1, bucketTop(i-1))
		}
	}
	if i := bucketOf(1 << 60); i != maxBucket-1 {
		t.Errorf("a value past the range lands in bucket %d, want the last, %d", i, maxBucket-1)
	}
}

func TestMerge(t *testing.T) {
	a, b := new(Histogram), new(Histogram)
	for i := 1; i <= 50; i++ {
		a.Record(time.Duration(i) * time.Millisecond)
		b.Record(time.Duration(i+50) * time.Millisecond)
	}
	a.Merge(b)
	if a.Count() != 100 || a.Max() != 100*time.Millisecond || !within(a.Percentile(75), 75*time.Millisecond, 1.0/128) {
		t.Errorf("merged: count %d, max %v, p75 %v; want 100, 100ms, 75ms", a.Count(), a.Max(), a.Percentile(75))
	}
}

func within(got, want time.Duration, rel float64) bool {
	diff := float64(got - want)
	if diff < 0 {
		diff = -diff
	}
	return diff <= float64(want)*rel
}
