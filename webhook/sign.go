package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
)

// NexudusSignature is the X-Nexudus-Hook-Signature of body: the upper-case
// hex HMAC-SHA256 of its bytes, keyed with the secret's UTF-8 bytes.
func NexudusSignature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return strings.ToUpper(hex.EncodeToString(mac.Sum(nil)))
}

// StandardSignature is the Standard Webhooks webhook-signature of a
// delivery: "v1," and the base64 HMAC-SHA256 of "id.timestamp.body". A
// secret written whsec_<base64> is used as those decoded bytes, any other
// as its UTF-8 bytes.
func StandardSignature(secret, id string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, standardKey(secret))
	mac.Write([]byte(id))
	mac.Write([]byte{'.'})
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func standardKey(secret string) []byte {
	if rest, ok := strings.CutPrefix(secret, "whsec_"); ok {
		if key, err := base64.StdEncoding.DecodeString(rest); err == nil {
			return key
		}
	}
	return []byte(secret)
}
