package checkin

import (
	"fmt"
	"strings"
)

// NormalizeMAC returns the canonical spelling (AA:BB:CC:DD:EE:FF) of a MAC
// address written with colons, hyphens, dots, spaces or no separators, in
// either case. ok is false when s is not 12 hexadecimal digits.
func NormalizeMAC(s string) (mac string, ok bool) {
	var hex [12]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':' || c == '-' || c == '.' || c == ' ':
			continue
		case c >= '0' && c <= '9', c >= 'A' && c <= 'F':
		case c >= 'a' && c <= 'f':
			c -= 'a' - 'A'
		default:
			return "", false
		}
		if n == len(hex) {
			return "", false
		}
		hex[n] = c
		n++
	}
	if n != len(hex) {
		return "", false
	}
	var b strings.Builder
	b.Grow(17)
	for i := 0; i < len(hex); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.Write(hex[i : i+2])
	}
	return b.String(), true
}

// ParseMACList reads a comma-separated list of MAC addresses into canonical
// spellings without duplicates. Empty items are skipped.
func ParseMACList(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		mac, ok := NormalizeMAC(item)
		if !ok {
			return nil, fmt.Errorf("%q is not a MAC address such as AA:BB:CC:DD:EE:FF", item)
		}
		if !seen[mac] {
			seen[mac] = true
			out = append(out, mac)
		}
	}
	return out, nil
}

// SplitList splits a comma-separated list, trimming items and dropping empty
// ones and duplicates.
func SplitList(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item != "" && !seen[item] {
			seen[item] = true
			out = append(out, item)
		}
	}
	return out
}
