// Package loadtest drives the check-in service the way doors, kiosks and
// Wi-Fi controllers do: it seeds a location with members through the store,
// sends POST /api/public/checkin over real HTTP with a mix of methods and
// reports throughput and latency per method, the server's memory, the list
// of failed check-ins, and the ceiling of a plain net/http handler on the
// same machine. cmd/checkin-bench is its command line.
package loadtest

// The seeded records and the requests name one another through these
// functions: member i has pincode 1xxxxxxx, card BENCH-xxxxxxx and device
// 02:00:00:xx:xx:xx; token i has code BENCH-TOKEN-xxxxxxx and is used from
// device 02:00:01:xx:xx:xx. Refused requests name cards and devices that
// no one holds: UNKNOWN-xxxxxxxx and 02:00:02:xx:xx:xx.

// MemberPassword is every seeded member's password.
const MemberPassword = "bench-password"

// Admin is the administrator the seed creates, for the list benchmark.
const (
	AdminEmail    = "admin@bench.example"
	AdminPassword = "bench-admin-password"
)

// maxIdentities is how many distinct members, tokens or unknown devices the
// spelling below can name (three bytes of a MAC address).
const maxIdentities = 1 << 24

func appendMemberName(b []byte, i int) []byte { return appendPadded(append(b, "Member "...), i, 7) }

func appendEmail(b []byte, i int) []byte {
	return append(appendPadded(append(b, "member"...), i, 7), "@bench.example"...)
}

func appendPincode(b []byte, i int) []byte { return appendPadded(append(b, '1'), i, 7) }

func appendCard(b []byte, i int) []byte { return appendPadded(append(b, "BENCH-"...), i, 7) }

func appendMemberMAC(b []byte, i int) []byte { return appendMAC(b, 0, i) }

func appendTokenCode(b []byte, i int) []byte { return appendPadded(append(b, "BENCH-TOKEN-"...), i, 7) }

func appendTokenMAC(b []byte, i int) []byte { return appendMAC(b, 1, i) }

func appendUnknownCard(b []byte, i int) []byte { return appendPadded(append(b, "UNKNOWN-"...), i, 8) }

func appendUnknownMAC(b []byte, i int) []byte { return appendMAC(b, 2, i) }

// appendMAC appends 02:00:<kind>:<i as three bytes>, a locally administered
// address, in the canonical spelling.
func appendMAC(b []byte, kind byte, i int) []byte {
	b = append(b, "02:00:"...)
	b = appendHexByte(b, kind)
	for shift := 16; shift >= 0; shift -= 8 {
		b = appendHexByte(append(b, ':'), byte(i>>shift))
	}
	return b
}

func appendHexByte(b []byte, v byte) []byte {
	const digits = "0123456789ABCDEF"
	return append(b, digits[v>>4], digits[v&0xf])
}

// appendPadded appends n in decimal, with leading zeros to width digits.
func appendPadded(b []byte, n, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for n >= 10 || len(tmp)-i < width-1 {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	i--
	tmp[i] = byte('0' + n)
	return append(b, tmp[i:]...)
}

// spell returns what an append function writes for i, as a string.
func spell(fn func([]byte, int) []byte, i int) string { return string(fn(nil, i)) }
