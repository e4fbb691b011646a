package loadtest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A Method is one kind of check-in request the load sends: how its body is
// spelled for the i-th identity, how many identities it cycles through, and
// the answer it must get.
type Method struct {
	Name string
	// body appends the JSON body naming identity i.
	body func(b []byte, i int) []byte
	// pool is how many identities the method cycles through, given the
	// seed's sizes; 0 means every request names a new one.
	pool func(s SeedConfig) int
	// refusal is the code the answer must carry; empty for a success.
	refusal       string
	refusalNeedle []byte // "message":"<refusal>", as the answer spells it
}

func init() {
	for _, m := range Methods {
		m.refusalNeedle = []byte(`"message":"` + m.refusal + `"`)
	}
}

func members(s SeedConfig) int { return s.Members }
func tokens(s SeedConfig) int  { return s.Tokens }

// Methods are the request kinds a mix may name.
var Methods = []*Method{
	{Name: "card", pool: members, body: func(b []byte, i int) []byte {
		return append(appendCard(append(b, `{"accessCardId":"`...), i), `"}`...)
	}},
	{Name: "mac", pool: members, body: func(b []byte, i int) []byte {
		return append(appendMemberMAC(append(b, `{"mac":"`...), i), `"}`...)
	}},
	{Name: "pincode", pool: members, body: func(b []byte, i int) []byte {
		return append(appendPincode(append(b, `{"pincode":"`...), i), `"}`...)
	}},
	{Name: "email_pincode", pool: members, body: func(b []byte, i int) []byte {
		b = append(appendEmail(append(b, `{"email":"`...), i), `","pincode":"`...)
		return append(appendPincode(b, i), `"}`...)
	}},
	{Name: "password", pool: members, body: func(b []byte, i int) []byte {
		b = append(appendEmail(append(b, `{"email":"`...), i), `","password":"`...)
		return append(b, MemberPassword+`"}`...)
	}},
	{Name: "token", pool: tokens, body: func(b []byte, i int) []byte {
		b = append(appendTokenCode(append(b, `{"token":"`...), i), `","mac":"`...)
		return append(appendTokenMAC(b, i), `"}`...)
	}},
	{Name: "unknown_card", refusal: "INVALID_CARD_NUMBER", body: func(b []byte, i int) []byte {
		return append(appendUnknownCard(append(b, `{"accessCardId":"`...), i), `"}`...)
	}},
	{Name: "unknown_mac", refusal: "NO_ACCESS_TO_SPACE", body: func(b []byte, i int) []byte {
		return append(appendUnknownMAC(append(b, `{"mac":"`...), i), `"}`...)
	}},
}

// MethodNamed returns the method with that name, or nil.
func MethodNamed(name string) *Method {
	for _, m := range Methods {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// identities is how many distinct identities m cycles through.
func (m *Method) identities(s SeedConfig) int {
	if m.pool == nil {
		return maxIdentities
	}
	return max(1, min(m.pool(s), maxIdentities))
}

// A Mix is the methods of a load with their weights, in the order given.
type Mix struct {
	Methods []*Method
	Weights []int
}

// String spells the mix as ParseMix reads it.
func (m Mix) String() string {
	parts := make([]string, len(m.Methods))
	for i, method := range m.Methods {
		parts[i] = method.Name + "=" + strconv.Itoa(m.Weights[i])
	}
	return strings.Join(parts, ",")
}

// ParseMix reads "card=1,mac=1,pincode=2": method names with whole,
// positive weights; a name alone weighs 1.
func ParseMix(s string) (Mix, error) {
	var mix Mix
	for _, part := range strings.Split(s, ",") {
		name, weight, hasWeight := strings.Cut(strings.TrimSpace(part), "=")
		name = strings.TrimSpace(name)
		m := MethodNamed(name)
		if m == nil {
			return Mix{}, fmt.Errorf("mix %q: %q is not a method (%s)", s, name, methodNames())
		}
		if slices.Contains(mix.Methods, m) {
			return Mix{}, fmt.Errorf("mix %q: %s is named twice", s, name)
		}
		w := 1
		if hasWeight {
			var err error
			if w, err = strconv.Atoi(strings.TrimSpace(weight)); err != nil || w < 1 || w > 1000 {
				return Mix{}, fmt.Errorf("mix %q: the weight of %s must be a whole number from 1 to 1000", s, name)
			}
		}
		mix.Methods, mix.Weights = append(mix.Methods, m), append(mix.Weights, w)
	}
	return mix, nil
}

func methodNames() string {
	names := make([]string, len(Methods))
	for i, m := range Methods {
		names[i] = m.Name
	}
	return strings.Join(names, ", ")
}

// schedule returns the order in which requests take the mix's methods: each
// method as often as its weight, interleaved so that no method runs in a
// long streak. Request k takes schedule[k % len(schedule)].
func (m Mix) schedule() []int {
	total := 0
	for _, w := range m.Weights {
		total += w
	}
	out := make([]int, 0, total)
	taken := make([]int, len(m.Weights))
	for len(out) < total {
		// Smooth weighted round robin: the method furthest behind its share goes next.
		best, bestLag := -1, 0.0
		for i, w := range m.Weights {
			lag := float64(w)*float64(len(out)+1)/float64(total) - float64(taken[i])
			if taken[i] < w && (best < 0 || lag > bestLag) {
				best, bestLag = i, lag
			}
		}
		taken[best]++
		out = append(out, best)
	}
	return out
}

// Body returns the body the load sends for method's i-th identity, for
// benchmarks of the pieces the load drives. It panics on an unknown method.
func Body(method string, i int) []byte {
	m := MethodNamed(method)
	if m == nil {
		panic("loadtest: no method " + method)
	}
	return m.body(nil, i)
}
