package access_test

import (
	"testing"

	"github.com/checkin-oss/checkin/access"
	"github.com/checkin-oss/checkin/loadtest"
)

// BenchmarkDecodeRequest decodes the bodies the load tool sends, and one
// that carries every field in another letter case.
func BenchmarkDecodeRequest(b *testing.B) {
	bodies := map[string][]byte{
		"card":     loadtest.Body("card", 1234),
		"mac":      loadtest.Body("mac", 1234),
		"pincode":  loadtest.Body("pincode", 1234),
		"password": loadtest.Body("password", 1234),
		"token":    loadtest.Body("token", 1234),
		"every_field": []byte(`{"Email":"jane@example.com","Password":"jane-password","Pincode":1234,"MAC":"aa-bb-cc-dd-ee-01",` +
			`"Token":"GUEST","AccessCardId":"CARD-1","Disconnect":false,"Toggle":"true","DoNotCheckIn":null}`),
	}
	for _, name := range []string{"card", "mac", "pincode", "password", "token", "every_field"} {
		body := bodies[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := access.DecodeRequest(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkBasicCredentials(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, ok := access.BasicCredentials("Basic amFuZUBleGFtcGxlLmNvbTpqYW5lLXBhc3N3b3Jk"); !ok {
			b.Fatal("not read")
		}
	}
}
