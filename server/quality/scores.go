package quality

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/profile"
)

// ScoreDatasets is the outbox handler of "quality" events: it recomputes
// each entry's checks and score from its current state, stores them (and
// datasets.quality_score) and puts changed scores into the search index,
// so the catalog sorts and filters by them. Entries that are not public
// keep no score. Idempotent.
func (s *Service) ScoreDatasets(ctx context.Context, ids []string) error {
	now := s.now()
	overdue, err := s.Corrections.OverdueReports(ctx, ids, now)
	if err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		if err := s.scoreOne(ctx, id, now, overdue[id]); err != nil {
			errs = append(errs, fmt.Errorf("score %s: %w", id, err))
		}
	}
	if err := s.syncIndex(ctx, ids); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (s *Service) scoreOne(ctx context.Context, id string, now time.Time, overdue int64) error {
	ds, err := s.Catalog.Dataset(ctx, id)
	if apperr.Is(err, apperr.NotFound) || (err == nil && !ds.Public()) {
		return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Where("dataset_id = ?", id).Delete(&Failure{}).Error; err != nil {
				return err
			}
			if err := tx.Where("dataset_id = ?", id).Delete(&Score{}).Error; err != nil {
				return err
			}
			return tx.Model(&catalog.Dataset{}).Where("id = ? AND quality_score <> 0", id).UpdateColumn("quality_score", 0).Error
		})
	}
	if err != nil {
		return err
	}
	profiles, err := s.fileProfiles(ctx, ds)
	if err != nil {
		return err
	}
	checks := assess(Inputs{Dataset: ds, Now: now, OverdueCorrections: overdue, Profiles: profiles})
	score := total(checks)
	b, err := json.Marshal(checks)
	if err != nil {
		return apperr.Internalf(err, "encode checks of %s", id)
	}
	var fails []Failure
	for _, c := range checks {
		if !c.Passed {
			fails = append(fails, Failure{DatasetID: id, CheckID: c.ID, Hint: c.Hint, DepartmentID: ds.DepartmentID, Weight: c.Weight, Score: score})
		}
	}
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := Score{DatasetID: id, Score: score, Checks: string(b), IndexedScore: ds.QualityScore, ComputedAt: now}
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "dataset_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"score", "checks", "computed_at"}),
		}).Create(&row).Error
		if err != nil {
			return err
		}
		if err := tx.Where("dataset_id = ?", id).Delete(&Failure{}).Error; err != nil {
			return err
		}
		if len(fails) > 0 {
			if err := tx.Create(&fails).Error; err != nil {
				return err
			}
		}
		return tx.Model(&catalog.Dataset{}).Where("id = ? AND quality_score <> ?", id, score).UpdateColumn("quality_score", score).Error
	})
}

// fileProfiles reads the current profiles of an entry's CSV files; a
// file without one is queued for profiling (a lost event heals here).
func (s *Service) fileProfiles(ctx context.Context, ds *catalog.Dataset) (map[string]*FileProfile, error) {
	items := ProfileItems(ds.DataItems)
	hash := ItemsHash(items)
	var ids []string
	for _, r := range ds.Resources {
		if strings.EqualFold(r.Format, "CSV") {
			ids = append(ids, r.ID)
		}
	}
	out := map[string]*FileProfile{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Profile
	if err := s.DB.WithContext(ctx).Where("resource_id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, apperr.Internalf(err, "load profiles of %s", ds.ID)
	}
	byID := map[string]*Profile{}
	for i := range rows {
		byID[rows[i].ResourceID] = &rows[i]
	}
	for _, r := range ds.Resources {
		if !strings.EqualFold(r.Format, "CSV") {
			continue
		}
		t := &target{SHA256: r.SHA256, ItemsHash: hash}
		row := byID[r.ID]
		switch {
		case t.current(row) && row.State == StateReady:
			var res profile.Result
			if err := json.Unmarshal([]byte(row.Result), &res); err != nil {
				return nil, apperr.Internalf(err, "decode profile of %s", r.ID)
			}
			out[r.ID] = &FileProfile{Result: &res}
		case t.current(row) && row.State == StateFailed && !row.Transient:
			out[r.ID] = &FileProfile{Failed: true, Error: row.Error}
		default:
			if err := s.requestProfile(ctx, r.ID); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// syncIndex puts the entries whose score the index has not seen into it.
func (s *Service) syncIndex(ctx context.Context, ids []string) error {
	var rows []Score
	err := s.DB.WithContext(ctx).Select("dataset_id, score").Where("dataset_id IN ? AND indexed_score <> score", ids).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return err
	}
	changed := make([]string, len(rows))
	for i, r := range rows {
		changed[i] = r.DatasetID
	}
	if err := s.Reindex(ctx, changed); err != nil {
		return fmt.Errorf("index quality scores: %w", err)
	}
	for _, r := range rows {
		err := s.DB.WithContext(ctx).Model(&Score{}).Where("dataset_id = ? AND score = ?", r.DatasetID, r.Score).
			UpdateColumn("indexed_score", r.Score).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// ---- reading ----------------------------------------------------------------

// CheckView is one check as the API shows it.
type CheckView struct {
	ID     string `json:"id"`
	Passed bool   `json:"passed"`
	Weight int    `json:"weight"`
	Hint   string `json:"hint"`
	Detail string `json:"detail"`
}

// QualityView is an entry's quality as the API shows it.
type QualityView struct {
	DatasetID  string      `json:"dataset_id"`
	Score      int         `json:"score"`
	Checks     []CheckView `json:"checks"`
	ComputedAt time.Time   `json:"computed_at"`
}

// DatasetQuality returns a public entry's score and checks in lang,
// scoring it first when it has never been scored.
func (s *Service) DatasetQuality(ctx context.Context, id string, lang Lang) (*QualityView, error) {
	if _, err := s.PublicDataset(ctx, id); err != nil {
		return nil, err
	}
	row, err := s.scoreRow(ctx, id)
	if err != nil {
		return nil, err
	}
	if row == nil {
		// Not scored yet (its event is still queued): score it now. A
		// failed reindex is retried by the queued event.
		if err := s.ScoreDatasets(ctx, []string{id}); err != nil {
			s.Log.Warn("score on read", "dataset", id, "err", err)
		}
		if row, err = s.scoreRow(ctx, id); err != nil {
			return nil, err
		}
		if row == nil {
			return nil, apperr.New(apperr.Unavailable, "the quality of this entry could not be computed; try again later")
		}
	}
	var checks []checkResult
	if err := json.Unmarshal([]byte(row.Checks), &checks); err != nil {
		return nil, apperr.Internalf(err, "decode checks of %s", id)
	}
	out := &QualityView{DatasetID: id, Score: row.Score, Checks: make([]CheckView, len(checks)), ComputedAt: row.ComputedAt}
	for i, c := range checks {
		out.Checks[i] = CheckView{ID: c.ID, Passed: c.Passed, Weight: c.Weight, Hint: hint(c.Hint, lang), Detail: c.Detail.in(lang)}
	}
	return out, nil
}

func (s *Service) scoreRow(ctx context.Context, id string) (*Score, error) {
	var row Score
	err := s.DB.WithContext(ctx).Where("dataset_id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, apperr.Internalf(err, "load quality of %s", id)
	}
	return &row, nil
}

// publicScope limits a query joined with datasets to public entries.
func publicScope(db *gorm.DB) *gorm.DB {
	return db.Where("datasets.status = ? AND datasets.open_type IN ?", catalog.StatusPublished, []catalog.OpenType{catalog.Unconditional, catalog.Conditional})
}

// Ref names a department.
type Ref struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// DepartmentQuality is one department's scores.
type DepartmentQuality struct {
	Department Ref     `json:"department"`
	Datasets   int64   `json:"datasets"` // public entries scored
	Average    float64 `json:"average"`  // one decimal
	Below60    int64   `json:"below_60"`
}

// DepartmentList is the departments' scores, lowest average first.
type DepartmentList struct {
	Items []DepartmentQuality `json:"items"`
}

// Departments averages the scores of each department's public entries.
func (s *Service) Departments(ctx context.Context) (*DepartmentList, error) {
	var rows []struct {
		ID    string
		Name  string
		N     int64
		Sum   int64
		Below int64
	}
	err := s.DB.WithContext(ctx).Table("datasets").Scopes(publicScope).
		Select("datasets.department_id AS id, departments.name AS name, COUNT(*) AS n, SUM(dataset_quality.score) AS sum, SUM(CASE WHEN dataset_quality.score < 60 THEN 1 ELSE 0 END) AS below").
		Joins("JOIN dataset_quality ON dataset_quality.dataset_id = datasets.id").
		Joins("JOIN departments ON departments.id = datasets.department_id").
		Group("datasets.department_id, departments.name").Scan(&rows).Error
	if err != nil {
		return nil, apperr.Internalf(err, "department quality")
	}
	out := &DepartmentList{Items: make([]DepartmentQuality, 0, len(rows))}
	for _, r := range rows {
		avg := math.Round(float64(r.Sum)*10/float64(r.N)) / 10
		out.Items = append(out.Items, DepartmentQuality{Department: Ref{r.ID, r.Name}, Datasets: r.N, Average: avg, Below60: r.Below})
	}
	slices.SortFunc(out.Items, func(a, b DepartmentQuality) int {
		if a.Average != b.Average {
			if a.Average < b.Average {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Department.ID, b.Department.ID)
	})
	return out, nil
}

// FixItem is one failed check worth fixing.
type FixItem struct {
	DatasetID string `json:"dataset_id"`
	Title     string `json:"title"`
	Score     int    `json:"score"`
	Check     string `json:"check"`
	Weight    int    `json:"weight"`
	Hint      string `json:"hint"`
}

// FixList is the fix-first list.
type FixList struct {
	Items []FixItem `json:"items"`
}

// Fix-first page sizes.
const (
	DefaultFixLimit = 20
	MaxFixLimit     = 100
)

// FixFirst lists the failed checks of the public entries the caller
// answers for, the biggest gain first (weight, then the lowest score): a
// provider sees its departments' entries only; the data authority and
// administrators see every department's, or one's with department.
func (s *Service) FixFirst(ctx context.Context, p *authz.Principal, department string, limit int, lang Lang) (*FixList, error) {
	if p == nil {
		return nil, apperr.New(apperr.Unauthorized, "sign in required")
	}
	if limit < 1 || limit > MaxFixLimit {
		return nil, apperr.Field("limit", fmt.Sprintf("limit must be a whole number from 1 to %d", MaxFixLimit))
	}
	var own []string
	for _, d := range s.Policy.Domains(p, authz.DatasetsManage) {
		if id, ok := strings.CutPrefix(d, "dept:"); ok && id != "" {
			own = append(own, id)
		}
	}
	everyone := len(s.Policy.Domains(p, authz.DatasetsReview)) > 0 || p.Has(authz.RoleAdmin)
	var scope []string
	switch {
	case department != "" && (everyone || slices.Contains(own, department)):
		scope = []string{department}
	case department != "":
		return nil, apperr.New(apperr.Forbidden, "you see only your own department's entries")
	case everyone:
	case len(own) > 0:
		scope = own
	default:
		return nil, apperr.New(apperr.Forbidden, "only provider departments and the data authority see what to fix first")
	}
	var rows []struct {
		DatasetID string
		Title     string
		Score     int
		CheckID   string
		Hint      string
		Weight    int
	}
	q := s.DB.WithContext(ctx).Table("quality_failures").Scopes(publicScope).
		Select("quality_failures.dataset_id, datasets.title, quality_failures.score, quality_failures.check_id, quality_failures.hint, quality_failures.weight").
		Joins("JOIN datasets ON datasets.id = quality_failures.dataset_id")
	if scope != nil {
		q = q.Where("quality_failures.department_id IN ?", scope)
	}
	err := q.Order("quality_failures.weight DESC, quality_failures.score ASC, quality_failures.dataset_id, quality_failures.check_id").
		Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, apperr.Internalf(err, "fix-first list")
	}
	out := &FixList{Items: make([]FixItem, len(rows))}
	for i, r := range rows {
		out.Items[i] = FixItem{DatasetID: r.DatasetID, Title: r.Title, Score: r.Score, Check: r.CheckID, Weight: r.Weight, Hint: hint(r.Hint, lang)}
	}
	return out, nil
}
