package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/publishing"
)

func init() {
	registerCommand("import", "bulk-import catalog drafts: import catalog FILE --department ID", cmdImport)
}

const importUsage = `Usage: portal import catalog FILE --department ID [--dry-run]

Creates draft catalog entries for a department from a filled-in import
template (CSV in UTF-8 or GB18030, XLSX, or a JSON array of drafts). Get the
template from the department console or GET /api/v1/manage/import/template.
Every row is checked first; when any row has a problem nothing is created
and the problems are listed by row and column. The drafts then go through
the authority's review like any other (000 Art 12).

Flags:
  --department ID  the provider department the entries belong to (required)
  --dry-run        check the file and list the entries without creating them
`

func cmdImport(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "-h", "--help", "help":
			fmt.Fprint(stdout, importUsage)
			return exitOK
		}
	}
	if len(args) == 0 || args[0] != "catalog" {
		fmt.Fprint(stderr, importUsage)
		return exitUsage
	}
	fs := newFlags("import catalog", "Create draft catalog entries from a template file.", stdout)
	fs.Usage = func() { fmt.Fprint(stdout, importUsage) }
	dept := fs.String("department", "", "provider department id (required)")
	dry := fs.Bool("dry-run", false, "check only")
	// Flags may come before or after FILE.
	var flags, files []string
	rest := args[1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--":
			files = append(files, rest[i+1:]...)
			i = len(rest)
		case strings.HasPrefix(a, "-"):
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && name != "dry-run" && name != "h" && name != "help" && i+1 < len(rest) {
				flags = append(flags, rest[i+1])
				i++
			}
		default:
			files = append(files, a)
		}
	}
	if code, done := parseFlags(fs, flags, stderr); done {
		return code
	}
	if len(files) != 1 || *dept == "" {
		fmt.Fprintln(stderr, "portal import catalog: give one FILE and --department ID")
		return exitUsage
	}
	file, err := os.Open(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "portal import catalog: %v\n", err)
		return exitFail
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil || !st.Mode().IsRegular() {
		fmt.Fprintf(stderr, "portal import catalog: %s is not a regular file\n", files[0])
		return exitFail
	}
	a, code := openApp(stderr)
	if a == nil {
		return code
	}
	defer a.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	bar := &progressBar{w: stderr}
	f, err := a.Publishing.Uploads.Receive(ctx, &countingReader{r: file, n: func(n int64) { bar.show("read", int(n>>10), int(max(st.Size()>>10, 1))) }}, filepath.Base(files[0]))
	bar.done()
	if err != nil {
		return importFailed(stderr, err)
	}
	defer f.Close()
	actor := publishing.Actor{Label: "cli", DepartmentID: *dept}
	res, err := a.Publishing.Import(ctx, actor, f, *dry, func(phase string, done, total int) { bar.show(phase, done, total) })
	bar.done()
	if err != nil {
		return importFailed(stderr, err)
	}
	verb := "created"
	if *dry {
		verb = "checked (dry run, nothing created)"
	}
	fmt.Fprintf(stdout, "%d draft entries %s for department %s\n", res.Count, verb, *dept)
	for _, e := range res.Entries {
		if e.ID != "" {
			fmt.Fprintf(stdout, "  line %-5d %s  %s\n", e.Line, e.ID, e.Title)
		} else {
			fmt.Fprintf(stdout, "  line %-5d %s\n", e.Line, e.Title)
		}
	}
	return exitOK
}

// importFailed prints an error with its problems by row and column.
func importFailed(stderr io.Writer, err error) int {
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code == apperr.Internal {
		fmt.Fprintf(stderr, "portal import catalog: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stderr, "portal import catalog: %s\n", ae.Message)
	keys := make([]string, 0, len(ae.Fields))
	for k := range ae.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(stderr, "  %s: %s\n", k, ae.Fields[k])
	}
	return exitFail
}

// progressBar draws "phase [#####.....] done/total" on one line.
type progressBar struct {
	w        io.Writer
	phase    string
	last     int
	drawn    bool
	lastDone int
}

func (b *progressBar) show(phase string, done, total int) {
	if total <= 0 {
		return
	}
	const width = 30
	filled := min(done*width/total, width)
	if phase == b.phase && filled == b.last && done != total && done-b.lastDone < 100 {
		return // redraw only when the bar moves
	}
	if phase != b.phase && b.drawn {
		fmt.Fprintln(b.w)
	}
	b.phase, b.last, b.drawn, b.lastDone = phase, filled, true, done
	fmt.Fprintf(b.w, "\r%-6s [%s%s] %d/%d", phase, strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total)
}

func (b *progressBar) done() {
	if b.drawn {
		fmt.Fprintln(b.w)
	}
	b.drawn, b.phase = false, ""
}

// countingReader reports how many bytes were read.
type countingReader struct {
	r     io.Reader
	total int64
	n     func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.total += int64(n)
	c.n(c.total)
	return n, err
}
