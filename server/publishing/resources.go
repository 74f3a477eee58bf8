package publishing

import (
	"context"
	"encoding/json"
	"errors"
	"io"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/blob"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/outbox"
	"github.com/hlj-opendata/portal/server/upload"
)

// FileSource hands over the uploaded file once the caller may upload: the
// handler reads the multipart stream only after the access checks.
type FileSource func() (r io.Reader, name string, err error)

// columnsOf turns data items into the columns a file must match.
func columnsOf(items []DataItem) []upload.Column {
	cols := make([]upload.Column, len(items))
	for i, it := range items {
		cols[i] = upload.Column{Name: it.Name, Label: it.Label, Type: it.Type, Required: it.Required}
	}
	return cols
}

// AddResource receives a file, validates it against the entry's declared
// data items, stores it and adds it to the working version (opened on a
// published entry). Bad files leave nothing behind: the temporary file is
// removed and no row is written; the object is stored only once the file
// passed, and the row pointing at it is written in one transaction.
func (s *Service) AddResource(ctx context.Context, a Actor, id string, src FileSource) (*VersionResource, error) {
	e, err := s.loadOwned(ctx, a, id)
	if err != nil {
		return nil, err
	}
	d, err := editableDraft(e)
	if err != nil {
		return nil, err
	}
	if e.Working != nil && len(e.Working.Resources) >= MaxResources {
		return nil, apperr.New(apperr.Conflict, "an entry holds at most %d resources", MaxResources)
	}
	r, name, err := src()
	if err != nil {
		return nil, err
	}
	f, err := s.Uploads.Receive(ctx, r, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sum, err := f.Validate(ctx, columnsOf(d.DataItems))
	if err != nil {
		return nil, err
	}
	st, err := f.Commit(ctx, s.Blobs)
	if err != nil {
		return nil, err
	}
	cols, _ := json.Marshal(sum.Columns)
	now := s.now()
	vr := &VersionResource{ResourceID: newID("res-"), Name: f.Name, Format: string(f.Format), MediaType: f.MediaType,
		Size: st.Size, SHA256: st.SHA256, Rows: sum.Rows, StorageKey: st.Key, Columns: string(cols), Encoding: f.Encoding,
		CreatedAt: now, UpdatedAt: now}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		w := e.Working
		if w == nil {
			if w, err = s.openVersion(tx, e, a, now); err != nil {
				return err
			}
		}
		// The version must still be editable and hold the data items the
		// file was checked against.
		var cur Version
		if err := tx.Where("id = ?", w.ID).Take(&cur).Error; err != nil {
			return err
		}
		if !cur.Status.Editable() {
			return apperr.New(apperr.Conflict, "the entry was submitted meanwhile and cannot be changed")
		}
		if cur.Snapshot != w.Snapshot {
			return apperr.New(apperr.Conflict, "the entry changed while the file was uploaded; upload it again")
		}
		var n int64
		var pos struct{ P *int }
		if err := tx.Model(&VersionResource{}).Where("version_id = ?", w.ID).Count(&n).Error; err != nil {
			return err
		}
		if n >= MaxResources {
			return apperr.New(apperr.Conflict, "an entry holds at most %d resources", MaxResources)
		}
		if err := tx.Model(&VersionResource{}).Select("MAX(position) AS p").Where("version_id = ?", w.ID).Scan(&pos).Error; err != nil {
			return err
		}
		vr.VersionID, vr.Position = w.ID, 0
		if pos.P != nil {
			vr.Position = *pos.P + 1
		}
		if err := tx.Create(vr).Error; err != nil {
			return err
		}
		// The quality checks read the file's profile, made after commit.
		if err := outbox.Enqueue(tx, now, OutboxProfile, profiledResources([]VersionResource{*vr})...); err != nil {
			return err
		}
		return tx.Model(&Version{}).Where("id = ?", w.ID).Update("updated_at", now).Error
	})
	if err != nil {
		return nil, err
	}
	if s.Kick != nil {
		s.Kick()
	}
	return vr, nil
}

// resourceEntry finds the entry a resource id belongs to (published or in
// any version).
func (s *Service) resourceEntry(ctx context.Context, rid string) (string, error) {
	if !validID(rid) {
		return "", apperr.New(apperr.NotFound, "resource not found")
	}
	var ids []string
	if err := s.DB.WithContext(ctx).Model(&catalog.Resource{}).Where("id = ?", rid).Limit(1).Pluck("dataset_id", &ids).Error; err != nil {
		return "", apperr.Internalf(err, "find resource")
	}
	if len(ids) == 0 {
		err := s.DB.WithContext(ctx).Table("version_resources").Joins("JOIN dataset_versions ON dataset_versions.id = version_resources.version_id").
			Where("version_resources.resource_id = ?", rid).Limit(1).Pluck("dataset_versions.dataset_id", &ids).Error
		if err != nil {
			return "", apperr.Internalf(err, "find resource")
		}
	}
	if len(ids) == 0 {
		return "", apperr.New(apperr.NotFound, "resource not found")
	}
	return ids[0], nil
}

// RemoveResource takes a resource out of the working version (opened on a
// published entry): the public keeps it until the new version is approved.
func (s *Service) RemoveResource(ctx context.Context, a Actor, rid string) error {
	id, err := s.resourceEntry(ctx, rid)
	if err != nil {
		return err
	}
	e, err := s.loadOwned(ctx, a, id)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.NotFound, "resource not found")
	}
	if err != nil {
		return err
	}
	if e.Working != nil && !e.Working.Status.Editable() {
		return apperr.New(apperr.Conflict, "the entry is under review and cannot be changed until the authority decides")
	}
	now := s.now()
	return s.tx(ctx, func(tx *gorm.DB) error {
		w := e.Working
		if w == nil {
			if w, err = s.openVersion(tx, e, a, now); err != nil {
				return err
			}
		}
		res := tx.Where("version_id = ? AND resource_id = ?", w.ID, rid).Delete(&VersionResource{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.New(apperr.NotFound, "resource not found in the entry's pending version")
		}
		return tx.Model(&Version{}).Where("id = ? AND status IN ?", w.ID, []Status{StatusDraft, StatusReturned}).Update("updated_at", now).Error
	})
}

// StoredFile is a resource file to serve to staff.
type StoredFile struct {
	Resource VersionResource
	Object   blob.Object
}

// ResourceFile opens a resource of an entry the caller may see, in any
// version (the authority checks the files it reviews).
func (s *Service) ResourceFile(ctx context.Context, p *authz.Principal, rid string) (*StoredFile, error) {
	v, err := s.viewerOf(p)
	if err != nil {
		return nil, err
	}
	id, err := s.resourceEntry(ctx, rid)
	if err != nil {
		return nil, err
	}
	e, err := s.loadFor(ctx, v, id)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "resource not found")
	}
	var r VersionResource
	q := s.DB.WithContext(ctx).Table("version_resources").Select("version_resources.*").
		Joins("JOIN dataset_versions ON dataset_versions.id = version_resources.version_id").
		Where("version_resources.resource_id = ? AND dataset_versions.dataset_id = ?", rid, id)
	if !v.owns(e) {
		q = q.Where("dataset_versions.status <> ?", StatusDraft) // drafts stay with their department
	}
	err = q.Order("version_resources.version_id DESC").Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		res, _, err := s.Catalog.Resource(ctx, rid)
		if err != nil {
			return nil, err
		}
		r = resourcesOf(0, []catalog.Resource{*res})[0]
	} else if err != nil {
		return nil, apperr.Internalf(err, "load resource %s", rid)
	}
	obj, err := s.Blobs.Open(ctx, r.StorageKey)
	if err != nil {
		return nil, apperr.Internalf(err, "open stored file of resource %s", rid)
	}
	return &StoredFile{Resource: r, Object: obj}, nil
}
