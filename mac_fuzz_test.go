package checkin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/internal/fuzztest"
)

// FuzzNormalizeMAC holds that a MAC address has one canonical spelling:
// what NormalizeMAC returns is 17 characters of AA:BB:..., normalises to
// itself, and is what any other spelling of the same digits gives; and
// ParseMACList never returns what NormalizeMAC would refuse.
func FuzzNormalizeMAC(f *testing.F) {
	for _, s := range []string{"AA:BB:CC:DD:EE:FF", "aa-bb-cc-dd-ee-ff", "aabb.ccdd.eeff", "AABBCCDDEEFF",
		"aa bb cc dd ee ff", "AA:BB:CC:DD:EE", "AA:BB:CC:DD:EE:FF:00", "GG:BB:CC:DD:EE:FF", "", ":::::", "ａａ:bb:cc:dd:ee:ff",
		"AA:BB:CC:DD:EE:FF, aa-bb-cc-dd-ee-ff,,11:22:33:44:55:66"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzztest.Within(t, 2*time.Second, s, func() {
			mac, ok := checkin.NormalizeMAC(s)
			if ok {
				checkCanonicalMAC(t, s, mac)
				if again, ok := checkin.NormalizeMAC(strings.ToLower(strings.ReplaceAll(mac, ":", "-"))); !ok || again != mac {
					t.Errorf("NormalizeMAC(%q) = %q, but its hyphenated lower-case spelling gives %q, %v", s, mac, again, ok)
				}
			} else if mac != "" {
				t.Errorf("NormalizeMAC(%q) refused it but returned %q", s, mac)
			}
			list, err := checkin.ParseMACList(s)
			if err != nil {
				return
			}
			seen := map[string]bool{}
			for _, m := range list {
				checkCanonicalMAC(t, s, m)
				if seen[m] {
					t.Errorf("ParseMACList(%q) = %q holds %s twice", s, list, m)
				}
				seen[m] = true
			}
		})
	})
}

func checkCanonicalMAC(t *testing.T, input, mac string) {
	if len(mac) != 17 {
		t.Errorf("%q gave %q, not 17 characters", input, mac)
		return
	}
	for i := 0; i < len(mac); i++ {
		c := mac[i]
		if i%3 == 2 && c != ':' || i%3 != 2 && !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F') {
			t.Errorf("%q gave %q, not AA:BB:CC:DD:EE:FF", input, mac)
			return
		}
	}
	if again, ok := checkin.NormalizeMAC(mac); !ok || again != mac {
		t.Errorf("%q gave %q, which normalises to %q, %v", input, mac, again, ok)
	}
}
