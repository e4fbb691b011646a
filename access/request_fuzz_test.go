package access_test

import (
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/access"
	"github.com/checkin-oss/checkin/internal/fuzztest"
)

// FuzzDecodeRequest decodes check-in bodies and Authorization headers.
// Whatever it is given, it answers at once without panicking; a body that
// is not JSON, or nests deeper than checkin.MaxJSONDepth, is refused; a
// request it reads has no field longer than a credential can be, and reads
// the same again once written back as JSON; and Basic credentials, once
// read, read the same again once encoded back.
func FuzzDecodeRequest(f *testing.F) {
	for _, body := range []string{
		`{"pincode":"1234"}`, `{"PinCode":1234,"toggle":"true"}`, `{"email":"a@b.c","password":"pw","doNotCheckIn":true}`,
		`{"mac":"aa-bb-cc-dd-ee-ff","token":"T0K3N","disconnect":false}`, `{"accessCardId":"0012345678"}`,
		`{"pincode":"1","PINCODE":"2"}`, `{"pincode":null,"toggle":null}`, `{"pincode":1e400}`, `{"toggle":"maybe"}`,
		`{"x":[[[[[[[[[[]]]]]]]]]]}`, `[]`, `null`, `"pincode"`, `{"pincode":"\u0000"}`, `{"pincode":"\ud800"}`, "", "{",
		`{"x":"\"[[[[[[[[[[[["}`,
	} {
		f.Add([]byte(body), "Basic "+base64.StdEncoding.EncodeToString([]byte("a@b.c:pw")))
	}
	f.Add([]byte(`{}`), "Basic Og==")      // ":"
	f.Add([]byte(`{}`), "basic  YTpiOmM=") // "a:b:c"
	f.Add([]byte(`{}`), "Bearer abc")
	f.Fuzz(func(t *testing.T, body []byte, authorization string) {
		fuzztest.Within(t, 2*time.Second, string(body), func() {
			req, err := access.DecodeRequest(body)
			if err == nil {
				checkDecoded(t, body, req)
			}
			email, password, ok := access.BasicCredentials(authorization)
			if !ok {
				return
			}
			again := "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+password))
			if e, p, ok := access.BasicCredentials(again); !ok || e != email || p != password || email == "" {
				t.Errorf("%q reads as %q:%q; encoded back, as %q:%q, %v", authorization, email, password, e, p, ok)
			}
		})
	})
}

func checkDecoded(t *testing.T, body []byte, req checkin.CheckinRequest) {
	if !json.Valid(body) {
		t.Errorf("%q is not JSON, yet it was read as %+v", body, req)
	}
	if checkin.TooDeep(body, checkin.MaxJSONDepth) {
		t.Errorf("%q nests deeper than %d, yet it was read", body, checkin.MaxJSONDepth)
	}
	for _, s := range []string{req.Email, req.Password, req.Pincode, req.MAC, req.Token, req.AccessCardID} {
		if len(s) > 1024 {
			t.Errorf("%q: a field of %d bytes was read", body, len(s))
		}
	}
	written, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := access.DecodeRequest(written); err != nil || again != req {
		t.Errorf("%q reads as %+v; written back as %s, it reads as %+v (%v)", body, req, written, again, err)
	}
}
