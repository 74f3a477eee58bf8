package frontend

import (
	"bytes"
	"compress/gzip"
	"strings"
	"sync"
)

// Text is sent gzip-compressed to clients that accept it: on a slow phone
// network the bytes, not the server, decide when a page appears.

// minGzip is the size below which compressing is not worth a header.
const minGzip = 1024

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

var gzPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

// gzipBytes compresses b (fast level: pages are compressed per answer).
func gzipBytes(b []byte, level int) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b) / 4)
	if level == gzip.BestSpeed {
		w := gzPool.Get().(*gzip.Writer)
		w.Reset(&buf)
		_, _ = w.Write(b)
		_ = w.Close()
		gzPool.Put(w)
		return buf.Bytes()
	}
	w, _ := gzip.NewWriterLevel(&buf, level)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

// gz is an asset's compressed body, made once on first use.
func (a *asset) gz() []byte {
	a.gzOnce.Do(func() {
		if len(a.body) >= minGzip && compressible(a.ctype) {
			if z := gzipBytes(a.body, gzip.BestCompression); len(z) < len(a.body) {
				a.gzBody = z
			}
		}
	})
	return a.gzBody
}

func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.HasPrefix(ctype, "application/json") || strings.HasPrefix(ctype, "image/svg")
}
