package msgs

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestDumpFormats writes every collected message to the file MSGS_DUMP
// names, for translators; without it the test is skipped.
func TestDumpFormats(t *testing.T) {
	path := os.Getenv("MSGS_DUMP")
	if path == "" {
		t.Skip("set MSGS_DUMP=file to list the messages")
	}
	s := scanServer(t)
	var b strings.Builder
	for _, f := range s.Formats {
		b.WriteString(f.Pos + "\t" + strconv.Quote(f.Text) + "\n")
	}
	for _, f := range s.Dynamic {
		b.WriteString("DYNAMIC " + f.Pos + "\t" + f.Text + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
