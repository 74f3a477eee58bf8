// Package changes is the change-triggered update of catalog entries (000
// Art 15; 001 Art 17 ¶1): when a law, regulation or a department's duties
// change, the authority (or the department itself) records a catalog
// change notice (目录变更通知) against the department's entries; the
// department updates the affected entries within the profile's
// catalog_update_after_change working days (3), counted from the notice,
// and may ask once for up to catalog_update_extension_max more (5), which
// the same-level authority approves or refuses.
//
// An affected entry counts as updated when the department submits a new
// version of it for review after the notice (001 Art 17 ¶1: "完成更新，并报送
// ……审核"; the submission is read from the audit trail, where publishing
// records it), or when the department confirms, with a reason, that the
// change does not affect it. The confirmation is our interpretation: a
// notice may name entries that turn out not to need a change, and without
// it such a notice could never be completed.
//
// The portal counts from the notice, not from the day the law changed: it
// cannot know of a change before it is recorded. The day of the change is
// recorded and shown (changed_on).
package changes

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hlj-opendata/portal/server/apperr"
)

// Status is where a notice is.
type Status string

const (
	StatusOpen      Status = "open"      // entries still to update
	StatusCompleted Status = "completed" // every affected entry updated or confirmed
)

// EntryStatus is where one affected entry is.
type EntryStatus string

const (
	EntryPending   EntryStatus = "pending"   // no update submitted since the notice
	EntryUpdated   EntryStatus = "updated"   // a new version was submitted after the notice
	EntryConfirmed EntryStatus = "confirmed" // the department confirmed no change is needed, with a reason
)

// Extension states: one request per notice.
const (
	ExtensionRequested = "requested"
	ExtensionApproved  = "approved"
	ExtensionRefused   = "refused"
)

// Notice is one catalog change notice against a department's entries.
type Notice struct {
	ID           uint64 `gorm:"primaryKey"`
	DepartmentID string `gorm:"size:64;not null;index"`
	Reason       string `gorm:"type:text;not null"` // the change of law or duties
	ChangedOn    string `gorm:"size:10;not null"`   // YYYY-MM-DD: when the law or the duties changed
	AllEntries   bool   `gorm:"not null"`           // the notice named all of the department's entries
	CreatedBy    uint64 `gorm:"not null"`
	CreatedRole  string `gorm:"size:16;not null"` // authority | provider
	// NoticedAt starts the clock; Days is the profile's working days then
	// (catalog_update_after_change); DueAt = NoticedAt + Days (+ an
	// approved extension) on the calendar.
	NoticedAt time.Time `gorm:"not null;index"`
	Days      int       `gorm:"not null"`
	DueAt     time.Time `gorm:"not null;index:idx_catalog_changes_status_due,priority:2"`
	// Round changes whenever DueAt does, so reminders and escalations chase
	// the new date (server/deadlines).
	Round       int    `gorm:"not null;default:1"`
	Status      Status `gorm:"size:16;not null;index:idx_catalog_changes_status_due,priority:1"`
	CompletedAt *time.Time
	EscalatedAt *time.Time

	ExtensionStatus      string `gorm:"size:16;not null;default:''"`
	ExtensionDays        int    `gorm:"not null;default:0"`
	ExtensionReason      string `gorm:"type:text"`
	ExtensionBasis       string `gorm:"type:text"`
	ExtensionComment     string `gorm:"type:text"`
	ExtensionRequestedAt *time.Time
	ExtensionDecidedAt   *time.Time
	ExtensionDecidedBy   *uint64
}

// TableName keeps the table name stable.
func (Notice) TableName() string { return "catalog_changes" }

// ApprovedDays is the extension granted (0 when none).
func (n *Notice) ApprovedDays() int {
	if n.ExtensionStatus == ExtensionApproved {
		return n.ExtensionDays
	}
	return 0
}

// Late reports whether the notice was completed after its due date, or is
// still open past it.
func (n *Notice) Late(now time.Time) bool {
	if n.CompletedAt != nil {
		return n.CompletedAt.After(n.DueAt)
	}
	return now.After(n.DueAt)
}

// Entry is one affected catalog entry of a notice.
type Entry struct {
	NoticeID  uint64      `gorm:"primaryKey;autoIncrement:false"`
	DatasetID string      `gorm:"primaryKey;size:64;index"`
	Title     string      `gorm:"size:300;not null"` // the entry's title when noticed
	Status    EntryStatus `gorm:"size:16;not null"`
	DoneAt    *time.Time  // submission of the update, or the confirmation
	Version   int         `gorm:"not null;default:0"` // the submitted version
	Note      string      `gorm:"type:text"`          // the confirmation's reason
	DoneBy    *uint64
}

// TableName keeps the table name stable.
func (Entry) TableName() string { return "catalog_change_entries" }

// Event is one step in a notice's history.
type Event struct {
	ID        uint64    `gorm:"primaryKey"`
	NoticeID  uint64    `gorm:"not null;index"`
	Kind      string    `gorm:"size:32;not null"`
	At        time.Time `gorm:"not null"`
	ActorID   *uint64
	DatasetID string `gorm:"size:64;not null;default:''"`
	DueAt     *time.Time
	Note      string `gorm:"type:text"`
}

// TableName keeps the table name stable.
func (Event) TableName() string { return "catalog_change_events" }

// Event kinds.
const (
	EventNoticed            = "noticed"
	EventEntryUpdated       = "entry_updated"
	EventEntryConfirmed     = "entry_confirmed"
	EventCompleted          = "completed"
	EventExtensionRequested = "extension_requested"
	EventExtensionApproved  = "extension_approved"
	EventExtensionRefused   = "extension_refused"
	EventReminded           = "reminded"
	EventEscalated          = "escalated"
	EventDueRecomputed      = "due_recomputed"
)

// Limits of free text and of one notice.
const (
	MaxText    = 2000
	MaxEntries = 1000
)

// Input is a new notice.
type Input struct {
	// DepartmentID: the department whose entries are affected. A provider
	// may leave it out (its own department).
	DepartmentID string `json:"department_id"`
	Reason       string `json:"reason"`
	ChangedOn    string `json:"changed_on"` // YYYY-MM-DD
	// Either every entry of the department, or the ones listed.
	AllEntries bool     `json:"all_entries"`
	DatasetIDs []string `json:"dataset_ids"`
}

// Validate normalises the input and reports every problem at once; today
// is the China date of now (a change cannot be recorded before it happens).
func (in *Input) Validate(today string) error {
	in.DepartmentID = strings.TrimSpace(in.DepartmentID)
	in.Reason = strings.TrimSpace(in.Reason)
	in.ChangedOn = strings.TrimSpace(in.ChangedOn)
	var ids []string
	seen := map[string]bool{}
	for _, id := range in.DatasetIDs {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	in.DatasetIDs = ids
	var v apperr.Validation
	v.Check(HasContent(in.Reason), "reason", "name the change of law, regulation or duties that makes the entries change")
	v.Check(utf8.RuneCountInString(in.Reason) <= MaxText, "reason", "at most %d characters", MaxText)
	if d, err := time.Parse(time.DateOnly, in.ChangedOn); err != nil || d.Year() < 2000 {
		v.Add("changed_on", "changed_on must be a date YYYY-MM-DD")
	} else if in.ChangedOn > today {
		v.Add("changed_on", "changed_on must not be after today: record a change once it has happened")
	}
	switch {
	case in.AllEntries && len(in.DatasetIDs) > 0:
		v.Add("dataset_ids", "give all_entries or dataset_ids, not both")
	case !in.AllEntries && len(in.DatasetIDs) == 0:
		v.Add("dataset_ids", "name the affected entries, or set all_entries")
	case len(in.DatasetIDs) > MaxEntries:
		v.Add("dataset_ids", "at most %d entries in one notice", MaxEntries)
	}
	for _, id := range in.DatasetIDs {
		if len(id) > 64 {
			v.Add("dataset_ids", "unknown entry")
			break
		}
	}
	return v.Err()
}

// ExtensionInput asks the authority for more time (000 Art 15: the special
// reason and the policy basis for it).
type ExtensionInput struct {
	Days   int    `json:"days"`
	Reason string `json:"reason"`
	Basis  string `json:"basis"`
}

// DecisionInput is the authority's answer to an extension request.
type DecisionInput struct {
	Decision string `json:"decision"` // approve | refuse
	Comment  string `json:"comment"`
}

// ConfirmInput is the department's statement that an entry needs no change.
type ConfirmInput struct {
	Reason string `json:"reason"`
}

// HasContent reports whether s holds at least two letters or digits.
func HasContent(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			n++
			if n >= 2 {
				return true
			}
		}
	}
	return false
}
