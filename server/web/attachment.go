package web

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// ServeAttachment sends stored or uploaded content as a download, never as
// something the browser renders: Content-Disposition: attachment with the
// given name (an ASCII fallback plus the UTF-8 name), nosniff, and the
// sandbox CSP that SecurityHeaders gives every attachment. Range,
// If-Modified-Since and If-None-Match (when the caller set an ETag) work.
// An empty mediaType becomes application/octet-stream.
func ServeAttachment(c echo.Context, name, mediaType string, modtime time.Time, content io.ReadSeeker) error {
	if mediaType == "" || strings.HasPrefix(strings.ToLower(mediaType), "text/html") {
		mediaType = "application/octet-stream"
	}
	h := c.Response().Header()
	h.Set("Content-Type", mediaType)
	h.Set("Content-Disposition", ContentDisposition(name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", attachmentCSP)
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "private, no-cache")
	}
	http.ServeContent(c.Response(), c.Request(), "", modtime, content)
	return nil
}

// ContentDisposition builds an attachment header with an ASCII fallback
// name and the UTF-8 name (RFC 6266, RFC 5987). Path separators and
// control characters never reach the header.
func ContentDisposition(name string) string {
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 || r == 0x7f {
			return '_'
		}
		return r
	}, name)
	if name == "" {
		name = "download"
	}
	ascii := strings.Map(func(r rune) rune {
		if r > 0x7e || r < 0x20 || r == '"' || r == '\\' || r == '%' || r == ';' {
			return '_'
		}
		return r
	}, name)
	v := mime.FormatMediaType("attachment", map[string]string{"filename": ascii})
	return fmt.Sprintf("%s; filename*=UTF-8''%s", v, rfc5987(name))
}

// rfc5987 percent-encodes everything but attr-char (RFC 5987 §3.2.1).
func rfc5987(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var b strings.Builder
	for _, c := range []byte(s) {
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strings.IndexByte(attrChar, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
