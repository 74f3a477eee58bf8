package corrections

import (
	"context"
	"time"

	"github.com/hlj-opendata/portal/server/apperr"
)

// OverdueReports counts, for each given dataset, the open reports whose
// answer was due before at (000 Art 24: answered within the profile's
// working days); datasets without any are absent. The quality score's
// corrections_answered check reads it.
func (s *Service) OverdueReports(ctx context.Context, datasetIDs []string, at time.Time) (map[string]int64, error) {
	out := map[string]int64{}
	if len(datasetIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		DatasetID string
		N         int64
	}
	err := s.DB.WithContext(ctx).Model(&Correction{}).Select("dataset_id, COUNT(*) AS n").
		Where("status = ? AND due_at < ? AND dataset_id IN ?", StatusOpen, at.UTC(), datasetIDs).
		Group("dataset_id").Scan(&rows).Error
	if err != nil {
		return nil, apperr.Internalf(err, "overdue corrections")
	}
	for _, r := range rows {
		out[r.DatasetID] = r.N
	}
	return out, nil
}
