package radiusd

import "testing"

func TestCalledStation(t *testing.T) {
	tests := []struct{ in, ap, ssid string }{
		{"AA-BB-CC-00-11-22:Acme Guest", "AA:BB:CC:00:11:22", "Acme Guest"},
		{"aabbcc001122", "AA:BB:CC:00:11:22", ""},
		{"AA:BB:CC:00:11:22", "AA:BB:CC:00:11:22", ""},
		{"not a mac:ssid", "", ""},
	}
	for _, tt := range tests {
		if ap, ssid := calledStation(tt.in); ap != tt.ap || ssid != tt.ssid {
			t.Errorf("calledStation(%q) = %q, %q; want %q, %q", tt.in, ap, ssid, tt.ap, tt.ssid)
		}
	}
}

func TestParseClass(t *testing.T) {
	tests := []struct {
		in              string
		coworker, token int64
	}{
		{"checkin:m:12", 12, 0}, {"checkin:t:7", 0, 7}, {"checkin:x:7", 0, 0},
		{"checkin:m:-1", 0, 0}, {"other", 0, 0}, {"checkin:m:", 0, 0},
	}
	for _, tt := range tests {
		if c, tk := parseClass(tt.in); c != tt.coworker || tk != tt.token {
			t.Errorf("parseClass(%q) = %d, %d; want %d, %d", tt.in, c, tk, tt.coworker, tt.token)
		}
	}
}
