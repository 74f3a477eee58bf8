package quality

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/outbox"
	"github.com/hlj-opendata/portal/server/store"
)

// SweepResult says what one sweep queued.
type SweepResult struct {
	Profiles int // CSV files without a current profile
	Datasets int // public entries to score again
}

// Sweep queues, batch by batch, a profile of every public CSV file
// without a current one and a new score for every public entry: scores
// change with time alone (updates fall due, corrections run late), and a
// lost event heals here.
func (s *Service) Sweep(ctx context.Context) (SweepResult, error) {
	var out SweepResult
	batch := s.limits().SweepBatch
	db := s.DB.WithContext(ctx)
	after := ""
	for {
		var ids []string
		err := db.Model(&catalog.Dataset{}).Scopes(publicScope).Where("datasets.id > ?", after).
			Order("datasets.id").Limit(batch).Pluck("datasets.id", &ids).Error
		if err != nil {
			return out, apperr.Internalf(err, "sweep: list entries")
		}
		if len(ids) == 0 {
			break
		}
		after = ids[len(ids)-1]
		stale, err := s.staleFiles(ctx, ids)
		if err != nil {
			return out, err
		}
		now := s.now()
		err = db.Transaction(func(tx *gorm.DB) error {
			if err := outbox.Enqueue(tx, now, KindProfile, stale...); err != nil {
				return err
			}
			return outbox.Enqueue(tx, now, KindQuality, ids...)
		})
		if err != nil {
			return out, apperr.Internalf(err, "sweep: queue")
		}
		out.Profiles += len(stale)
		out.Datasets += len(ids)
		s.kick()
	}
	return out, nil
}

// staleFiles lists the CSV files of the given entries whose profile is
// missing, stale, or failed for a reason that may pass; a file being
// profiled under a live lease is left to its worker.
func (s *Service) staleFiles(ctx context.Context, datasetIDs []string) ([]string, error) {
	db := s.DB.WithContext(ctx)
	var res []catalog.Resource
	if err := db.Select("id, dataset_id, format, sha256").Where("dataset_id IN ?", datasetIDs).Find(&res).Error; err != nil {
		return nil, apperr.Internalf(err, "sweep: resources")
	}
	var csv []string
	for _, r := range res {
		if strings.EqualFold(r.Format, "CSV") {
			csv = append(csv, r.ID)
		}
	}
	if len(csv) == 0 {
		return nil, nil
	}
	var items []catalog.DataItem
	if err := db.Where("dataset_id IN ?", datasetIDs).Order("dataset_id, position").Find(&items).Error; err != nil {
		return nil, apperr.Internalf(err, "sweep: data items")
	}
	byDataset := map[string][]catalog.DataItem{}
	for _, it := range items {
		byDataset[it.DatasetID] = append(byDataset[it.DatasetID], it)
	}
	var rows []Profile
	if err := db.Select("resource_id, sha256, items_hash, state, transient, lease_until").Where("resource_id IN ?", csv).Find(&rows).Error; err != nil {
		return nil, apperr.Internalf(err, "sweep: profiles")
	}
	byRes := map[string]*Profile{}
	for i := range rows {
		byRes[rows[i].ResourceID] = &rows[i]
	}
	now := s.now()
	var out []string
	for _, r := range res {
		if !strings.EqualFold(r.Format, "CSV") {
			continue
		}
		t := &target{SHA256: r.SHA256, ItemsHash: ItemsHash(ProfileItems(byDataset[r.DatasetID]))}
		row := byRes[r.ID]
		switch {
		case row != nil && row.State == StateRunning && row.LeaseUntil != nil && now.Before(*row.LeaseUntil):
		case t.current(row) && row.State == StateReady:
		case t.current(row) && row.State == StateFailed && !row.Transient:
		default:
			out = append(out, r.ID)
		}
	}
	return out, nil
}

// RunSweeps sweeps at start and then every period until ctx ends. Replicas
// share the sweep: it runs when no replica ran it for almost a period (at
// start: for a few minutes, so replicas that start together sweep once).
func (s *Service) RunSweeps(ctx context.Context, every time.Duration) {
	s.sweepIfDue(ctx, min(10*time.Minute, every))
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			s.sweepIfDue(ctx, every-every/10)
		}
	}
}

func (s *Service) sweepIfDue(ctx context.Context, gap time.Duration) {
	ok, err := s.claimSweep(ctx, gap)
	if err != nil {
		if ctx.Err() == nil {
			s.Log.Warn("quality sweep: claim", "err", err)
		}
		return
	}
	if !ok {
		return
	}
	res, err := s.Sweep(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.Log.Warn("quality sweep", "err", err)
		}
		return
	}
	s.Log.Info("quality sweep", "profiles", res.Profiles, "datasets", res.Datasets)
}

// claimSweep records this replica's sweep unless one ran within gap.
func (s *Service) claimSweep(ctx context.Context, gap time.Duration) (bool, error) {
	now := s.now()
	db := s.DB.WithContext(ctx)
	err := db.Create(&sweepRun{Name: "sweep", RanAt: now}).Error
	if err == nil {
		return true, nil
	}
	if !store.IsDuplicate(err) {
		return false, err
	}
	r := db.Model(&sweepRun{}).Where("name = ? AND ran_at <= ?", "sweep", now.Add(-gap)).Update("ran_at", now)
	return r.RowsAffected == 1, r.Error
}
