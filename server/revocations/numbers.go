package revocations

import (
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Number series. Each restarts at 1 every calendar year (China time).
const (
	seriesAnnouncement = "announcement"
	seriesFiling       = "filing"
)

// Number formats: the platform's document numbers (文号), the year in
// 六角括号 〔〕 and the sequence as 第N号.
const (
	AnnouncementPrefix = "黑数开公告"
	FilingPrefix       = "黑数开备"
)

// FormatNumber renders a document number: 黑数开公告〔2026〕第3号.
func FormatNumber(prefix string, year, seq int) string {
	return fmt.Sprintf("%s〔%d〕第%d号", prefix, year, seq)
}

// nextNumber takes the next number of a series in year inside tx. The
// counter row is created if missing and then locked (SELECT … FOR UPDATE
// on MySQL; SQLite transactions hold the write lock), so two approvals
// never get the same number and none is skipped unless tx rolls back.
func nextNumber(tx *gorm.DB, series string, year int) (int, error) {
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&counter{Series: series, Year: year, Last: 0}).Error; err != nil {
		return 0, fmt.Errorf("create %s counter %d: %w", series, year, err)
	}
	var c counter
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("series = ? AND year = ?", series, year).Take(&c).Error; err != nil {
		return 0, fmt.Errorf("lock %s counter %d: %w", series, year, err)
	}
	next := c.Last + 1
	res := tx.Model(&counter{}).Where("series = ? AND year = ? AND last = ?", series, year, c.Last).Update("last", next)
	if res.Error != nil {
		return 0, fmt.Errorf("advance %s counter %d: %w", series, year, res.Error)
	}
	if res.RowsAffected != 1 {
		return 0, fmt.Errorf("%s counter %d moved concurrently", series, year)
	}
	return next, nil
}
