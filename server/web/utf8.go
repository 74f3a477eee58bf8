package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/hlj-opendata/portal/server/apperr"
)

// multipartMemory bounds what a parsed multipart form keeps in memory; the
// body itself is already capped by the global body limit.
const multipartMemory = 4 << 20

// maxCheckedBody bounds a buffered JSON or form body when no global body
// limit came first.
const maxCheckedBody = 16 << 20

// RejectInvalidUTF8 answers 400 when the path, a query parameter, a JSON
// body or a form field is not valid UTF-8, before any handler sees it:
// Go's decoders would otherwise store U+FFFD (JSON) or the raw bytes
// (forms) without a word. Routes with their own body limit (file uploads)
// keep their body unread: file contents are the upload's business, and
// their text fields are checked where they are read (CheckUTF8).
func RejectInvalidUTF8(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if !utf8.ValidString(req.URL.Path) {
			return invalidUTF8("")
		}
		if req.URL.RawQuery != "" {
			if err := checkValues(c.QueryParams()); err != nil {
				return err
			}
		}
		if req.Body == nil || req.Body == http.NoBody || req.ContentLength == 0 ||
			c.Get(skipBodyLimit) != nil || ownLimitRoute(req.Method, c.Path()) {
			return next(c)
		}
		ct := req.Header.Get(echo.HeaderContentType)
		mt, _, _ := mime.ParseMediaType(ct)
		switch {
		case mt == echo.MIMEMultipartForm:
			if err := req.ParseMultipartForm(multipartMemory); err != nil {
				if tooLarge(err) {
					return err
				}
				return apperr.Wrap(apperr.Invalid, err, "malformed multipart body")
			}
			if err := checkValues(req.MultipartForm.Value); err != nil {
				return err
			}
		case mt == echo.MIMEApplicationForm, ct == "", mt == echo.MIMEApplicationJSON, strings.HasSuffix(mt, "+json"):
			b, err := io.ReadAll(io.LimitReader(req.Body, maxCheckedBody+1))
			if err != nil {
				if tooLarge(err) {
					return err
				}
				return apperr.Wrap(apperr.Invalid, err, "the upload was interrupted")
			}
			if len(b) > maxCheckedBody {
				return apperr.New(apperr.TooLarge, "request body too large")
			}
			req.Body = io.NopCloser(bytes.NewReader(b))
			if !utf8.Valid(b) {
				return invalidUTF8("")
			}
			if mt == echo.MIMEApplicationForm {
				if vals, err := url.ParseQuery(string(b)); err == nil {
					if err := checkValues(vals); err != nil {
						return err
					}
				}
			} else if !jsonEscapesValid(b) {
				return invalidUTF8("")
			}
		}
		return next(c)
	}
}

// tooLarge reports the body limit's own error, which keeps its 413.
func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	var he *echo.HTTPError
	return errors.As(err, &mbe) || errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge
}

func checkValues(vals map[string][]string) error {
	for k, vs := range vals {
		if !utf8.ValidString(k) {
			return invalidUTF8("")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return invalidUTF8(k)
			}
		}
	}
	return nil
}

// CheckUTF8 is the same check for a text field a handler reads itself
// (a multipart text part of an upload).
func CheckUTF8(field, value string) error {
	if utf8.ValidString(value) {
		return nil
	}
	return invalidUTF8(field)
}

// invalidUTF8 is the 400 for bytes that are not UTF-8, naming the field
// when there is one.
func invalidUTF8(field string) error {
	if field == "" || !utf8.ValidString(field) || len(field) > 100 {
		return apperr.New(apperr.Invalid, "the request is not valid UTF-8")
	}
	e := apperr.New(apperr.Invalid, "the request is not valid UTF-8")
	e.Fields = map[string]string{field: fmt.Sprintf("%s is not valid UTF-8", field)}
	e.FieldMsgs = map[string]apperr.Msg{field: {Format: "%s is not valid UTF-8", Args: []any{field}}}
	return e
}

// jsonEscapesValid reports whether every \u escape in the strings of a
// JSON text names a character: a lone surrogate (\ud800 without its pair)
// is what encoding/json turns into U+FFFD silently. Malformed JSON is left
// to the decoder.
func jsonEscapesValid(b []byte) bool {
	inString := false
	for i := 0; i < len(b); i++ {
		ch := b[i]
		if !inString {
			if ch == '"' {
				inString = true
			}
			continue
		}
		switch ch {
		case '"':
			inString = false
		case '\\':
			if i+1 >= len(b) {
				return true
			}
			i++
			if b[i] != 'u' {
				continue
			}
			r, ok := hex4(b, i+1)
			if !ok {
				continue // a syntax error: the decoder says so
			}
			i += 4
			switch {
			case r >= 0xDC00 && r <= 0xDFFF:
				return false // a low surrogate first
			case r >= 0xD800 && r <= 0xDBFF:
				if i+2 >= len(b) || b[i+1] != '\\' || b[i+2] != 'u' {
					return false
				}
				lo, ok := hex4(b, i+3)
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return false
				}
				i += 6
			}
		}
	}
	return true
}

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, ch := range b[at : at+4] {
		r <<= 4
		switch {
		case ch >= '0' && ch <= '9':
			r |= rune(ch - '0')
		case ch >= 'a' && ch <= 'f':
			r |= rune(ch-'a') + 10
		case ch >= 'A' && ch <= 'F':
			r |= rune(ch-'A') + 10
		default:
			return 0, false
		}
	}
	return r, true
}
