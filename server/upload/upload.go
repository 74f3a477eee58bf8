// Package upload receives files from the outside world and treats every one
// as hostile: the size limit is enforced while streaming to a temporary
// file (never whole in memory), the format is decided by content and not by
// the name, CSV is detected as UTF-8 or GB18030 and normalised to UTF-8,
// XLSX is streamed by our own reader with every inflated byte counted
// (xlsx.go), and tabular files are validated against declared columns
// (data items). Every pass is bounded in bytes, rows and time (Limits).
// Temporary files live in the spool (spool.go), swept when their process
// is gone. The name a client sends is only ever a display name, never a
// path.
//
// Publishing uses it for resources and bulk imports; other domains (e.g.
// application attachments) may use it the same way.
package upload

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/blob"
)

// Format is an accepted file format, decided by content.
type Format string

const (
	CSV  Format = "CSV"
	XLSX Format = "XLSX"
	JSON Format = "JSON"
)

// MediaTypes are the Content-Types stored files are served with.
var MediaTypes = map[Format]string{
	CSV:  "text/csv; charset=utf-8",
	XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	JSON: "application/json",
}

// extensions a file of each format may carry in its name.
var extensions = map[Format][]string{
	CSV:  {".csv", ".txt"},
	XLSX: {".xlsx"},
	JSON: {".json"},
}

// Encodings a CSV may arrive in.
const (
	UTF8    = "UTF-8"
	GB18030 = "GB18030"
)

// Limits bound what one file may cost: in bytes, in memory and in time.
type Limits struct {
	MaxBytes int64 // the file as sent (config.MaxUploadBytes)
	// XLSX, counted on the bytes actually inflated (never only on the sizes
	// the archive declares): the total of every part read, how many times a
	// part may expand over its compressed bytes, the largest small part
	// (workbook, relationships), the entries of the archive.
	MaxUnzipBytes int64
	MaxUnzipRatio int
	MaxXMLBytes   int64
	MaxZipEntries int
	// XLSX shared strings are held for lookups: their count and text bytes.
	MaxSharedStrings     int
	MaxSharedStringBytes int64
	MaxTokenBytes        int           // XLSX: one XML tag or text run; JSON: one token
	MaxRecordBytes       int           // JSON: one element of the array
	MaxColumns           int           // cells with a value per row
	MaxRows              int           // rows (CSV, JSON records; XLSX at most Excel's 1,048,576)
	MaxLineBytes         int           // CSV: a longer line is refused (one record is held in memory)
	MaxErrors            int           // validation problems reported per file
	MaxParseTime         time.Duration // one pass over a file (Rows, Records, Validate)
}

// DefaultLimits derives the limits from the upload size limit.
//
// Real workbooks expand 5–30 times (XML compresses well, but not more than
// that with real data); 100 times per part is far above any of them and
// stops a zip bomb after about 1 MB of output, since the ratio is checked
// on the bytes inflated so far. In absolute terms a pass inflates at most
// 1 GB: more XML than encoding/xml reads within MaxParseTime anyway. The
// shared strings (up to 32 MB of text, a million entries) are the only part
// held in memory; a worksheet is streamed one row at a time.
func DefaultLimits(maxBytes int64) Limits {
	unzip := min(100*maxBytes, 1<<30)
	xml := min(int64(16<<20), unzip)
	return Limits{MaxBytes: maxBytes, MaxUnzipBytes: unzip, MaxUnzipRatio: 100, MaxXMLBytes: xml, MaxZipEntries: 2000,
		MaxSharedStrings: 1 << 20, MaxSharedStringBytes: 32 << 20, MaxTokenBytes: 512 << 10, MaxRecordBytes: 4 << 20,
		MaxColumns: 500, MaxRows: 10_000_000, MaxLineBytes: 4 << 20, MaxErrors: 50, MaxParseTime: 60 * time.Second}
}

// Receiver turns request bodies into validated temporary files.
type Receiver struct {
	TempDir string // spool folder (spool.go); "" for the system default
	Limits  Limits
	spool   spool
}

// File is a received upload in a temporary file. Close removes it.
type File struct {
	Name      string // display name: base name, cleaned; never used as a path
	Format    Format
	MediaType string
	Encoding  string // CSV: the encoding it arrived in (stored as UTF-8)
	Size      int64  // bytes as received

	path  string   // normalised content
	temps []string // everything to remove
	lim   Limits
	tmp   string
}

// Close removes the temporary files.
func (f *File) Close() error {
	var errs []error
	for _, p := range f.temps {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
		live.Delete(p)
	}
	f.temps = nil
	return errors.Join(errs...)
}

// createTemp creates a spool file, known to the sweep as in use until Close.
func (f *File) createTemp(pattern string) (*os.File, error) {
	fh, err := os.CreateTemp(f.tmp, pattern)
	if err != nil {
		return nil, err
	}
	live.Store(fh.Name(), struct{}{})
	f.temps = append(f.temps, fh.Name())
	return fh, nil
}

// Open reads the normalised content (what is stored and served).
func (f *File) Open() (io.ReadCloser, error) { return os.Open(f.path) }

// Commit writes the normalised content to the blob store. The store
// writes a temporary object and renames it into place, so a crash leaves
// no visible half-file; the caller then writes the row that points at it
// in its transaction (an object no row points at is never served).
func (f *File) Commit(ctx context.Context, blobs blob.Store) (blob.Stored, error) {
	r, err := f.Open()
	if err != nil {
		return blob.Stored{}, apperr.Internalf(err, "open upload")
	}
	defer r.Close()
	st, err := blobs.Put(ctx, r, 0)
	if err != nil {
		return blob.Stored{}, apperr.Internalf(err, "store upload")
	}
	return st, nil
}

// fileError is a problem with the file itself, reported on field "file".
func fileError(code apperr.Code, format string, args ...any) error {
	e := apperr.New(code, format, args...)
	e.Fields = map[string]string{"file": e.Message}
	return e
}

// DisplayName keeps the last path element of a client-supplied name, without
// control characters, at most 200 characters; "" becomes "data".
func DisplayName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == "/" || name == ".." {
		name = ""
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	if name == "" {
		name = "data"
	}
	return name
}

// Receive streams r into a temporary file, enforcing the size limit as it
// goes, then decides the format by content, checks the name's extension
// against it and normalises CSV to UTF-8. On any error nothing is left.
func (rc *Receiver) Receive(ctx context.Context, r io.Reader, name string) (_ *File, err error) {
	dir, err := rc.dir()
	if err != nil {
		return nil, apperr.Internalf(err, "upload folder")
	}
	f := &File{Name: DisplayName(name), lim: rc.Limits, tmp: dir}
	defer func() {
		if err != nil {
			f.Close()
		}
	}()
	raw, err := f.createTemp(spoolPattern + "*")
	if err != nil {
		return nil, apperr.Internalf(err, "create upload file")
	}
	f.path = raw.Name()
	n, err := io.Copy(raw, ctxReader{ctx, io.LimitReader(r, rc.Limits.MaxBytes+1)})
	if cerr := raw.Close(); err == nil && cerr != nil {
		err = cerr
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || n > rc.Limits.MaxBytes:
		return nil, fileError(apperr.TooLarge, "the file is larger than %s", humanBytes(rc.Limits.MaxBytes))
	case ctx.Err() != nil:
		return nil, apperr.Wrap(apperr.Invalid, ctx.Err(), "upload interrupted")
	case err != nil:
		return nil, apperr.Wrap(apperr.Invalid, err, "the upload was interrupted")
	case n == 0:
		return nil, fileError(apperr.Invalid, "the file is empty")
	}
	f.Size = n
	if err := f.sniff(); err != nil {
		return nil, err
	}
	if err := f.checkExtension(); err != nil {
		return nil, err
	}
	f.MediaType = MediaTypes[f.Format]
	return f, nil
}

// Magic numbers of formats that are refused with a clear message.
var refused = []struct {
	magic []byte
	what  string
}{
	{[]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), "a legacy Office file (.xls) or an encrypted workbook: save it as .xlsx without a password"},
	{[]byte("%PDF"), "a PDF document"},
	{[]byte("\x89PNG"), "a PNG image"},
	{[]byte("\xFF\xD8\xFF"), "a JPEG image"},
	{[]byte("GIF8"), "a GIF image"},
	{[]byte("\x7FELF"), "an executable"},
	{[]byte("MZ"), "a Windows executable"},
	{[]byte("\x1F\x8B"), "a gzip archive"},
	{[]byte("Rar!"), "a RAR archive"},
	{[]byte("7z\xBC\xAF"), "a 7-Zip archive"},
	{[]byte("\xFF\xFE"), "UTF-16 text: save it as UTF-8 or GB18030"},
	{[]byte("\xFE\xFF"), "UTF-16 text: save it as UTF-8 or GB18030"},
}

var utf8BOM = []byte("\xEF\xBB\xBF")

func (f *File) sniff() error {
	fh, err := os.Open(f.path)
	if err != nil {
		return apperr.Internalf(err, "open upload")
	}
	head := make([]byte, 512)
	k, _ := io.ReadFull(fh, head)
	fh.Close()
	head = head[:k]
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		if err := f.checkXLSX(); err != nil {
			return err
		}
		f.Format = XLSX
		return nil
	}
	for _, m := range refused {
		if bytes.HasPrefix(head, m.magic) {
			return fileError(apperr.Invalid, "the file is %s; accepted are CSV, XLSX and JSON", m.what)
		}
	}
	if bytes.HasPrefix(head, []byte("PK")) {
		return fileError(apperr.Invalid, "the file is an archive; accepted are CSV, XLSX and JSON")
	}
	// Text: one pass checks for binary bytes and whether it is valid UTF-8.
	valid, err := f.scanText()
	if err != nil {
		return err
	}
	first := bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	if len(first) > 0 && (first[0] == '[' || first[0] == '{') {
		if !valid {
			return fileError(apperr.Invalid, "JSON must be UTF-8 (RFC 8259)")
		}
		if err := f.checkJSON(); err != nil {
			return err
		}
		f.Format = JSON
		return nil
	}
	f.Format = CSV
	if valid {
		f.Encoding = UTF8
		if bytes.HasPrefix(head, utf8BOM) {
			return f.rewrite(func(r io.Reader) io.Reader {
				br := bufio.NewReader(r)
				br.Discard(len(utf8BOM))
				return br
			})
		}
		return nil
	}
	// Not UTF-8: GB18030 (a superset of GBK and GB2312) is what Chinese
	// spreadsheets export; anything it cannot decode is refused.
	f.Encoding = GB18030
	return f.rewrite(func(r io.Reader) io.Reader {
		return &replacementGuard{r: transform.NewReader(r, simplifiedchinese.GB18030.NewDecoder())}
	})
}

// errNotGB18030 marks text that is neither UTF-8 nor GB18030.
var errNotGB18030 = errors.New("undecodable byte sequence")

// replacementGuard fails on U+FFFD: the decoder's mark for bytes it could
// not decode.
type replacementGuard struct {
	r    io.Reader
	tail []byte
}

func (g *replacementGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	// U+FFFD is EF BF BD; keep the last two bytes to catch it across reads.
	buf := append(g.tail, p[:n]...)
	if bytes.Contains(buf, []byte("\xEF\xBF\xBD")) {
		return 0, errNotGB18030
	}
	if len(buf) >= 2 {
		g.tail = append(g.tail[:0], buf[len(buf)-2:]...)
	} else {
		g.tail = append(g.tail[:0], buf...)
	}
	return n, err
}

// rewrite writes the content through conv into a new temporary file, which
// becomes the normalised content.
func (f *File) rewrite(conv func(io.Reader) io.Reader) error {
	src, err := os.Open(f.path)
	if err != nil {
		return apperr.Internalf(err, "open upload")
	}
	defer src.Close()
	dst, err := f.createTemp(spoolPattern + "norm-*")
	if err != nil {
		return apperr.Internalf(err, "create upload file")
	}
	_, err = io.Copy(dst, conv(bufio.NewReaderSize(src, 64<<10)))
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, errNotGB18030) {
		return fileError(apperr.Invalid, "the text is neither UTF-8 nor GB18030: save the file as UTF-8 (or GB18030)")
	}
	if err != nil {
		return apperr.Internalf(err, "normalise upload")
	}
	f.path = dst.Name()
	return nil
}

// scanText reports whether the file is valid UTF-8, and refuses binary
// content (NUL and other control bytes text files do not hold).
func (f *File) scanText() (bool, error) {
	fh, err := os.Open(f.path)
	if err != nil {
		return false, apperr.Internalf(err, "open upload")
	}
	defer fh.Close()
	valid := true
	buf := make([]byte, 64<<10)
	var carry []byte
	for {
		n, err := fh.Read(buf)
		chunk := buf[:n]
		for _, b := range chunk {
			if b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' || b == 0x7f {
				return false, fileError(apperr.Invalid, "the file holds binary data; accepted are CSV, XLSX and JSON")
			}
		}
		if valid {
			data := append(carry, chunk...)
			// Keep an incomplete rune at the end for the next chunk.
			cut := len(data)
			for i := 1; i <= 3 && i <= len(data); i++ {
				if utf8.RuneStart(data[len(data)-i]) {
					if !utf8.FullRune(data[len(data)-i:]) {
						cut = len(data) - i
					}
					break
				}
			}
			if err == io.EOF {
				cut = len(data)
			}
			if !utf8.Valid(data[:cut]) {
				valid = false
			}
			carry = append(carry[:0], data[cut:]...)
		}
		if err == io.EOF {
			if len(carry) > 0 {
				valid = false
			}
			return valid, nil
		}
		if err != nil {
			return false, apperr.Internalf(err, "read upload")
		}
	}
}

func (f *File) checkExtension() error {
	ext := strings.ToLower(path.Ext(f.Name))
	if ext == "" {
		f.Name += extensions[f.Format][0]
		return nil
	}
	for _, e := range extensions[f.Format] {
		if e == ext {
			return nil
		}
	}
	// 000: formats by content; a name that says otherwise is refused rather
	// than trusted or silently renamed.
	return fileError(apperr.Invalid, "the file's content is %s but its name ends in %s", f.Format, ext)
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
