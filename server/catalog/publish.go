package catalog

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Publish writes d as the entry the public sees, inside the caller's
// transaction (Publishing copies an approved version here): the dataset row
// is created or updated (download counters and creation time are kept),
// its data items are replaced and its resources made exactly d.Resources.
// The caller enqueues the "dataset" outbox event in the same transaction.
func (s *Store) Publish(tx *gorm.DB, d *Dataset) error {
	var n int64
	if err := tx.Model(&Dataset{}).Where("id = ?", d.ID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		if err := tx.Omit("Department", "Topic", "DataItems", "Resources").Create(d).Error; err != nil {
			return err
		}
	} else {
		err := tx.Model(&Dataset{}).Where("id = ?", d.ID).Updates(map[string]any{
			"title": d.Title, "description": d.Description, "department_id": d.DepartmentID, "topic_id": d.TopicID,
			"open_type": d.OpenType, "open_conditions": d.OpenConditions, "not_open_reason": d.NotOpenReason,
			"usage_scope": d.UsageScope, "update_frequency": d.UpdateFrequency, "classification": d.Classification,
			"grade": d.Grade, "tags": d.Tags, "region": d.Region, "status": d.Status, "version": d.Version,
			"published_at": d.PublishedAt, "updated_at": d.UpdatedAt,
			"resource_code": d.ResourceCode, "share_type": d.ShareType, "share_conditions": d.ShareConditions,
			"share_method": d.ShareMethod, "formats": d.DeclaredFormats,
		}).Error
		if err != nil {
			return err
		}
	}
	if err := tx.Where("dataset_id = ?", d.ID).Delete(&DataItem{}).Error; err != nil {
		return err
	}
	for i := range d.DataItems {
		d.DataItems[i].ID = 0
		d.DataItems[i].DatasetID = d.ID
	}
	if len(d.DataItems) > 0 {
		if err := tx.Create(&d.DataItems).Error; err != nil {
			return err
		}
	}
	keep := make([]string, 0, len(d.Resources))
	for _, r := range d.Resources {
		keep = append(keep, r.ID)
	}
	del := tx.Where("dataset_id = ?", d.ID)
	if len(keep) > 0 {
		del = del.Where("id NOT IN ?", keep)
	}
	if err := del.Delete(&Resource{}).Error; err != nil {
		return err
	}
	for i := range d.Resources {
		d.Resources[i].DatasetID = d.ID
	}
	if len(d.Resources) > 0 {
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "id"}},
			DoUpdates: clause.AssignmentColumns([]string{"position", "name", "format", "media_type", "size", "sha256", "rows", "storage_key", "updated_at"}),
		}).Create(&d.Resources).Error
		if err != nil {
			return err
		}
	}
	return nil
}
