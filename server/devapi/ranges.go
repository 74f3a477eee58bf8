package devapi

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxRanges is the most byte ranges one request may ask for; more is
// answered 416 (RFC 9110 §14.2: many small ranges indicate a broken client
// or a denial-of-service attempt).
const MaxRanges = 32

// Representation is what conditional requests are evaluated against.
type Representation struct {
	ETag         string // quoted entity tag, W/ prefix for weak ones
	LastModified time.Time
}

// Precondition is the outcome of evaluating conditional request headers.
type Precondition int

const (
	Proceed            Precondition = iota // send the representation
	NotModified                            // 304
	PreconditionFailed                     // 412
)

// Evaluate applies RFC 9110 §13.2.2 in its order: If-Match, then
// If-Unmodified-Since, then If-None-Match, then If-Modified-Since.
func Evaluate(r *http.Request, rep Representation) Precondition {
	lm := rep.LastModified.UTC().Truncate(time.Second)
	if im := r.Header.Get("If-Match"); im != "" {
		if !etagListMatch(im, rep.ETag, true) {
			return PreconditionFailed
		}
	} else if ius := r.Header.Get("If-Unmodified-Since"); ius != "" && !rep.LastModified.IsZero() {
		if t, err := http.ParseTime(ius); err == nil && lm.After(t) {
			return PreconditionFailed
		}
	}
	safe := r.Method == http.MethodGet || r.Method == http.MethodHead
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		if etagListMatch(inm, rep.ETag, false) {
			if safe {
				return NotModified
			}
			return PreconditionFailed
		}
	} else if ims := r.Header.Get("If-Modified-Since"); ims != "" && safe && !rep.LastModified.IsZero() {
		if t, err := http.ParseTime(ims); err == nil && !lm.After(t) {
			return NotModified
		}
	}
	return Proceed
}

// etagListMatch compares an If-Match/If-None-Match list with etag: strong
// comparison for If-Match, weak for If-None-Match (RFC 9110 §8.8.3.2).
func etagListMatch(list, etag string, strong bool) bool {
	if strings.TrimSpace(list) == "*" {
		return etag != ""
	}
	if etag == "" {
		return false
	}
	for _, cand := range strings.Split(list, ",") {
		cand = strings.TrimSpace(cand)
		if cand == "" {
			continue
		}
		if strong {
			if !strings.HasPrefix(cand, "W/") && !strings.HasPrefix(etag, "W/") && cand == etag {
				return true
			}
		} else if strings.TrimPrefix(cand, "W/") == strings.TrimPrefix(etag, "W/") {
			return true
		}
	}
	return false
}

// ByteRange is one satisfiable range: Length bytes from Start.
type ByteRange struct{ Start, Length int64 }

func (b ByteRange) contentRange(size int64) string {
	return fmt.Sprintf("bytes %d-%d/%d", b.Start, b.Start+b.Length-1, size)
}

// RangeOutcome says what to do with a Range header.
type RangeOutcome int

const (
	RangeIgnored       RangeOutcome = iota // send the whole representation (200)
	RangeSatisfiable                       // 206 with the ranges
	RangeUnsatisfiable                     // 416
)

// ParseRange interprets a Range header for a representation of size bytes
// (RFC 9110 §14.1–14.2):
//   - a unit other than bytes is ignored (200);
//   - a syntactically invalid ranges-specifier is ignored (200);
//   - ranges that start at or past the end, and the suffix "-0", are
//     unsatisfiable and dropped; when none remains the answer is 416;
//   - more than MaxRanges ranges is rejected with 416;
//   - overlapping or adjacent ranges are coalesced (§15.3.7.2), otherwise
//     the requested order is kept.
func ParseRange(header string, size int64) ([]ByteRange, RangeOutcome) {
	unit, spec, ok := strings.Cut(header, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return nil, RangeIgnored
	}
	var out []ByteRange
	n := 0
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue // empty list elements are allowed (RFC 9110 §5.6.1)
		}
		n++
		if n > MaxRanges {
			return nil, RangeUnsatisfiable
		}
		first, last, ok := strings.Cut(part, "-")
		if !ok {
			return nil, RangeIgnored
		}
		first, last = strings.TrimSpace(first), strings.TrimSpace(last)
		if first == "" {
			// suffix-range: the last N bytes; "-0" selects nothing.
			sfx, ok := digits(last)
			if !ok {
				return nil, RangeIgnored
			}
			if sfx == 0 || size == 0 {
				continue
			}
			if sfx > size {
				sfx = size
			}
			out = append(out, ByteRange{size - sfx, sfx})
			continue
		}
		start, ok := digits(first)
		if !ok {
			return nil, RangeIgnored
		}
		end := size - 1
		if last != "" {
			e, ok := digits(last)
			if !ok || e < start {
				return nil, RangeIgnored
			}
			end = min(e, size-1)
		}
		if start >= size {
			continue // unsatisfiable
		}
		out = append(out, ByteRange{start, end - start + 1})
	}
	if n == 0 {
		return nil, RangeIgnored
	}
	if len(out) == 0 {
		return nil, RangeUnsatisfiable
	}
	return coalesce(out), RangeSatisfiable
}

func digits(s string) (int64, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// coalesce merges overlapping or adjacent ranges (then in ascending
// order); ranges that do not touch keep the order they were asked in.
func coalesce(rs []ByteRange) []ByteRange {
	if len(rs) < 2 {
		return rs
	}
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, func(a, b ByteRange) int { return int(min(max(a.Start-b.Start, -1), 1)) })
	touching := false
	for i := 1; i < len(sorted); i++ {
		if sorted[i].Start <= sorted[i-1].Start+sorted[i-1].Length {
			touching = true
			break
		}
	}
	if !touching {
		return rs
	}
	out := []ByteRange{sorted[0]}
	for _, r := range sorted[1:] {
		last := &out[len(out)-1]
		if r.Start <= last.Start+last.Length {
			end := max(last.Start+last.Length, r.Start+r.Length)
			last.Length = end - last.Start
		} else {
			out = append(out, r)
		}
	}
	return out
}

// IfRangeHolds reports whether a Range header may be honoured under
// If-Range (RFC 9110 §13.1.5): the validator must be a strong entity tag
// equal to the current one, or an HTTP date equal to Last-Modified.
func IfRangeHolds(r *http.Request, rep Representation) bool {
	ir := strings.TrimSpace(r.Header.Get("If-Range"))
	if ir == "" {
		return true
	}
	if strings.HasPrefix(ir, `"`) || strings.HasPrefix(ir, "W/") {
		return !strings.HasPrefix(ir, "W/") && !strings.HasPrefix(rep.ETag, "W/") && ir == rep.ETag
	}
	t, err := http.ParseTime(ir)
	return err == nil && !rep.LastModified.IsZero() && rep.LastModified.UTC().Truncate(time.Second).Equal(t)
}

// Content is a stored file to serve with ranges.
type Content interface {
	io.ReaderAt
	io.ReadSeeker
}

// ServeRanges answers a GET or HEAD for content of size bytes whose
// headers (type, validators, disposition) are already set: 200, 206 with
// one range, 206 multipart/byteranges, or 416. It returns the status and
// the body bytes written. A single stretch of a file goes out with
// sendfile(2) when the connection allows it.
func ServeRanges(w http.ResponseWriter, r *http.Request, content Content, size int64, rep Representation) (int, int64, error) {
	h := w.Header()
	h.Set("Accept-Ranges", "bytes")
	ctype := h.Get("Content-Type")
	ranges, outcome := []ByteRange(nil), RangeIgnored
	if rg := r.Header.Get("Range"); rg != "" && r.Method == http.MethodGet && IfRangeHolds(r, rep) {
		ranges, outcome = ParseRange(rg, size)
	}
	switch outcome {
	case RangeUnsatisfiable:
		h.Del("Content-Disposition")
		h.Set("Content-Range", fmt.Sprintf("bytes */%d", size))
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-store")
		body := `{"error":{"code":"invalid","message":"range not satisfiable"}}` + "\n"
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
		n, err := io.WriteString(w, body)
		return http.StatusRequestedRangeNotSatisfiable, int64(n), err
	case RangeSatisfiable:
		if len(ranges) == 1 {
			rg := ranges[0]
			h.Set("Content-Range", rg.contentRange(size))
			h.Set("Content-Length", strconv.FormatInt(rg.Length, 10))
			w.WriteHeader(http.StatusPartialContent)
			if r.Method == http.MethodHead {
				return http.StatusPartialContent, 0, nil
			}
			n, err := copySection(w, content, rg.Start, rg.Length)
			return http.StatusPartialContent, n, err
		}
		return servemultipart(w, r, content, size, ranges, ctype)
	}
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return http.StatusOK, 0, nil
	}
	n, err := copySection(w, content, 0, size)
	return http.StatusOK, n, err
}

// copySection copies length bytes from start. Seeking the file and copying
// through an io.LimitedReader of *os.File lets net/http use sendfile(2).
func copySection(w io.Writer, content Content, start, length int64) (int64, error) {
	if f, ok := content.(interface{ OSFile() *os.File }); ok {
		if _, err := f.OSFile().Seek(start, io.SeekStart); err != nil {
			return 0, err
		}
		return io.CopyN(w, f.OSFile(), length)
	}
	return io.Copy(w, io.NewSectionReader(content, start, length))
}

func servemultipart(w http.ResponseWriter, r *http.Request, content Content, size int64, ranges []ByteRange, ctype string) (int, int64, error) {
	var rnd [12]byte
	_, _ = rand.Read(rnd[:])
	boundary := hex.EncodeToString(rnd[:])
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	heads := make([]string, len(ranges))
	var total int64
	for i, rg := range ranges {
		var b strings.Builder
		if i > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("--" + boundary + "\r\n")
		b.WriteString(textproto.CanonicalMIMEHeaderKey("Content-Type") + ": " + ctype + "\r\n")
		b.WriteString("Content-Range: " + rg.contentRange(size) + "\r\n\r\n")
		heads[i] = b.String()
		total += int64(len(heads[i])) + rg.Length
	}
	tail := "\r\n--" + boundary + "--\r\n"
	total += int64(len(tail))
	h := w.Header()
	h.Set("Content-Type", "multipart/byteranges; boundary="+boundary)
	h.Set("Content-Length", strconv.FormatInt(total, 10))
	w.WriteHeader(http.StatusPartialContent)
	if r.Method == http.MethodHead {
		return http.StatusPartialContent, 0, nil
	}
	var written int64
	for i, rg := range ranges {
		n, err := io.WriteString(w, heads[i])
		written += int64(n)
		if err != nil {
			return http.StatusPartialContent, written, err
		}
		m, err := io.Copy(w, io.NewSectionReader(content, rg.Start, rg.Length))
		written += m
		if err != nil {
			return http.StatusPartialContent, written, err
		}
	}
	n, err := io.WriteString(w, tail)
	return http.StatusPartialContent, written + int64(n), err
}
