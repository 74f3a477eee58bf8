package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/config"
	"github.com/hlj-opendata/portal/server/store"
)

// Exit codes a shell user expects.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// registered holds commands other files add with registerCommand from
// an init function (e.g. import.go), so a new command needs no edit here.
var registered = map[string]command{}

// registerCommand adds a command to 'portal --help' and the dispatcher.
// run gets the arguments after the command name and returns the exit code
// (exitOK, exitFail, exitUsage); "--help" must print usage and return 0.
func registerCommand(name, summary string, run func(args []string, stdout, stderr io.Writer) int) {
	if _, dup := registered[name]; dup {
		panic("portal: command " + name + " registered twice")
	}
	registered[name] = command{summary, run}
}

func commands() map[string]command {
	cmds := map[string]command{
		"serve":    {"run the portal (the default)", cmdServe},
		"migrate":  {"apply database migrations and exit", cmdMigrate},
		"seed":     {"load demo data: seed demo | seed synthetic --count N", cmdSeed},
		"reindex":  {"rebuild the search index from the database", cmdReindex},
		"calendar": {"working-day calendar: calendar due | calendar show", cmdCalendar},
		"version":  {"print the version", cmdVersion},
		"user":     {"accounts: user create | list | set-roles | set-password", cmdUser},
		"audit":    {"audit trail: audit verify", cmdAudit},
	}
	for name, c := range registered {
		if _, builtin := cmds[name]; !builtin {
			cmds[name] = c
		}
	}
	return cmds
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: portal [command] [flags]")
	fmt.Fprintln(w, "\nCommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nConfiguration comes from PORTAL_* environment variables (see README).")
	fmt.Fprintln(w, "Run 'portal COMMAND --help' for a command's flags.")
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return cmdServe(nil, stdout, stderr)
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout)
		return exitOK
	}
	if strings.HasPrefix(args[0], "-") {
		return cmdServe(args, stdout, stderr)
	}
	c, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "portal: unknown command %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return c.run(args[1:], stdout, stderr)
}

// newFlags returns a FlagSet whose -h prints to stdout and exits 0.
func newFlags(name, summary string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: portal %s\n\n%s\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags returns (exit code, done): done is true when the caller must return.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, true
		}
		fmt.Fprintf(stderr, "portal %s: %v\n", fs.Name(), err)
		return exitUsage, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "portal %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return exitUsage, true
	}
	return 0, false
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

func loadConfig(stderr io.Writer) (config.Config, bool) {
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintf(stderr, "portal: %v\n", err)
		return cfg, false
	}
	return cfg, true
}

func openApp(stderr io.Writer) (*app.App, int) {
	cfg, ok := loadConfig(stderr)
	if !ok {
		return nil, exitUsage
	}
	a, err := app.Open(cfg, newLogger(cfg, stderr), app.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "portal: %v\n", err)
		return nil, exitFail
	}
	return a, exitOK
}

func cmdServe(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("serve", "Run the portal on PORTAL_ADDR (and /metrics on PORTAL_METRICS_ADDR when set). Migrates the database, seeds demo data on first start when PORTAL_SEED=demo. On SIGTERM or SIGINT it stops accepting connections, lets requests in flight finish for up to PORTAL_SHUTDOWN_TIMEOUT, stops the background workers and exits 0.", stdout)
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	a, code := openApp(stderr)
	if a == nil {
		return code
	}
	closed := false
	defer func() {
		if !closed {
			a.Close()
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	say := func(format string, args ...any) { fmt.Fprintf(stdout, format+"\n", args...) }
	if _, err := a.SeedIfEmpty(ctx, say); err != nil {
		fmt.Fprintf(stderr, "portal: %v\n", err)
		return exitFail
	}
	for _, w := range a.CalendarWarnings() {
		a.Log.Warn("calendar: "+w, "check", "/readyz")
	}
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "portal: listen on %s: %v\n", a.Config.Addr, err)
		return exitFail
	}
	servers := []*http.Server{newServer(a.Handler())}
	listeners := []net.Listener{ln}
	if a.Config.MetricsAddr != "" {
		mln, err := net.Listen("tcp", a.Config.MetricsAddr)
		if err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "portal: listen on %s (PORTAL_METRICS_ADDR): %v\n", a.Config.MetricsAddr, err)
			return exitFail
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", a.MetricsHandler())
		servers = append(servers, newServer(mux))
		listeners = append(listeners, mln)
	}
	a.Start()
	a.EnsureIndexInBackground()
	say("portal listening on %s", displayURL(ln.Addr()))
	if len(listeners) > 1 {
		say("metrics on %smetrics", displayURL(listeners[1].Addr()))
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(listeners[i]) }()
	}
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "portal: %v\n", err)
		return exitFail
	case <-ctx.Done():
	}
	stop() // a second signal kills the process the default way
	a.Log.Info("shutting down: no new connections, finishing requests in flight", "timeout", a.Config.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, srv := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Shutdown(sctx); err != nil {
				// Requests still running at the deadline (a stalled client)
				// are cut off; the process still stops cleanly.
				a.Log.Warn("shutdown timeout: closing connections still open", "timeout", a.Config.ShutdownTimeout.String())
				srv.Close()
			}
		}()
	}
	wg.Wait()
	closed = true
	if err := a.Close(); err != nil {
		a.Log.Error("closing", "err", err)
		return exitFail
	}
	a.Log.Info("stopped: workers finished, database and index closed")
	return exitOK
}

// newServer is an http.Server with the portal's connection limits. There
// is no write timeout: large downloads and uploads may take long, and the
// handlers bound their own work.
func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

func displayURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

func cmdMigrate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("migrate", "Apply every pending database migration and exit.", stdout)
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	cfg, ok := loadConfig(stderr)
	if !ok {
		return exitUsage
	}
	db, err := store.Open(cfg, nil)
	if err != nil {
		fmt.Fprintf(stderr, "portal migrate: %v\n", err)
		return exitFail
	}
	defer store.Close(db)
	pending, err := store.Pending(db, app.Migrations())
	if err == nil {
		err = store.Migrate(db, app.Migrations())
	}
	if err != nil {
		fmt.Fprintf(stderr, "portal migrate: %v\n", err)
		return exitFail
	}
	if len(pending) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
	}
	for _, id := range pending {
		fmt.Fprintf(stdout, "applied %s\n", id)
	}
	return exitOK
}

func cmdSeed(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "demo" && args[0] != "synthetic" && args[0] != "--help" && args[0] != "-h") {
		fmt.Fprintln(stderr, "Usage: portal seed demo | portal seed synthetic --count N")
		return exitUsage
	}
	if args[0] == "--help" || args[0] == "-h" {
		fmt.Fprintln(stdout, "Usage: portal seed demo | portal seed synthetic --count N\n\n  demo       load the demo catalog into an empty database\n  synthetic  add N generated datasets (benchmarks)")
		return exitOK
	}
	kind := args[0]
	fs := newFlags("seed "+kind, "Load generated data.", stdout)
	count := fs.Int("count", 1000, "number of synthetic datasets (1 to 1000000)")
	if code, done := parseFlags(fs, args[1:], stderr); done {
		return code
	}
	if kind == "synthetic" && (*count < 1 || *count > 1_000_000) {
		fmt.Fprintln(stderr, "portal seed synthetic: --count must be from 1 to 1000000")
		return exitUsage
	}
	a, code := openApp(stderr)
	if a == nil {
		return code
	}
	defer a.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	var err error
	switch kind {
	case "demo":
		var loaded bool
		a.Config.Seed = "demo"
		loaded, err = a.SeedIfEmpty(ctx, func(f string, v ...any) { fmt.Fprintf(stdout, f+"\n", v...) })
		if err == nil && !loaded {
			fmt.Fprintln(stdout, "the database already holds a catalog: nothing loaded")
		}
	case "synthetic":
		err = seedSynthetic(ctx, a, *count, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "portal seed: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "done in %s\n", time.Since(start).Round(time.Millisecond))
	return exitOK
}

func seedSynthetic(ctx context.Context, a *app.App, n int, stdout, stderr io.Writer) error {
	var existing int64
	if err := a.DB.WithContext(ctx).Table("datasets").Where("id LIKE ?", "syn-%").Count(&existing).Error; err != nil {
		return err
	}
	demo := seed.Demo()
	cat := seed.Catalog{Departments: demo.Departments, Topics: demo.Topics, Datasets: seed.Synthetic(n, int(existing))}
	if l, ok := a.Blobs.(*blob.Local); ok {
		l.NoSync = true // bulk benchmark data: one sync at the end is enough
	}
	bar := newProgress(stderr, "loading")
	if err := a.Catalog.LoadCatalog(ctx, cat, bar.set); err != nil {
		return err
	}
	bar.done()
	syncFS()
	bar = newProgress(stderr, "indexing")
	if sum, err := a.Catalog.Store.Summary(ctx); err == nil {
		bar.total = int(sum.Datasets)
	}
	start := time.Now()
	if err := a.Catalog.Reindex(ctx, func(i int) { bar.set(i, -1) }); err != nil {
		return err
	}
	bar.done()
	fmt.Fprintf(stdout, "index rebuilt in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func cmdReindex(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("reindex", "Rebuild the search index from the database. Search stays online: the new index is built aside, then swapped in.", stdout)
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	a, code := openApp(stderr)
	if a == nil {
		return code
	}
	defer a.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	bar := newProgress(stderr, "indexing")
	if sum, err := a.Catalog.Store.Summary(ctx); err == nil {
		bar.total = int(sum.Datasets) // the public entries the walk will emit
	}
	start := time.Now()
	if err := a.Catalog.Reindex(ctx, func(i int) { bar.set(i, -1) }); err != nil {
		fmt.Fprintf(stderr, "portal reindex: %v\n", err)
		return exitFail
	}
	bar.done()
	n, _ := a.Index.Count(ctx)
	fmt.Fprintf(stdout, "indexed %d datasets in %s\n", n, time.Since(start).Round(time.Millisecond))
	return exitOK
}

func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version", "Print the version and build information.", stdout)
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	fmt.Fprintln(stdout, versionString())
	return exitOK
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func versionString() string {
	v := "portal " + version
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
		v += " " + info.GoVersion
	}
	return v
}

func syncFS() { syscall.Sync() }

// progress reports a long job on w (stderr): on a terminal a bar redrawn
// in place, elsewhere (logs, CI) a plain line every progressEvery, each
// with done/total, the rate and the time left.
type progress struct {
	w     io.Writer
	label string
	tty   bool
	now   func() time.Time
	start time.Time
	last  time.Time
	n     int
	total int
}

// progressEvery spaces the plain lines written when w is not a terminal.
const progressEvery = 5 * time.Second

func newProgress(w io.Writer, label string) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	p := &progress{w: w, label: label, tty: tty, now: time.Now}
	p.start, p.last = p.now(), p.now()
	return p
}

// set records progress; total < 0 keeps the total given before (or none).
func (p *progress) set(done, total int) {
	p.n = done
	if total >= 0 {
		p.total = total
	}
	now := p.now()
	every := progressEvery
	if p.tty {
		every = 200 * time.Millisecond
	}
	if now.Sub(p.last) < every {
		return
	}
	p.last = now
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", p.line(now, true))
	} else {
		fmt.Fprintln(p.w, p.line(now, false))
	}
}

// line is "label [###...] n/total (pct) rate/s ETA d", the bar on a terminal only.
func (p *progress) line(now time.Time, bar bool) string {
	var b strings.Builder
	b.WriteString(p.label)
	if p.total > 0 {
		if bar {
			const width = 30
			filled := min(p.n*width/p.total, width)
			fmt.Fprintf(&b, " [%s%s]", strings.Repeat("#", filled), strings.Repeat(".", width-filled))
		}
		fmt.Fprintf(&b, " %d/%d (%.1f%%)", p.n, p.total, 100*float64(p.n)/float64(p.total))
	} else {
		fmt.Fprintf(&b, " %d", p.n)
	}
	elapsed := now.Sub(p.start)
	if elapsed > 0 && p.n > 0 {
		rate := float64(p.n) / elapsed.Seconds()
		fmt.Fprintf(&b, " %.0f/s", rate)
		if p.total > p.n {
			eta := time.Duration(float64(p.total-p.n) / rate * float64(time.Second))
			fmt.Fprintf(&b, " ETA %s", eta.Round(time.Second))
		}
	}
	return b.String()
}

func (p *progress) done() {
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	elapsed := p.now().Sub(p.start)
	fmt.Fprintf(p.w, "%s: %d done in %s\n", p.label, p.n, elapsed.Round(time.Millisecond))
}
