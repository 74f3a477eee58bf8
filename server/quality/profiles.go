package quality

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/outbox"
	"github.com/hlj-opendata/portal/server/profile"
	"github.com/hlj-opendata/portal/server/store"
)

// target is a resource file to profile and the data items it is
// profiled against.
type target struct {
	ResourceID string
	DatasetID  string
	Name       string
	Format     string
	SHA256     string
	StorageKey string
	Items      []profile.Item
	ItemsHash  string
	// Published: a catalog resource, whose entry's score reads the profile.
	Published bool
}

func (t *target) csv() bool { return strings.EqualFold(t.Format, "CSV") }

// current reports whether row was made from t's file and items.
func (t *target) current(row *Profile) bool {
	return row != nil && row.SHA256 == t.SHA256 && row.ItemsHash == t.ItemsHash
}

// ItemsHash identifies the declared items a profile was made against:
// a change of name, label, type or domain makes the profile stale.
func ItemsHash(items []profile.Item) string {
	h := sha256.New()
	for _, it := range items {
		// Field and item separators no identifier or label contains.
		fmt.Fprintf(h, "%s\x1f%s\x1f%s\x1f%s\x1e", it.Name, it.Label, it.Type, it.Domain)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ProfileItems are the data items a published entry's files are checked against.
func ProfileItems(items []catalog.DataItem) []profile.Item {
	out := make([]profile.Item, len(items))
	for i, it := range items {
		out[i] = profile.Item{Name: it.Name, Label: it.Label, Type: it.Type, Domain: it.Domain}
	}
	return out
}

// target finds resource id: a published resource (checked against its
// entry's data items), else the latest version holding it as a draft
// (checked against that version's draft items, so a provider sees the
// profile before submitting).
func (s *Service) target(ctx context.Context, id string) (*target, error) {
	db := s.DB.WithContext(ctx)
	var r catalog.Resource
	err := db.Where("id = ?", id).Take(&r).Error
	if err == nil {
		var items []catalog.DataItem
		if err := db.Where("dataset_id = ?", r.DatasetID).Order("position").Find(&items).Error; err != nil {
			return nil, apperr.Internalf(err, "load data items of %s", r.DatasetID)
		}
		pi := ProfileItems(items)
		return &target{ResourceID: r.ID, DatasetID: r.DatasetID, Name: r.Name, Format: r.Format, SHA256: r.SHA256,
			StorageKey: r.StorageKey, Items: pi, ItemsHash: ItemsHash(pi), Published: true}, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.Internalf(err, "load resource %s", id)
	}
	// A read-only look at publishing's tables (dataset_versions,
	// version_resources): the snapshot is the draft JSON.
	var draft struct {
		DatasetID  string
		Name       string
		Format     string
		SHA256     string `gorm:"column:sha256"`
		StorageKey string
		Snapshot   string
	}
	err = db.Table("version_resources").
		Select("dataset_versions.dataset_id, version_resources.name, version_resources.format, version_resources.sha256, version_resources.storage_key, dataset_versions.snapshot").
		Joins("JOIN dataset_versions ON dataset_versions.id = version_resources.version_id").
		Where("version_resources.resource_id = ?", id).Order("version_resources.version_id DESC").Limit(1).Scan(&draft).Error
	if err != nil {
		return nil, apperr.Internalf(err, "load draft resource %s", id)
	}
	if draft.DatasetID == "" {
		return nil, apperr.New(apperr.NotFound, "resource not found")
	}
	pi, err := draftItems(draft.Snapshot)
	if err != nil {
		return nil, apperr.Internalf(err, "decode draft of %s", draft.DatasetID)
	}
	return &target{ResourceID: id, DatasetID: draft.DatasetID, Name: draft.Name, Format: draft.Format, SHA256: draft.SHA256,
		StorageKey: draft.StorageKey, Items: pi, ItemsHash: ItemsHash(pi)}, nil
}

// draftItems reads the data items of a draft snapshot. A draft written
// before items had a domain gets the guessed one, like migration 0070
// gave published items.
func draftItems(snapshot string) ([]profile.Item, error) {
	var d struct {
		DataItems []struct {
			Name   string  `json:"name"`
			Label  string  `json:"label"`
			Type   string  `json:"type"`
			Domain *string `json:"domain"`
		} `json:"data_items"`
	}
	if err := json.Unmarshal([]byte(snapshot), &d); err != nil {
		return nil, err
	}
	out := make([]profile.Item, len(d.DataItems))
	for i, it := range d.DataItems {
		dom := catalog.GuessDomain(it.Name, it.Label, it.Type)
		if it.Domain != nil {
			dom = *it.Domain
		}
		out[i] = profile.Item{Name: it.Name, Label: it.Label, Type: it.Type, Domain: dom}
	}
	return out, nil
}

// errBusy: another worker holds the file's lease; the event is retried
// and finds its result.
var errBusy = errors.New("being profiled by another worker")

// ProfileResources is the outbox handler of "profile" events. For each
// resource it profiles the current file against the current items unless
// a profile of exactly those exists (idempotent) or the file failed for
// good. One worker at a time holds a file's lease and renews it while
// reading, so a file is profiled once even when the outbox lease runs out
// and another replica picks the event up; a crashed worker's lease expires
// and the next attempt starts the file over (resumable at file level).
// Transient failures return an error, so the outbox retries with backoff.
func (s *Service) ProfileResources(ctx context.Context, ids []string) error {
	var errs []error
	for _, id := range ids {
		if err := s.profileOne(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("profile %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Service) profileOne(ctx context.Context, id string) error {
	t, err := s.target(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		// The resource is gone: so is its profile.
		return s.DB.WithContext(ctx).Where("resource_id = ?", id).Delete(&Profile{}).Error
	}
	if err != nil {
		return err
	}
	if !t.csv() {
		return nil
	}
	row, err := s.profileRow(ctx, id)
	if err != nil {
		return err
	}
	now := s.now()
	if row != nil {
		leased := row.State == StateRunning && row.LeaseUntil != nil && now.Before(*row.LeaseUntil)
		switch {
		case leased:
			return errBusy
		case t.current(row) && row.State == StateReady:
			return nil
		case t.current(row) && row.State == StateFailed && !row.Transient:
			return nil
		}
	}
	owner, err := s.claim(ctx, t, row, now)
	if err != nil {
		return err
	}
	if owner == "" {
		return errBusy
	}
	return s.run(ctx, t, owner)
}

func (s *Service) profileRow(ctx context.Context, id string) (*Profile, error) {
	var row Profile
	err := s.DB.WithContext(ctx).Where("resource_id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, apperr.Internalf(err, "read profile of %s", id)
	}
	return &row, nil
}

func newOwner() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// claim takes the file's lease: it inserts a running row, or takes over
// the previous one with a compare-and-set on its state, owner and
// attempts (every claim changes the owner, so two workers that read the
// same row cannot both win). It returns the new owner, "" when another
// worker won.
func (s *Service) claim(ctx context.Context, t *target, prev *Profile, now time.Time) (string, error) {
	owner := newOwner()
	until := now.Add(s.limits().Lease)
	db := s.DB.WithContext(ctx)
	if prev == nil {
		err := db.Create(&Profile{ResourceID: t.ResourceID, SHA256: t.SHA256, ItemsHash: t.ItemsHash, State: StateRunning,
			LeaseOwner: owner, LeaseUntil: &until, Attempts: 1, UpdatedAt: now}).Error
		if store.IsDuplicate(err) {
			return "", nil
		}
		if err != nil {
			return "", apperr.Internalf(err, "claim profile of %s", t.ResourceID)
		}
		return owner, nil
	}
	attempts := prev.Attempts + 1
	if !t.current(prev) {
		attempts = 1 // a new file or new items: a new series of attempts
	}
	r := db.Model(&Profile{}).Where("resource_id = ? AND state = ? AND lease_owner = ? AND attempts = ?", t.ResourceID, prev.State, prev.LeaseOwner, prev.Attempts).
		Updates(map[string]any{"sha256": t.SHA256, "items_hash": t.ItemsHash, "state": StateRunning, "lease_owner": owner,
			"lease_until": until, "attempts": attempts, "updated_at": now})
	if r.Error != nil {
		return "", apperr.Internalf(r.Error, "claim profile of %s", t.ResourceID)
	}
	if r.RowsAffected != 1 {
		return "", nil
	}
	return owner, nil
}

// readErrors remembers whether reading the stored file failed (a
// transient problem) rather than parsing it.
type readErrors struct {
	r   io.Reader
	err atomic.Value
}

func (e *readErrors) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err.Store(err)
	}
	return n, err
}

// run profiles t's file under the lease of owner and stores the result.
func (s *Service) run(ctx context.Context, t *target, owner string) error {
	lim := s.limits()
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	lost := &atomic.Bool{}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		// Renew the lease while the engine reads; when another worker took
		// it (this one stalled past it), stop: that worker's result stands.
		defer close(done)
		tick := time.NewTicker(lim.Lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				mine := func() *gorm.DB {
					return s.DB.WithContext(ctx).Model(&Profile{}).Where("resource_id = ? AND lease_owner = ? AND state = ?", t.ResourceID, owner, StateRunning)
				}
				r := mine().Update("lease_until", s.now().Add(lim.Lease))
				if r.Error != nil {
					continue
				}
				held := r.RowsAffected > 0
				if !held {
					// MySQL counts changed rows only: an unchanged time is not a loss.
					var n int64
					if mine().Count(&n).Error != nil {
						continue
					}
					held = n > 0
				}
				if !held {
					lost.Store(true)
					cancel()
					return
				}
			}
		}
	}()
	res, runErr := s.profileFile(ctx, t)
	close(stop)
	<-done
	if lost.Load() {
		return nil
	}
	if runErr != nil {
		var fe *fileError
		if errors.As(runErr, &fe) {
			return s.finish(ctx, t, owner, nil, fe.msg, false)
		}
		if err := s.finish(context.WithoutCancel(ctx), t, owner, nil, runErr.Error(), true); err != nil {
			s.Log.Warn("record profile failure", "resource", t.ResourceID, "err", err)
		}
		return runErr
	}
	return s.finish(ctx, t, owner, res, "", false)
}

// fileError: the file itself cannot be profiled; trying again gives the
// same answer.
type fileError struct{ msg string }

func (e *fileError) Error() string { return e.msg }

// profileFile streams the stored file through the engine.
func (s *Service) profileFile(ctx context.Context, t *target) (*profile.Result, error) {
	obj, err := s.Blobs.Open(ctx, t.StorageKey)
	if err != nil {
		return nil, fmt.Errorf("open stored file: %w", err)
	}
	defer obj.Close()
	in := &readErrors{r: obj}
	run := s.Profiler
	if run == nil {
		run = profile.Run
	}
	lim := s.limits()
	res, err := run(ctx, in, t.Items, profile.Options{TempDir: s.TempDir, MaxExamples: lim.MaxExamples, TopN: lim.TopN,
		ExactLimit: lim.ExactLimit, Now: s.Now})
	if err != nil {
		var ae *apperr.Error
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return nil, &fileError{msg: fmt.Sprintf("profiling the file took longer than %s", lim.Timeout)}
		case in.err.Load() == nil && errors.As(err, &ae) && ae.Code == apperr.Invalid:
			// The engine says the file itself is at fault (not a CSV, a
			// record too long, too many columns): the same next time.
			return nil, &fileError{msg: clip(ae.Message, 400)}
		}
		return nil, err // reading the stored file, the scratch disk: try again later
	}
	if res == nil {
		return nil, errors.New("profile engine returned no result")
	}
	return res, nil
}

// finish stores a run's outcome if owner still holds the lease; a result
// of a published file queues the entry's score.
func (s *Service) finish(ctx context.Context, t *target, owner string, res *profile.Result, msg string, transient bool) error {
	now := s.now()
	upd := map[string]any{"lease_owner": "", "lease_until": nil, "updated_at": now, "transient": transient}
	if res != nil {
		res.ProfiledAt = now
		normalise(res)
		b, err := json.Marshal(res)
		if err != nil {
			return apperr.Internalf(err, "encode profile of %s", t.ResourceID)
		}
		if len(b) > s.limits().MaxResultBytes {
			res, msg = nil, fmt.Sprintf("the file has too many columns to keep its profile (%d bytes, at most %d)", len(b), s.limits().MaxResultBytes)
		} else {
			upd["state"], upd["result"], upd["error"], upd["profiled_at"] = StateReady, string(b), "", now
		}
	}
	if res == nil {
		upd["state"], upd["result"], upd["error"] = StateFailed, "", clip(msg, 500)
	}
	queue := t.Published && !transient
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r := tx.Model(&Profile{}).Where("resource_id = ? AND lease_owner = ?", t.ResourceID, owner).Updates(upd)
		if r.Error != nil || r.RowsAffected == 0 || !queue {
			return r.Error
		}
		return outbox.Enqueue(tx, now, KindQuality, t.DatasetID)
	})
	if err != nil {
		return apperr.Internalf(err, "store profile of %s", t.ResourceID)
	}
	if queue {
		s.kick()
	}
	return nil
}

// normalise gives every list member of a result a [] instead of null.
func normalise(r *profile.Result) {
	if r.Columns == nil {
		r.Columns = []profile.Column{}
	}
	if r.Undeclared == nil {
		r.Undeclared = []string{}
	}
	if r.Missing == nil {
		r.Missing = []string{}
	}
	for i := range r.Columns {
		c := &r.Columns[i]
		if c.Top == nil {
			c.Top = []profile.TopValue{}
		}
		if c.InvalidExamples == nil {
			c.InvalidExamples = []int64{}
		}
		if c.InvalidValues == nil {
			c.InvalidValues = []string{}
		}
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}

// requestProfile queues a profile of resource id unless one is queued.
func (s *Service) requestProfile(ctx context.Context, id string) error {
	var n int64
	db := s.DB.WithContext(ctx)
	if err := db.Model(&outbox.Event{}).Where("kind = ? AND entity_id = ?", KindProfile, id).Count(&n).Error; err != nil {
		return apperr.Internalf(err, "look for a queued profile of %s", id)
	}
	if n > 0 {
		return nil
	}
	if err := outbox.Enqueue(db, s.now(), KindProfile, id); err != nil {
		return apperr.Internalf(err, "queue profile of %s", id)
	}
	s.kick()
	return nil
}
