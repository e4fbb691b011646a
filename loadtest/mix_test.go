package loadtest

import (
	"slices"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/access"
)

func TestParseMix(t *testing.T) {
	tests := []struct {
		in      string
		want    string // the mix spelled back; empty when an error is wanted
		wantErr string
	}{
		{in: "card=1,mac=1,pincode=1", want: "card=1,mac=1,pincode=1"},
		{in: "password", want: "password=1"},
		{in: " card = 3 , unknown_mac=2", want: "card=3,unknown_mac=2"},
		{in: "unknown_card=1,unknown_mac=1,token=5,email_pincode=1", want: "unknown_card=1,unknown_mac=1,token=5,email_pincode=1"},
		{in: "cards=1", wantErr: `"cards" is not a method`},
		{in: "", wantErr: `"" is not a method`},
		{in: "card=0", wantErr: "weight of card"},
		{in: "card=-1", wantErr: "weight of card"},
		{in: "card=x", wantErr: "weight of card"},
		{in: "card=1001", wantErr: "weight of card"},
		{in: "card=1,card=2", wantErr: "card is named twice"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			mix, err := ParseMix(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseMix(%q) error = %v, want one saying %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := mix.String(); got != tt.want {
				t.Errorf("ParseMix(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestSchedule(t *testing.T) {
	tests := []struct {
		mix  string
		want []int // the schedule, by index of the mix's methods
	}{
		{"card", []int{0}},
		{"card=1,mac=1,pincode=1", []int{0, 1, 2}},
		{"card=2,mac=1", []int{0, 1, 0}},
		{"card=1,mac=3", []int{1, 0, 1, 1}},
		{"card=2,mac=2", []int{0, 1, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.mix, func(t *testing.T) {
			got := mustMix(t, tt.mix).schedule()
			if !slices.Equal(got, tt.want) {
				t.Errorf("schedule of %s = %v, want %v", tt.mix, got, tt.want)
			}
		})
	}
}

func TestScheduleKeepsWeights(t *testing.T) {
	mix := mustMix(t, "card=7,mac=3,pincode=11,unknown_mac=1")
	counts := make([]int, len(mix.Methods))
	for _, i := range mix.schedule() {
		counts[i]++
	}
	if !slices.Equal(counts, mix.Weights) {
		t.Errorf("the schedule takes the methods %v times, want %v", counts, mix.Weights)
	}
}

// TestBodies checks that each method's body is a request the service reads
// as that method, naming the identity asked for.
func TestBodies(t *testing.T) {
	tests := []struct {
		method string
		id     int
		want   checkin.CheckinRequest
	}{
		{"card", 42, checkin.CheckinRequest{AccessCardID: "BENCH-0000042"}},
		{"mac", 258, checkin.CheckinRequest{MAC: "02:00:00:00:01:02"}},
		{"pincode", 7, checkin.CheckinRequest{Pincode: "10000007"}},
		{"email_pincode", 9_999_999, checkin.CheckinRequest{Email: "member9999999@bench.example", Pincode: "19999999"}},
		{"password", 0, checkin.CheckinRequest{Email: "member0000000@bench.example", Password: MemberPassword}},
		{"token", 3, checkin.CheckinRequest{Token: "BENCH-TOKEN-0000003", MAC: "02:00:01:00:00:03"}},
		{"unknown_card", 12_345_678, checkin.CheckinRequest{AccessCardID: "UNKNOWN-12345678"}},
		{"unknown_mac", maxIdentities - 1, checkin.CheckinRequest{MAC: "02:00:02:FF:FF:FF"}},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			body := MethodNamed(tt.method).body([]byte("leftover"), tt.id)[len("leftover"):]
			got, err := access.DecodeRequest(body)
			if err != nil {
				t.Fatalf("%s: %v", body, err)
			}
			if got != tt.want {
				t.Errorf("%s decodes to %+v, want %+v", body, got, tt.want)
			}
		})
	}
}

func TestAppendPadded(t *testing.T) {
	tests := []struct {
		n, width int
		want     string
	}{
		{0, 1, "0"}, {0, 3, "000"}, {5, 3, "005"}, {123, 3, "123"}, {12345, 3, "12345"}, {1234567, 7, "1234567"}, {9, 0, "9"},
	}
	for _, tt := range tests {
		if got := string(appendPadded(nil, tt.n, tt.width)); got != tt.want {
			t.Errorf("appendPadded(%d, %d) = %q, want %q", tt.n, tt.width, got, tt.want)
		}
	}
}

func TestIdentities(t *testing.T) {
	seed := SeedConfig{Members: 10_000, Tokens: 0}
	tests := []struct {
		method string
		want   int
	}{
		{"card", 10_000}, {"password", 10_000}, {"token", 1}, {"unknown_card", maxIdentities},
	}
	for _, tt := range tests {
		if got := MethodNamed(tt.method).identities(seed); got != tt.want {
			t.Errorf("%s cycles through %d identities, want %d", tt.method, got, tt.want)
		}
	}
}

func mustMix(t *testing.T, s string) Mix {
	t.Helper()
	mix, err := ParseMix(s)
	if err != nil {
		t.Fatal(err)
	}
	return mix
}

// The methods of a mix walk the same members from points apart, so that no
// member is named by two methods at once, as at no door.
func TestWalksStartApart(t *testing.T) {
	seed := SeedConfig{Members: 10_000, Tokens: 1_000}
	for _, tt := range []struct {
		mix  string
		want []uint64
	}{
		{"card=1,mac=1,pincode=1", []uint64{0, 3_333, 6_666}},
		{"token=1", []uint64{0}},
		{"card=1,token=1", []uint64{0, 500}},
	} {
		mix, err := ParseMix(tt.mix)
		if err != nil {
			t.Fatal(err)
		}
		if got := mix.walkStarts(seed); !slices.Equal(got, tt.want) {
			t.Errorf("%s: walks start at %v, want %v", tt.mix, got, tt.want)
		}
	}
}
