// Package app wires the portal together: database, blob store, search
// index, domain services, background workers and the HTTP application.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/frontend"
	"github.com/hlj-opendata/portal/search"
	"github.com/hlj-opendata/portal/search/embedded"
	"github.com/hlj-opendata/portal/search/meili"
	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/accounts"
	"github.com/hlj-opendata/portal/server/apidocs"
	"github.com/hlj-opendata/portal/server/applications"
	"github.com/hlj-opendata/portal/server/apps"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/changes"
	"github.com/hlj-opendata/portal/server/ckan"
	"github.com/hlj-opendata/portal/server/config"
	"github.com/hlj-opendata/portal/server/corrections"
	"github.com/hlj-opendata/portal/server/dcat"
	"github.com/hlj-opendata/portal/server/deadlines"
	"github.com/hlj-opendata/portal/server/devapi"
	"github.com/hlj-opendata/portal/server/mail"
	portalmcp "github.com/hlj-opendata/portal/server/mcp"
	"github.com/hlj-opendata/portal/server/metrics"
	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/outbox"
	"github.com/hlj-opendata/portal/server/policy"
	"github.com/hlj-opendata/portal/server/publishing"
	"github.com/hlj-opendata/portal/server/quality"
	"github.com/hlj-opendata/portal/server/requests"
	"github.com/hlj-opendata/portal/server/respcache"
	"github.com/hlj-opendata/portal/server/revocations"
	"github.com/hlj-opendata/portal/server/site"
	"github.com/hlj-opendata/portal/server/stats"
	"github.com/hlj-opendata/portal/server/store"
	"github.com/hlj-opendata/portal/server/upload"
	"github.com/hlj-opendata/portal/server/web"
)

// Migrations lists every domain's migrations; store.Migrate sorts them by id.
func Migrations() []*gormigrate.Migration {
	var all []*gormigrate.Migration
	all = append(all, catalog.Migrations()...)
	all = append(all, outbox.Migrations()...)
	all = append(all, accounts.Migrations()...)
	all = append(all, audit.Migrations()...)
	all = append(all, authz.Migrations()...)
	all = append(all, notify.Migrations()...)
	all = append(all, devapi.Migrations()...)
	all = append(all, deadlines.Migrations()...)
	all = append(all, applications.Migrations()...)
	all = append(all, corrections.Migrations()...)
	all = append(all, requests.Migrations()...)
	all = append(all, publishing.Migrations()...)
	all = append(all, revocations.Migrations()...)
	all = append(all, changes.Migrations()...)
	all = append(all, publishing.DueChangeMigrations()...)
	all = append(all, calendarMigrations()...)
	all = append(all, quality.Migrations()...)
	all = append(all, apps.Migrations()...)
	all = append(all, respcache.Migrations()...)
	return all
}

// App is a running portal.
type App struct {
	Config  config.Config
	Log     *slog.Logger
	DB      *gorm.DB
	Blobs   blob.Store // blob.Local, or blob.S3 when PORTAL_BLOB_URL is s3://
	Index   search.Index
	Catalog *catalog.Service
	Outbox  *outbox.Worker
	Router  *web.Router
	Now     func() time.Time

	// Accounts identifies callers; Policy (casbin) says what roles may do.
	Accounts *accounts.Service
	Policy   *authz.Enforcer
	// Notify is every party's inbox (and e-mail copies).
	Notify *notify.Service
	// Calendar counts working days; Profile holds the deadlines (policy data).
	Calendar *calendar.Calendar
	Profile  policy.Profile
	// Dev serves developers: downloads, conversions, rows, counts; Limits their rate.
	Dev    *devapi.Service
	Limits *devapi.Limiter
	// Applications: conditional-open applications, grants, use records (000 Art 34).
	Applications *applications.Service
	// Corrections (000 Art 24), data requests (000 Art 29), department statistics (000 Art 42).
	Corrections *corrections.Service
	Requests    *requests.Service
	Stats       *stats.Service
	// Publishing: providers draft and update entries, the authority reviews (000 Art 12).
	Publishing *publishing.Service
	// Revocations: withdrawal of open data, filings, announcements (000 Art 35, 16).
	Revocations *revocations.Service

	// Changes: catalog change notices and the updates they call for (000 Art 15).
	Changes *changes.Service
	Quality *quality.Service
	// Apps: developer app keys, signed calls and their quotas (docs/app-keys.md).
	Apps *apps.Service
	// PageCache keeps rendered public pages (server/site).
	PageCache *site.Cache
	// Versions is the shared catalog version; ResponseCache answers public
	// reads from memory while it holds (respcache.go).
	Versions      *respcache.Versions
	ResponseCache *respcache.Cache

	cancel  context.CancelFunc
	runCtx  context.Context // Start's: ends at Close
	workers sync.WaitGroup
	// indexPending: EnsureIndexInBackground has not finished; /readyz
	// says so while the server already answers from the database.
	indexPending atomic.Bool
	// indexLoaded waits for an index that opens in the background.
	indexLoaded func(context.Context) error
	cal         calendarSync // uploaded years and recomputation (calendars.go)
	// withdrawals: when the next revocation takes effect (respcache.go).
	withdrawals withdrawals
}

// Options tune New for tests and commands.
type Options struct {
	Now func() time.Time // injected clock; time.Now when nil
	// NoSeed skips demo seeding whatever the configuration says.
	NoSeed bool
	// WrapIndex wraps the search index (tests inject failures with it).
	WrapIndex func(search.Index) search.Index
}

// Open connects to the database, migrates and opens the search index and
// blob store. It starts nothing in the background.
func Open(cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder %s: %w", cfg.DataDir, err)
	}
	db, err := store.Open(cfg, log)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: db, Now: opts.Now}
	ok := false
	defer func() {
		if !ok {
			a.Close()
		}
	}()
	if err := store.Migrate(db, Migrations()); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	a.Blobs, err = openBlobs(cfg)
	if err != nil {
		return nil, err
	}
	a.Index, err = openIndex(cfg, log)
	if err != nil {
		return nil, err
	}
	if opts.WrapIndex != nil {
		a.Index = opts.WrapIndex(a.Index)
	}
	if w, ok := a.Index.(interface{ WaitReady(context.Context) error }); ok {
		a.indexLoaded = w.WaitReady // before the metrics wrapper hides it
	}
	a.Index = metrics.TimedIndex(a.Index)
	a.Catalog = &catalog.Service{Store: &catalog.Store{DB: db}, Index: a.Index, Blobs: a.Blobs, Log: log, Now: opts.Now}
	a.Outbox = &outbox.Worker{DB: db, Log: log, Now: opts.Now, Handlers: map[string]outbox.Handler{
		"dataset": a.Catalog.ApplyToIndex,
	}}
	a.Dev = &devapi.Service{Catalog: a.Catalog.Store, Blobs: a.Blobs, Log: log, Now: opts.Now, TmpDir: filepath.Join(cfg.DataDir, "tmp"),
		Tables: &devapi.RowStore{DB: db, Blobs: a.Blobs, Log: log, Now: opts.Now},
		Counts: &devapi.Counter{DB: db, Log: log, Now: opts.Now}}
	if err := os.MkdirAll(a.Dev.TmpDir, 0o750); err != nil {
		return nil, err
	}
	a.Limits = &devapi.Limiter{AnonPerMinute: cfg.RateAnon, TokenPerMinute: cfg.RateToken}
	// Publication, updates and revocations load or drop the row tables.
	syncTables := a.Dev.Tables.Sync(a.Catalog.Store)
	a.Outbox.Handlers["dataset"] = func(ctx context.Context, ids []string) error {
		if err := a.Catalog.ApplyToIndex(ctx, ids); err != nil {
			return err
		}
		return syncTables(ctx, ids)
	}
	// Rendered public pages follow catalog changes at once on this replica
	// (others when they see the catalog version go up: respcache.go).
	a.PageCache = site.NewCache(site.CacheEntries, site.CacheTTL)
	a.PageCache.SetClock(a.Now)
	a.Outbox.Handlers["dataset"] = a.PageCache.AfterDatasets(a.Outbox.Handlers["dataset"])
	a.Policy, err = authz.NewEnforcer(context.Background(), db, log, seed.DefaultPolicy)
	if err != nil {
		return nil, err
	}
	sender, err := mail.New(cfg.SMTPURL, log)
	if err != nil {
		return nil, err
	}
	if cfg.SMTPURL == "" {
		log.Info("mail is not configured (PORTAL_SMTP_URL): password reset and invitation mails are not sent")
	}
	a.Accounts = &accounts.Service{DB: db, Policy: a.Policy, Mail: sender, Log: log, Now: opts.Now, BaseURL: cfg.BaseURL, Limits: accountLimits(cfg)}
	a.Notify = &notify.Service{DB: db, Mail: sender, Now: opts.Now, BaseURL: cfg.BaseURL, EmailOf: a.emailOf}
	a.Outbox.Handlers[notify.OutboxKind] = a.Notify.DeliverEmails
	a.Calendar, err = LoadCalendar(cfg.CalendarDir, log)
	if err != nil {
		return nil, err
	}
	a.Profile, err = policy.Load(cfg.Profile, seed.ProfilesFS)
	if err != nil {
		return nil, fmt.Errorf("PORTAL_POLICY_PROFILE: %w", err)
	}
	a.Accounts.Limits.StaffPasswordMaxAgeDays = a.Profile.StaffPasswordMaxAgeDays // 000 Art 38
	a.Applications = &applications.Service{DB: db, Datasets: a.Catalog, Blobs: a.Blobs, Notify: a.Notify, Policy: a.Policy,
		Calendar: a.Calendar, Profile: a.Profile, Now: opts.Now, Log: log}
	a.Dev.Grants = devGrants{a.Applications}
	a.Accounts.Grants = devGrants{a.Applications}
	staff := &corrections.Directory{DB: db, Holders: a.Policy.UsersWithRole}
	a.Corrections = &corrections.Service{DB: db, Catalog: a.Catalog, Blobs: a.Blobs, Calendar: a.Calendar, Profile: a.Profile,
		Notify: a.Notify, Mail: sender, Staff: staff, Log: log, Now: opts.Now, Limits: corrections.DefaultLimits()}
	a.Outbox.Handlers[corrections.MailKind] = a.Corrections.DeliverMail
	a.Requests = &requests.Service{DB: db, Catalog: a.Catalog, Calendar: a.Calendar, Profile: a.Profile, Notify: a.Notify,
		Staff: staff, Log: log, Now: opts.Now, Limits: requests.DefaultLimits()}
	a.Stats = &stats.Service{DB: db, Calendar: a.Calendar, Corrections: a.Corrections, Requests: a.Requests, Log: log, Now: opts.Now}
	a.Publishing = &publishing.Service{DB: db, Catalog: a.Catalog.Store, Blobs: a.Blobs, Policy: a.Policy, Notify: a.Notify,
		Uploads:  &upload.Receiver{TempDir: filepath.Join(cfg.DataDir, "spool"), Limits: upload.DefaultLimits(cfg.MaxUploadBytes)},
		Calendar: a.Calendar, Profile: a.Profile, Now: opts.Now, Log: log, Kick: a.Outbox.Kick}
	a.Revocations = &revocations.Service{DB: db, Notify: a.Notify, Policy: a.Policy, Applications: a.Applications,
		Profile: a.Profile, Now: opts.Now, Log: log, Kick: a.Outbox.Kick}
	a.Changes = &changes.Service{DB: db, Calendar: a.Calendar, Profile: a.Profile, Notify: a.Notify, Staff: staff, Log: log, Now: opts.Now}
	// Change notices follow calendar changes too (the other services are listed in calendars.go).
	a.AddRecomputer(a.Changes)
	a.Catalog.Tombstones = a.Revocations               // withdrawn entries answer 410 with a tombstone
	a.Dev.Withdrawn = a.Catalog.CheckWithdrawnResource // downloads too
	// Tokens that used unconditional data keep it for the grace period (000 Art 16).
	a.Dev.Revoked, a.Dev.TokenUses = a.Revocations.Grace, &devapi.TokenUses{DB: db, Log: log}
	if err := a.openCalendars(); err != nil { // uploaded official years (calendars.go)
		return nil, err
	}
	a.openQuality() // profiles and quality scores (quality.go)
	// Apps: keys, signed calls and quotas (apps.go).
	if a.Apps, err = openApps(cfg, db, log, opts.Now, devGrants{a.Applications}); err != nil {
		return nil, err
	}
	a.Accounts.Apps = a.Apps
	a.openResponseCache() // after every outbox handler that changes public reads
	ok = true
	return a, nil
}

func openIndex(cfg config.Config, log *slog.Logger) (search.Index, error) {
	if cfg.MeiliURL != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		idx, err := meili.Open(ctx, cfg.MeiliURL, cfg.MeiliKey, cfg.MeiliIndex)
		if err != nil {
			return nil, fmt.Errorf("meilisearch at %s: %w", cfg.MeiliURL, err)
		}
		return idx, nil
	}
	// A large index loads in the background: the catalog answers browses
	// from the database meanwhile and /readyz waits for it.
	idx, err := embedded.OpenAsync(filepath.Join(cfg.DataDir, "search"), log)
	if err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	return idx, nil
}

// SeedIfEmpty loads the demo catalog into an empty database when the
// configuration asks for it (PORTAL_SEED=demo).
func (a *App) SeedIfEmpty(ctx context.Context, out func(string, ...any)) (bool, error) {
	if a.Config.Seed != "demo" {
		return false, nil
	}
	empty, err := a.Catalog.Store.IsEmpty(ctx)
	if err != nil {
		return false, err
	}
	if !empty {
		return a.SeedDemoAccounts(ctx, out)
	}
	start := time.Now()
	if err := a.Catalog.LoadCatalog(ctx, seed.DemoAt(a.Now()), nil); err != nil {
		return false, fmt.Errorf("seed demo catalog: %w", err)
	}
	if err := a.Catalog.Reindex(ctx, nil); err != nil {
		return false, fmt.Errorf("index demo catalog: %w", err)
	}
	if out != nil {
		out("loaded the demo catalog in %s", time.Since(start).Round(time.Millisecond))
	}
	if _, err := a.SeedDemoAccounts(ctx, out); err != nil {
		return false, err
	}
	return true, a.SeedDemoActivity(ctx, out)
}

// SeedDemoAccounts creates one demo account per role when there are no
// accounts yet (demo mode only), with PORTAL_DEMO_PASSWORD or a generated
// password printed once through out.
func (a *App) SeedDemoAccounts(ctx context.Context, out func(string, ...any)) (bool, error) {
	list := accounts.DemoAccounts(seed.DemoProviderDepartment, seed.DemoProvider2Department)
	return a.Accounts.SeedDemo(ctx, list, a.Config.DemoPassword, out)
}

// EnsureIndex rebuilds the index when it disagrees with the database
// (first start on a new engine, a lost index folder).
func (a *App) EnsureIndex(ctx context.Context) error {
	if a.indexLoaded != nil {
		if err := a.indexLoaded(ctx); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	in, err := a.Catalog.IndexInSync(ctx)
	if err != nil {
		return err
	}
	if in {
		return nil
	}
	a.Log.Warn("search index out of step with the database: rebuilding")
	return a.Catalog.Reindex(ctx, nil)
}

// EnsureIndexInBackground runs EnsureIndex after the server listens, so a
// large index loading (or a rebuild) does not keep the port closed: reads
// are served from the database meanwhile and /readyz is not ready until
// it ends. A failure stays visible on /readyz and in the log.
func (a *App) EnsureIndexInBackground() {
	ctx := a.runCtx // after Start: Close cancels it and waits
	a.indexPending.Store(true)
	a.workers.Add(1)
	go func() {
		defer a.workers.Done()
		start := time.Now()
		if err := a.EnsureIndex(ctx); err != nil {
			if ctx.Err() == nil {
				a.Log.Error("search index not ready: serving from the database", "err", err)
			}
			return
		}
		a.indexPending.Store(false)
		a.Log.Info("search index ready", "took", time.Since(start).Round(time.Millisecond))
	}()
}

// Handler builds the HTTP application.
func (a *App) Handler() http.Handler {
	if a.Router != nil {
		return a.Router.Echo()
	}
	siteInfo := catalog.SiteInfo{Name: "黑龙江省公共数据开放平台", Demo: a.Config.Seed == "demo"}
	if siteInfo.Demo {
		siteInfo.Notice = seed.DemoNotice
	}
	rend, err := frontend.NewRenderer(frontend.Options{BaseURL: a.Config.BaseURL, Notice: siteInfo.Notice})
	if err != nil {
		panic(err) // the templates are embedded: a broken one is a build defect (tested)
	}
	pages := &site.Handler{R: rend, DB: a.DB, Catalog: a.Catalog, Corrections: a.Corrections, Revocations: a.Revocations,
		Requests: a.Requests, Stats: a.Stats, BaseURL: a.Config.BaseURL, Now: a.Now, Log: a.Log, Cache: a.PageCache}
	e := web.New(web.Options{Log: a.Log, BodyLimit: "1M", TLS: strings.HasPrefix(a.Config.BaseURL, "https://"), TrustedProxies: a.Config.TrustedProxies, NotFoundPage: pages.NotFound})
	e.Pre(metrics.Middleware())
	e.Use(a.Apps.Middleware) // signed app calls: verified before any route, quotas charged (server/apps)
	// Anonymous public reads from memory; pages follow the catalog version (respcache.go).
	e.Use(a.ResponseCache.Middleware, a.bumpAfterWrites)
	// Staff whose password expired can only change it (000 Art 38).
	r := web.NewRouter(e, a.Accounts.PasswordRotation(authz.Guard(a.Accounts, a.Policy)))
	a.Router = r
	// Public read APIs answer any origin, never with credentials.
	e.Pre(web.CORS(r))
	e.Any("/api/*", authz.NotFound) // undeclared API routes: 404, whatever the method
	r.GET("/healthz", web.Public, func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	r.GET("/readyz", web.Public, a.readyz)
	if a.Config.MetricsAddr == "" {
		// Only with PORTAL_METRICS_TOKEN as a bearer token; without it 404.
		r.GET("/metrics", web.Public, metrics.Guarded(a.Config.MetricsToken)) // else on its own listener (cmd/portal)
	}
	apidocs.Routes(r)
	site := siteInfo
	(&catalog.Handler{Service: a.Catalog, Site: site, Disputes: a.Corrections}).Routes(r)
	(&accounts.Handler{Service: a.Accounts}).Routes(r)
	(&notify.Handler{Service: a.Notify}).Routes(r)
	(&devapi.Handler{S: a.Dev}).Routes(r, a.Limits.Middleware)
	// MCP for AI agents: the same services, rate limits and use records as REST.
	(&portalmcp.Handler{Catalog: a.Catalog, Dev: a.Dev, Revocations: a.Revocations, BaseURL: a.Config.BaseURL, Log: a.Log, Meter: a.Apps}).Routes(r, a.Limits.Middleware)
	(&ckan.Handler{DB: a.DB, Dev: a.Dev, BaseURL: a.Config.BaseURL, SiteName: site.Name, Log: a.Log, Now: a.Now, Index: a.Index}).Routes(r, a.Limits.Middleware)
	dc := &dcat.Handler{DB: a.DB, BaseURL: a.Config.BaseURL, SiteName: site.Name}
	dc.Routes(r, a.Limits.Middleware)
	e.Use(dc.Negotiate) // RDF on /datasets/{id} for Accept: text/turtle etc.
	(&applications.Handler{Service: a.Applications}).Routes(r)
	(&apps.Handler{S: a.Apps}).Routes(r)
	(&corrections.Handler{Service: a.Corrections}).Routes(r)
	(&requests.Handler{Service: a.Requests}).Routes(r)
	(&stats.Handler{Service: a.Stats}).Routes(r)
	(&publishing.Handler{Service: a.Publishing}).Routes(r)
	(&revocations.Handler{Service: a.Revocations, BaseURL: a.Config.BaseURL, SiteName: site.Name}).Routes(r)
	(&changes.Handler{Service: a.Changes}).Routes(r)
	(&stats.ChangesHandler{Service: a.Stats, Changes: a.Changes}).Routes(r)
	a.calendarRoutes(r)
	a.qualityRoutes(r)
	pages.Routes(r)
	frontend.Register(e, rend)
	return e
}

// readyz answers 200 only when the database and the search engine answer.
func (a *App) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	checks := map[string]any{}
	ready := true
	if err := store.Ping(ctx, a.DB); err != nil {
		checks["database"] = "down: " + err.Error()
		ready = false
	} else {
		checks["database"] = "ok"
	}
	if err := a.Index.Health(ctx); err != nil {
		checks["search"] = "down: " + err.Error()
		ready = false
	} else if a.indexPending.Load() {
		checks["search"] = "starting: checking the index against the database"
		ready = false
	} else {
		checks["search"] = "ok"
	}
	if n, err := outbox.Backlog(ctx, a.DB); err == nil {
		checks["outbox_backlog"] = n
	}
	warnings := a.CalendarWarnings()
	checks["calendar"] = map[string]any{"years": a.Calendar.Years(), "provisional": a.ProvisionalYearsInUse(), "warnings": warnings}
	status := http.StatusOK
	if !ready {
		status = http.StatusServiceUnavailable
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(status, map[string]any{"ready": ready, "checks": checks, "warnings": warnings})
}

// CalendarWarnings are the calendar's recorded warnings plus, up front,
// every year from today to 90 days ahead without an official holiday
// file: deadlines in such a year count a provisional calendar (statutory
// holidays only), which the operator fixes by adding YYYY.json to
// PORTAL_CALENDAR_DIR or uploading it. They do not make the portal
// unready; /readyz shows them to operators (never citizens' forms).
func (a *App) CalendarWarnings() []string {
	out := []string{}
	seen := map[string]bool{}
	for _, y := range a.ProvisionalYearsInUse() {
		msg := calendar.ProvisionalWarning(y)
		seen[msg] = true
		out = append(out, msg)
	}
	for _, w := range a.Calendar.Warnings() {
		if !seen[w] {
			out = append(out, w)
		}
	}
	return out
}

// MetricsHandler serves the Prometheus metrics (for PORTAL_METRICS_ADDR).
func (a *App) MetricsHandler() http.Handler { return metrics.Handler() }

// Start runs the background workers until Close.
func (a *App) Start() {
	metrics.SetOutboxBacklog(func(ctx context.Context) (int64, error) { return outbox.Backlog(ctx, a.DB) })
	a.registerOverdueMetrics()
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	a.runCtx = ctx
	a.workers.Add(1)
	go func() { defer a.workers.Done(); a.Outbox.Run(ctx) }()
	a.workers.Add(1)
	// Role changes made on another replica apply here within one poll.
	go func() { defer a.workers.Done(); a.Policy.Watch(ctx, 5*time.Second) }()
	a.workers.Add(1)
	go func() { defer a.workers.Done(); a.Dev.Counts.Run(ctx) }()
	a.workers.Add(1)
	// Uploaded calendars from other replicas; recomputation of deadlines (calendars.go).
	go func() { defer a.workers.Done(); a.watchCalendars(ctx, 5*time.Second) }()
	a.startQuality(ctx) // profiling sweep and score refresh (quality.go)
	a.startSpool(ctx)   // orphaned upload spool files (spool.go)
	a.workers.Add(1)
	// Entries behind the update frequency they declare are reported.
	go func() { defer a.workers.Done(); a.Publishing.RunFreshness(ctx, time.Hour) }()
	a.workers.Add(1)
	// Review (001 Art 17) and fix (000 Art 12) deadlines of catalog entries.
	go func() {
		defer a.workers.Done()
		deadlines.Loop(ctx, a.Log, "catalog", time.Minute, func(ctx context.Context) error {
			_, err := a.Publishing.RunDeadlines(ctx)
			return err
		})
	}()
	a.workers.Add(1)
	// Approved revocations take effect on their date (injected clock; reads enforce it too).
	go func() { defer a.workers.Done(); a.Revocations.Run(ctx, time.Minute) }()
	a.workers.Add(1)
	// Reminders and escalations of application deadlines (000 Art 34, 42);
	// every replica runs it, each step is claimed once.
	go func() {
		defer a.workers.Done()
		deadlines.Loop(ctx, a.Log, "applications", time.Minute, func(ctx context.Context) error {
			_, err := a.Applications.RunDeadlines(ctx)
			return err
		})
	}()
	// Catalog change notices (000 Art 15): updates recorded, reminders, escalations.
	a.workers.Add(1)
	go func() {
		defer a.workers.Done()
		deadlines.Loop(ctx, a.Log, "catalog-changes", time.Minute, func(ctx context.Context) error {
			_, err := a.Changes.FollowUp(ctx)
			return err
		})
	}()
	// The same for corrections (000 Art 24) and data requests (000 Art 29).
	a.workers.Add(2)
	go func() {
		defer a.workers.Done()
		deadlines.Loop(ctx, a.Log, "corrections", time.Minute, func(ctx context.Context) error {
			_, err := a.Corrections.FollowUp(ctx)
			return err
		})
	}()
	go func() {
		defer a.workers.Done()
		deadlines.Loop(ctx, a.Log, "requests", time.Minute, func(ctx context.Context) error {
			_, err := a.Requests.FollowUp(ctx)
			return err
		})
	}()
}

// Close stops workers and closes the index and database.
func (a *App) Close() error {
	if a.cancel != nil {
		a.cancel()
		a.workers.Wait()
	}
	var errs []error
	if a.Index != nil {
		errs = append(errs, a.Index.Close())
	}
	if a.DB != nil {
		errs = append(errs, store.Close(a.DB))
	}
	if c, ok := a.Blobs.(io.Closer); ok {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// LoadCalendar reads the embedded official years, then the operator's
// folder (PORTAL_CALENDAR_DIR), whose files add years or replace embedded ones.
func LoadCalendar(operatorDir string, log *slog.Logger) (*calendar.Calendar, error) {
	sources := []calendar.Source{{Name: "embedded seed/calendar", FS: seed.CalendarFS}}
	if operatorDir != "" {
		sources = append(sources, calendar.DirSource(operatorDir))
	}
	cal, err := calendar.LoadSources(log, sources...)
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	return cal, nil
}

// emailOf is the address of an enabled account, for notice e-mails.
func (a *App) emailOf(ctx context.Context, userID uint64) (string, error) {
	var u accounts.User
	err := a.DB.WithContext(ctx).Select("email").Where("id = ? AND disabled_at IS NULL", userID).Take(&u).Error
	return u.Email, err
}

// accountLimits applies the operator's sign-in settings to the defaults.
func accountLimits(cfg config.Config) accounts.Limits {
	l := accounts.DefaultLimits()
	l.PairFreeFailures = cfg.LoginMaxFailures
	l.RegisterPerIP, l.RegisterGlobal, l.HashConcurrency = cfg.RegisterPerIP, cfg.RegisterPerHour, cfg.HashConcurrency
	l.IdleTimeout = cfg.SessionIdle
	l.AbsoluteTimeout = cfg.SessionMax
	return l
}
