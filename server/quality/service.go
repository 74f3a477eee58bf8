package quality

import (
	"context"
	"io"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/devapi"
	"github.com/hlj-opendata/portal/server/outbox"
	"github.com/hlj-opendata/portal/server/profile"
	"github.com/hlj-opendata/portal/server/store"
)

// Outbox kinds this package handles.
const (
	KindProfile = "profile" // entity: a resource id; profile its current file
	KindQuality = "quality" // entity: a dataset id; recompute its score
)

// DataAccess finds a public resource and decides what a caller may read
// of it: devapi.Service, so a profile is checked exactly like a download.
type DataAccess interface {
	Resource(ctx context.Context, id string) (*catalog.Resource, *catalog.Dataset, error)
	Resolve(ctx context.Context, p *authz.Principal, ds *catalog.Dataset) (*devapi.Scope, error)
}

// UseRecorder records a grant holder's use before any of the data leaves
// (000 Art 28): a profile shows values of the approved columns.
type UseRecorder interface {
	StartUse(ctx context.Context, u devapi.Use) (uint64, error)
}

// OverdueCounter counts open correction reports past their due time
// (corrections.Service).
type OverdueCounter interface {
	OverdueReports(ctx context.Context, datasetIDs []string, at time.Time) (map[string]int64, error)
}

// Policy says in which domains a caller holds a permission (authz.Enforcer).
type Policy interface {
	Domains(p *authz.Principal, perm authz.Permission) []string
}

// Profiler is the profile engine's entry point (profile.Run).
type Profiler func(ctx context.Context, r io.Reader, items []profile.Item, opt profile.Options) (*profile.Result, error)

// Limits bound the work.
type Limits struct {
	// Lease: how long a profiling worker holds a file without renewing.
	Lease time.Duration
	// Timeout: the longest one file may be profiled.
	Timeout time.Duration
	// The profile engine's limits (profile.Options).
	TopN, MaxExamples, ExactLimit int
	// MaxResultBytes caps a stored profile (the JSON of very wide files).
	MaxResultBytes int
	// SweepBatch: entries per step of the sweep.
	SweepBatch int
}

// DefaultLimits are the production limits.
func DefaultLimits() Limits {
	return Limits{Lease: 15 * time.Second, Timeout: 30 * time.Minute, TopN: 10, MaxExamples: 20, ExactLimit: 10_000,
		MaxResultBytes: 8 << 20, SweepBatch: 500}
}

// Service profiles resources and scores entries.
type Service struct {
	DB      *gorm.DB
	Catalog *catalog.Store
	Blobs   blob.Store
	Data    DataAccess
	Uses    UseRecorder // nil: conditional data's profiles are refused (no record, no data)
	// StaffSees returns nil when the caller may see the resource in the
	// catalog console: its department's staff (drafts included) and the
	// authority reviewing it (publishing.Service.ResourceFile's rule).
	StaffSees func(ctx context.Context, p *authz.Principal, resourceID string) error
	// PublicDataset returns an entry the public may see, else not found
	// or gone (catalog.Service.PublicDataset).
	PublicDataset func(ctx context.Context, id string) (*catalog.Dataset, error)
	// Reindex puts entries' current state into the search index
	// (catalog.Service.ApplyToIndex).
	Reindex     func(ctx context.Context, ids []string) error
	Corrections OverdueCounter
	Policy      Policy
	Profiler    Profiler // profile.Run when nil
	TempDir     string   // scratch space of the profile engine, under the data folder
	Limits      Limits
	Now         func() time.Time
	Log         *slog.Logger
	Kick        func() // wakes the outbox worker after a commit (optional)
}

func (s *Service) now() time.Time { return store.DBTime(s.Now()) }

func (s *Service) limits() Limits {
	l, d := s.Limits, DefaultLimits()
	if l.Lease <= 0 {
		l.Lease = d.Lease
	}
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	if l.TopN <= 0 {
		l.TopN = d.TopN
	}
	if l.MaxExamples <= 0 {
		l.MaxExamples = d.MaxExamples
	}
	if l.ExactLimit <= 0 {
		l.ExactLimit = d.ExactLimit
	}
	if l.MaxResultBytes <= 0 {
		l.MaxResultBytes = d.MaxResultBytes
	}
	if l.SweepBatch <= 0 {
		l.SweepBatch = d.SweepBatch
	}
	return l
}

func (s *Service) kick() {
	if s.Kick != nil {
		s.Kick()
	}
}

// AfterDatasets wraps the "dataset" outbox handler: once an entry's
// publication, update or revocation is applied, its CSV files are queued
// for profiling and the entry for scoring (both handlers are idempotent,
// so a retried batch only queues them again).
func (s *Service) AfterDatasets(inner outbox.Handler) outbox.Handler {
	return func(ctx context.Context, ids []string) error {
		if inner != nil {
			if err := inner(ctx, ids); err != nil {
				return err
			}
		}
		// Files of entries that are no longer public are not profiled.
		var csv []string
		err := s.DB.WithContext(ctx).Model(&catalog.Resource{}).Joins("JOIN datasets ON datasets.id = resources.dataset_id").Scopes(publicScope).
			Where("resources.dataset_id IN ? AND UPPER(resources.format) = ?", ids, "CSV").Order("resources.id").Pluck("resources.id", &csv).Error
		if err != nil {
			return err
		}
		now := s.now()
		err = s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := outbox.Enqueue(tx, now, KindProfile, csv...); err != nil {
				return err
			}
			return outbox.Enqueue(tx, now, KindQuality, ids...)
		})
		if err == nil {
			s.kick()
		}
		return err
	}
}
