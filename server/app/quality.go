package app

import (
	"context"
	"time"

	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/quality"
	"github.com/hlj-opendata/portal/server/web"
)

// qualitySweepEvery is how often every public entry is scored again and
// files without a current profile are queued (server/quality).
const qualitySweepEvery = 6 * time.Hour

// openQuality wires the profiles of resources and the quality scores of
// entries (server/quality): their outbox handlers, and the "dataset"
// handler queuing both once an entry's change is applied.
func (a *App) openQuality() {
	a.Quality = &quality.Service{DB: a.DB, Catalog: a.Catalog.Store, Blobs: a.Blobs, Data: a.Dev, Uses: a.Dev.Grants,
		StaffSees: a.staffSeesResource, PublicDataset: a.Catalog.PublicDataset, Reindex: a.Catalog.ApplyToIndex,
		Corrections: a.Corrections, Policy: a.Policy, TempDir: a.Dev.TmpDir, Limits: quality.DefaultLimits(),
		Now: a.Now, Log: a.Log, Kick: a.Outbox.Kick}
	a.Outbox.Handlers[quality.KindProfile] = a.Quality.ProfileResources
	a.Outbox.Handlers[quality.KindQuality] = a.Quality.ScoreDatasets
	a.Outbox.Handlers["dataset"] = a.Quality.AfterDatasets(a.Outbox.Handlers["dataset"])
}

// staffSeesResource applies the catalog console's rule for resource files
// (publishing.Service.ResourceFile: the department's staff, drafts
// included, and the authority reviewing the entry); the file is not read.
func (a *App) staffSeesResource(ctx context.Context, p *authz.Principal, id string) error {
	f, err := a.Publishing.ResourceFile(ctx, p, id)
	if err != nil {
		return err
	}
	return f.Object.Close()
}

// qualityRoutes registers the profile and quality routes.
func (a *App) qualityRoutes(r *web.Router) {
	(&quality.Handler{S: a.Quality}).Routes(r, a.Limits.Middleware)
}

// startQuality starts the sweep: at start and every six hours, once
// across replicas.
func (a *App) startQuality(ctx context.Context) {
	a.workers.Add(1)
	go func() { defer a.workers.Done(); a.Quality.RunSweeps(ctx, qualitySweepEvery) }()
}
