// Package requests is 供需对接 (000 Art 29): a signed-in user asks for data
// that is not in the catalog (or not open); the authority routes the
// request to a department, or the user names one; the department answers
// within the profile's working days (3): accepted, and then a catalog entry
// is due within data_request_catalog working days (10), or refused with a
// reason. The list of requests is public without personal data, and
// others support a request (+1) instead of asking again.
package requests

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hlj-opendata/portal/server/apperr"
)

// Status is where a request is.
type Status string

const (
	StatusSubmitted Status = "submitted" // waiting for the authority to route it
	StatusRouted    Status = "routed"    // with a department, answer due
	StatusAccepted  Status = "accepted"  // the department will publish an entry, catalog due
	StatusRefused   Status = "refused"   // the department refused, with its reason
	StatusFulfilled Status = "fulfilled" // a published entry answers it
)

// Request is one data request.
type Request struct {
	ID          uint64 `gorm:"primaryKey"`
	Title       string `gorm:"size:200;not null"`
	TitleKey    string `gorm:"size:200;not null;index"` // normalised title: duplicate detection
	Description string `gorm:"type:text;not null"`
	IntendedUse string `gorm:"type:text"` // the requester's purpose: not public
	// SuggestedDepartmentID is the requester's suggestion when the
	// authority routes; DepartmentID is the department that answers.
	SuggestedDepartmentID string    `gorm:"size:64;not null;default:''"`
	DepartmentID          string    `gorm:"size:64;not null;default:'';index"`
	RequesterID           uint64    `gorm:"not null;index"`
	Status                Status    `gorm:"size:16;not null;index"`
	CreatedAt             time.Time `gorm:"not null;index"`
	// RouteDueAt: a request naming no department waits on the authority,
	// which routes it within data_request_routing working days of its
	// submission. Nil for requests routed on submission.
	RouteDueAt *time.Time
	RoutedAt   *time.Time
	RoutedBy   *uint64
	// AnswerDueAt: routed + data_request_answer working days.
	AnswerDueAt  *time.Time
	AnsweredAt   *time.Time
	AnsweredBy   *uint64
	Reason       string `gorm:"type:text"` // refusal reason, or the acceptance note
	CatalogDueAt *time.Time
	DatasetID    string `gorm:"size:64;not null;default:''"`
	FulfilledAt  *time.Time
	Supporters   int  `gorm:"not null;default:0"`
	Round        int  `gorm:"not null;default:1"` // a new deadline (catalog) is chased as a new round
	Escalated    bool `gorm:"not null;default:false"`
}

// TableName keeps the table name stable.
func (Request) TableName() string { return "data_requests" }

// AnswerLate reports whether the department answered (or has not yet
// answered) after its due date.
func (r *Request) AnswerLate(now time.Time) bool {
	if r.AnswerDueAt == nil {
		return false
	}
	if r.AnsweredAt != nil {
		return r.AnsweredAt.After(*r.AnswerDueAt)
	}
	return r.Status == StatusRouted && now.After(*r.AnswerDueAt)
}

// RouteLate reports whether the authority routed the request (or has not
// yet routed it) after its routing due date.
func (r *Request) RouteLate(now time.Time) bool {
	if r.RouteDueAt == nil {
		return false
	}
	if r.RoutedAt != nil {
		return r.RoutedAt.After(*r.RouteDueAt)
	}
	return r.Status == StatusSubmitted && now.After(*r.RouteDueAt)
}

// CatalogLate reports whether the promised entry came (or is still not
// there) after its due date (000 Art 29: 10 working days).
func (r *Request) CatalogLate(now time.Time) bool {
	if r.CatalogDueAt == nil {
		return false
	}
	if r.FulfilledAt != nil {
		return r.FulfilledAt.After(*r.CatalogDueAt)
	}
	return r.Status == StatusAccepted && now.After(*r.CatalogDueAt)
}

// Event is one step in a request's history (public: no actor, no
// personal data).
type Event struct {
	ID        uint64    `gorm:"primaryKey"`
	RequestID uint64    `gorm:"not null;index"`
	At        time.Time `gorm:"not null"`
	Action    string    `gorm:"size:32;not null"` // created | routed | answered | fulfilled | escalated | due_changed
	Note      string    `gorm:"type:text"`
}

// TableName keeps the table name stable.
func (Event) TableName() string { return "data_request_events" }

// Support is one user's +1 on a request.
type Support struct {
	RequestID uint64    `gorm:"primaryKey;autoIncrement:false"`
	UserID    uint64    `gorm:"primaryKey;autoIncrement:false"`
	CreatedAt time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (Support) TableName() string { return "data_request_supports" }

// Input is a new request.
type Input struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	IntendedUse string `json:"intended_use"`
	// DepartmentID routes the request straight to a department;
	// SuggestedDepartmentID leaves routing to the authority.
	DepartmentID          string `json:"department_id,omitempty"`
	SuggestedDepartmentID string `json:"suggested_department_id,omitempty"`
}

// Validate normalises the input and reports every problem at once.
func (in *Input) Validate() error {
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	in.Description = strings.TrimSpace(in.Description)
	in.IntendedUse = strings.TrimSpace(in.IntendedUse)
	in.DepartmentID = strings.TrimSpace(in.DepartmentID)
	in.SuggestedDepartmentID = strings.TrimSpace(in.SuggestedDepartmentID)
	var v apperr.Validation
	v.Check(hasContent(in.Title) && utf8.RuneCountInString(in.Title) <= 100, "title", "name the data you need (at most 100 characters)")
	v.Check(hasContent(in.Description) && utf8.RuneCountInString(in.Description) <= 2000, "description", "describe the data: fields, coverage, period (at most 2000 characters)")
	v.Check(hasContent(in.IntendedUse) && utf8.RuneCountInString(in.IntendedUse) <= 1000, "intended_use", "say what you will use it for (at most 1000 characters)")
	v.Check(in.DepartmentID == "" || in.SuggestedDepartmentID == "", "department_id", "give department_id or suggested_department_id, not both")
	return v.Err()
}

// TitleKey normalises a title for duplicate detection: case, spaces and
// punctuation do not make a new request.
func TitleKey(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			b.WriteRune(r)
		}
	}
	return b.String() // titles have at most 100 characters
}

func hasContent(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			if n++; n >= 2 {
				return true
			}
		}
	}
	return false
}

// Answer is the department's decision.
type Answer struct {
	Decision string `json:"decision"` // accept | refuse
	Reason   string `json:"reason"`   // required when refusing (Heilongjiang Interim Measures for Government Data Management, Art. 29)
}

// Route sends a request to a department (authority).
type Route struct {
	DepartmentID string `json:"department_id"`
}

// Fulfil links the published entry that answers an accepted request.
type Fulfil struct {
	DatasetID string `json:"dataset_id"`
}
