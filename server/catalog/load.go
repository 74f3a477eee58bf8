package catalog

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/store"
)

// MediaTypes maps resource formats to the Content-Type they are served with.
var MediaTypes = map[string]string{
	"CSV":  "text/csv; charset=utf-8",
	"JSON": "application/json",
	"XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"XML":  "application/xml",
}

// LoadCatalog writes a generated catalog (demo or synthetic) straight into
// the published state: departments and topics that exist are kept, and
// each dataset's resources are rendered into the blob store first, so no
// row ever points at a missing file. The caller rebuilds the index.
func (s *Service) LoadCatalog(ctx context.Context, cat seed.Catalog, progress func(done, total int)) error {
	db := s.Store.DB.WithContext(ctx)
	now := store.DBTime(s.Now())
	deps := make([]Department, len(cat.Departments))
	for i, d := range cat.Departments {
		deps[i] = Department{ID: d.ID, Name: d.Name, RegionLevel: d.RegionLevel, Region: d.Region, ParentID: d.ParentID, Code: d.Code, CreatedAt: now}
	}
	topics := make([]Topic, len(cat.Topics))
	for i, t := range cat.Topics {
		topics[i] = Topic{ID: t.Code, Name: t.Name, NameEN: t.NameEN, SortOrder: i}
	}
	if len(deps) > 0 {
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&deps).Error; err != nil {
			return apperr.Internalf(err, "load departments")
		}
	}
	if len(topics) > 0 {
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&topics).Error; err != nil {
			return apperr.Internalf(err, "load topics")
		}
	}
	const batch = 200
	for start := 0; start < len(cat.Datasets); start += batch {
		end := min(start+batch, len(cat.Datasets))
		rows := make([]Dataset, 0, end-start)
		for _, sd := range cat.Datasets[start:end] {
			d, err := s.fromSeed(ctx, sd, now)
			if err != nil {
				return err
			}
			rows = append(rows, d)
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			return insertDatasets(tx, rows)
		})
		if err != nil {
			return apperr.Internalf(err, "load datasets %d-%d", start, end)
		}
		if progress != nil {
			progress(end, len(cat.Datasets))
		}
	}
	s.labelsMu.Lock()
	s.labels = nil
	s.labelsMu.Unlock()
	return nil
}

func insertDatasets(tx *gorm.DB, rows []Dataset) error {
	var items []DataItem
	var resources []Resource
	for i := range rows {
		items = append(items, rows[i].DataItems...)
		resources = append(resources, rows[i].Resources...)
	}
	if err := tx.Omit("Department", "Topic", "DataItems", "Resources").CreateInBatches(rows, 100).Error; err != nil {
		return err
	}
	if len(items) > 0 {
		if err := tx.CreateInBatches(items, 500).Error; err != nil {
			return err
		}
	}
	if len(resources) > 0 {
		if err := tx.CreateInBatches(resources, 500).Error; err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) fromSeed(ctx context.Context, sd seed.Dataset, now time.Time) (Dataset, error) {
	d := Dataset{
		ID: sd.ID, Title: sd.Title, Description: sd.Description, DepartmentID: sd.DepartmentID, TopicID: sd.TopicCode,
		OpenType: OpenType(sd.OpenType), OpenConditions: sd.OpenConditions, NotOpenReason: sd.NotOpenReason, UsageScope: sd.UsageScope,
		UpdateFrequency: sd.UpdateFrequency, Classification: sd.Classification, Grade: sd.Grade, Tags: Strings(sd.Tags),
		Region: sd.Region, Status: StatusPublished, Version: 1, UpdatedAt: store.DBTime(sd.UpdatedAt), CreatedAt: now, Downloads: sd.Downloads,
		ResourceCode: sd.ResourceCode, ShareType: ShareType(sd.ShareType), ShareConditions: sd.ShareConditions, ShareMethod: sd.ShareMethod,
		DeclaredFormats: Strings(sd.Formats),
	}
	if d.ShareType == "" {
		// Generated catalogs that state no share type: as migration 0050 does.
		d.ShareType = ShareTypeFor(d.OpenType)
		switch d.ShareType {
		case ShareConditional:
			d.ShareConditions = d.OpenConditions
		case NotShared:
			d.ShareConditions = d.NotOpenReason
		}
		if d.ShareType != NotShared {
			d.ShareMethod = "file"
		}
	}
	if !sd.PublishedAt.IsZero() {
		p := store.DBTime(sd.PublishedAt)
		d.PublishedAt = &p
	}
	for i, it := range sd.DataItems {
		dom := it.Domain
		if dom == "" {
			dom = GuessDomain(it.Name, it.Label, it.Type)
		}
		d.DataItems = append(d.DataItems, DataItem{DatasetID: d.ID, Position: i, Name: it.Name, Label: it.Label, Type: it.Type, Description: it.Description, Required: it.Required, Domain: dom})
	}
	for i, r := range sd.Resources {
		var buf bytes.Buffer
		if err := r.Write(&buf); err != nil {
			return d, fmt.Errorf("render resource %s: %w", r.ID, err)
		}
		st, err := s.Blobs.Put(ctx, &buf, 0)
		if err != nil {
			return d, apperr.Internalf(err, "store resource %s", r.ID)
		}
		format := strings.ToUpper(r.Format)
		mt := MediaTypes[format]
		if mt == "" {
			mt = "application/octet-stream"
		}
		d.Resources = append(d.Resources, Resource{
			ID: r.ID, DatasetID: d.ID, Position: i, Name: r.Name, Format: format, MediaType: mt,
			Size: st.Size, SHA256: st.SHA256, Rows: int64(r.Rows), StorageKey: st.Key, CreatedAt: d.UpdatedAt, UpdatedAt: d.UpdatedAt,
		})
	}
	if len(d.DeclaredFormats) == 0 {
		d.DeclaredFormats = Strings(d.ResourceFormats())
	}
	return d, nil
}
