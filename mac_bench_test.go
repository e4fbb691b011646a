package checkin_test

import (
	"testing"

	"github.com/checkin-oss/checkin"
)

// BenchmarkNormalizeMAC spells one MAC address in each way clients send it.
func BenchmarkNormalizeMAC(b *testing.B) {
	spellings := []struct{ name, mac string }{
		{"colons", "AA:BB:CC:DD:EE:01"},
		{"hyphens_lower", "aa-bb-cc-dd-ee-01"},
		{"dots", "aabb.ccdd.ee01"},
		{"bare", "AABBCCDDEE01"},
		{"invalid", "AA:BB:CC:DD:EE:GG"},
	}
	for _, s := range spellings {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				checkin.NormalizeMAC(s.mac)
			}
		})
	}
}

func BenchmarkParseMACList(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := checkin.ParseMACList("AA:BB:CC:DD:EE:01, aa-bb-cc-dd-ee-02,aabb.ccdd.ee03"); err != nil {
			b.Fatal(err)
		}
	}
}
