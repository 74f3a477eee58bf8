package apps

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"sort"
	"strings"
)

// Request headers of a signed call.
const (
	HeaderKey       = "X-App-Key"
	HeaderTimestamp = "X-Timestamp"
	HeaderNonce     = "X-Nonce"
	HeaderSignature = "X-Signature"
)

// CanonicalQuery is the query as signed: the raw key=value pairs as sent
// (still percent-encoded), sorted bytewise, joined with "&".
func CanonicalQuery(rawQuery string) string {
	var parts []string
	for _, p := range strings.Split(rawQuery, "&") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "&")
}

// StringToSign is what the signature covers (docs/app-keys.md).
func StringToSign(method, path, rawQuery, timestamp, nonce string, body []byte) string {
	sum := sha256.Sum256(body)
	return strings.Join([]string{strings.ToUpper(method), path, CanonicalQuery(rawQuery), timestamp, nonce, hex.EncodeToString(sum[:])}, "\n")
}

// Sign returns the X-Signature of a call: base64(HMAC-SHA256(secret, StringToSign)).
func Sign(secret, method, path, rawQuery, timestamp, nonce string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(StringToSign(method, path, rawQuery, timestamp, nonce, body)))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
