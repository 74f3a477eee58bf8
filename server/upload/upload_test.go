package upload_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/upload"
)

func receiver(t *testing.T, max int64) *upload.Receiver {
	return &upload.Receiver{TempDir: t.TempDir(), Limits: upload.DefaultLimits(max)}
}

func receive(t *testing.T, rc *upload.Receiver, name string, content []byte) (*upload.File, error) {
	t.Helper()
	f, err := rc.Receive(context.Background(), bytes.NewReader(content), name)
	if f != nil {
		t.Cleanup(func() { f.Close() })
	}
	return f, err
}

// leftovers counts the files left in the spool (its folders and their
// lock files are not leftovers).
func leftovers(t *testing.T, rc *upload.Receiver) int {
	n := 0
	err := filepath.WalkDir(rc.TempDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() != ".lock" {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDisplayName(t *testing.T) {
	for in, want := range map[string]string{
		"../../etc/passwd":       "passwd",
		`C:\Users\x\数据.csv`:      "数据.csv",
		"a\x00b\nc.csv":          "abc.csv",
		"":                       "data",
		"..":                     "data",
		"/":                      "data",
		strings.Repeat("长", 300): strings.Repeat("长", 200),
	} {
		if got := upload.DisplayName(in); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSniff(t *testing.T) {
	rc := receiver(t, 1<<20)
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String("名称,数量\n黑龙江,1\n")
	x := excelize.NewFile()
	var xb bytes.Buffer
	x.Write(&xb)
	cases := []struct {
		name     string
		content  []byte
		format   upload.Format
		encoding string
		err      string
	}{
		{"a.csv", []byte("a,b\n1,2\n"), upload.CSV, upload.UTF8, ""},
		{"a.txt", []byte("a,b\n1,2\n"), upload.CSV, upload.UTF8, ""},
		{"a", []byte("a,b\n1,2\n"), upload.CSV, upload.UTF8, ""},
		{"a.csv", []byte(gb), upload.CSV, upload.GB18030, ""},
		{"a.json", []byte(" [1, 2]"), upload.JSON, "", ""},
		{"a.xlsx", xb.Bytes(), upload.XLSX, "", ""},
		{"a.json", []byte("[1] [2]"), "", "", "more than one JSON value"},
		{"a.csv", []byte("%PDF-1.7\n"), "", "", "PDF"},
		{"a.csv", []byte("MZ\x90\x00"), "", "", "executable"},
		{"a.csv", []byte("\xFF\xFEa\x00,\x00"), "", "", "UTF-16"},
		{"a.csv", []byte("\x1F\x8B\x08\x00"), "", "", "gzip"},
		{"a.xlsx", []byte("a,b\n"), "", "", "ends in .xlsx"},
		{"a.json", xb.Bytes(), "", "", "ends in .json"},
	}
	for _, c := range cases {
		f, err := receive(t, rc, c.name, c.content)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s %q: err %v, want %q", c.name, c.content[:min(8, len(c.content))], err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.err == "" && (f.Format != c.format || f.Encoding != c.encoding):
			t.Errorf("%s: %s/%s, want %s/%s", c.name, f.Format, f.Encoding, c.format, c.encoding)
		}
	}
}

// Multi-byte characters straddle the 64 KB read chunks: still UTF-8, and a
// GB18030 file of that size converts without a false alarm.
func TestEncodingsAcrossChunks(t *testing.T) {
	rc := receiver(t, 4<<20)
	var b strings.Builder
	b.WriteString("名称,说明\n")
	for i := 0; b.Len() < 300<<10; i++ {
		b.WriteString("x黑龙江省哈尔滨市𠀀,冰城夏都\n")
	}
	text := b.String()
	f, err := receive(t, rc, "u.csv", []byte(text))
	if err != nil || f.Encoding != upload.UTF8 {
		t.Fatalf("UTF-8: %v %v", f, err)
	}
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String(text)
	f, err = receive(t, rc, "g.csv", []byte(gb))
	if err != nil || f.Encoding != upload.GB18030 {
		t.Fatalf("GB18030: %v", err)
	}
	r, _ := f.Open()
	got, _ := io.ReadAll(r)
	r.Close()
	if string(got) != text {
		t.Fatal("GB18030 did not convert back to the same text")
	}
}

func TestSizeLimitWhileStreaming(t *testing.T) {
	rc := receiver(t, 1000)
	// An endless stream: the limit stops it, nothing is kept.
	_, err := rc.Receive(context.Background(), io.MultiReader(strings.NewReader("a,b\n"), zeroes{}), "x.csv")
	if !apperr.Is(err, apperr.TooLarge) {
		t.Fatalf("endless stream: %v", err)
	}
	if n := leftovers(t, rc); n != 0 {
		t.Fatalf("%d temporary files left", n)
	}
	if _, err := receive(t, rc, "x.csv", bytes.Repeat([]byte("a,"), 500)); err != nil {
		t.Fatalf("exactly at the limit: %v", err)
	}
}

type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

func TestValidate(t *testing.T) {
	rc := receiver(t, 1<<20)
	cols := []upload.Column{
		{Name: "id", Label: "编号", Type: "integer", Required: true},
		{Name: "ok", Label: "是否", Type: "boolean"},
		{Name: "at", Label: "时间", Type: "datetime"},
	}
	cases := []struct {
		csv    string
		rows   int64
		fields []string
	}{
		{"id,ok,at\n1,是,2024-01-02 03:04:05\n2,false,2024-01-02T03:04:05+08:00\n\n,,\n", 2, nil},
		{"编号,时间\n1,2024-01-02\n", 1, nil},
		{"id,id\n1,2\n", 0, []string{"header[2]"}},
		{",id\n1,2\n", 0, []string{"header[1]"}},
		{"ok\ntrue\n", 0, []string{"header.id"}},
		{"id,ok,at\n1.5,maybe,noon\n", 0, []string{"rows[2].id", "rows[2].ok", "rows[2].at"}},
		{"id\n\"unterminated\n", 0, []string{"rows[2]"}},
	}
	for _, c := range cases {
		f, err := receive(t, rc, "v.csv", []byte(c.csv))
		if err != nil {
			t.Fatalf("%q: %v", c.csv, err)
		}
		sum, err := f.Validate(context.Background(), cols)
		var ae *apperr.Error
		errors.As(err, &ae)
		if len(c.fields) == 0 {
			if err != nil || sum.Rows != c.rows {
				t.Errorf("%q: rows %d err %v", c.csv, sum.Rows, err)
			}
			continue
		}
		if ae == nil {
			t.Errorf("%q: no error", c.csv)
			continue
		}
		for _, k := range c.fields {
			if ae.Fields[k] == "" {
				t.Errorf("%q: no %s in %v", c.csv, k, ae.Fields)
			}
		}
	}
	// Errors stop at the limit with a note.
	var b strings.Builder
	b.WriteString("id\n")
	for i := 0; i < 500; i++ {
		b.WriteString("x\n")
	}
	f, _ := receive(t, rc, "many.csv", []byte(b.String()))
	_, err := f.Validate(context.Background(), cols)
	var ae *apperr.Error
	if !errors.As(err, &ae) || len(ae.Fields) != 51 || !strings.Contains(ae.Fields["file"], "more than 50") {
		t.Fatalf("many errors: %d fields", len(ae.Fields))
	}
}

func TestLongLineRefused(t *testing.T) {
	rc := receiver(t, 16<<20)
	rc.Limits.MaxLineBytes = 1000
	f, err := receive(t, rc, "l.csv", []byte("id\n"+strings.Repeat("1", 5000)+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Validate(context.Background(), []upload.Column{{Name: "id", Type: "string"}})
	if err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("long line: %v", err)
	}
}

// A workbook that lies about its sizes: the archive directory says small,
// the worksheet inflates far beyond. The zip reader refuses to inflate past
// the declared size, so excelize never holds it.
func TestLyingZipSizes(t *testing.T) {
	rc := receiver(t, 1<<20)
	var sheet bytes.Buffer
	fw, _ := flate.NewWriter(&sheet, flate.BestCompression)
	payload := bytes.Repeat([]byte(" "), 32<<20)
	fw.Write(payload)
	fw.Close()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for name, body := range map[string]string{"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"} {
		f, _ := w.Create(name)
		f.Write([]byte(body))
	}
	hdr := &zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(payload),
		CompressedSize64: uint64(sheet.Len()), UncompressedSize64: 100}
	raw, err := w.CreateRaw(hdr)
	if err != nil {
		t.Fatal(err)
	}
	raw.Write(sheet.Bytes())
	w.Close()
	f, err := receive(t, rc, "liar.xlsx", b.Bytes())
	if err != nil {
		t.Fatalf("the directory looks harmless, so receiving passes: %v", err)
	}
	_, err = f.Validate(context.Background(), []upload.Column{{Name: "id", Type: "string"}})
	if err == nil || !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("lying workbook: %v", err)
	}
}
