// Package corrections is 校核/纠错 (000 Art 24; 001 Art 26; 003 Art 21):
// anyone reports an error in a published catalog entry, the provider
// department checks and answers within the policy profile's working days,
// and while a report is open the entry (and the data item named) carries
// the public "under dispute" mark (异议标注).
//
// Who sees what: the reporter follows the report with an unguessable
// tracking code (only its SHA-256 is stored) and never sees more than the
// status; the handling department alone sees the reporter's identity and
// contact details; the authority sees the report without them (it receives
// escalations, 000 Art 42, and approves extensions where the profile names
// it); the department's head (provider_head) sees its department's reports
// the same way and approves extensions where the profile names it (003 Art
// 21); the public sees the mark and aggregate counts.
package corrections

import (
	"encoding/json"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hlj-opendata/portal/server/apperr"
)

// Status is where a report is.
type Status string

const (
	StatusOpen     Status = "open"     // waiting for the handling department's answer
	StatusAnswered Status = "answered" // corrected or not an error: closed
)

// Outcome is the department's answer.
type Outcome string

const (
	Corrected  Outcome = "corrected"    // the data was fixed: what changed, optionally the new resource
	NotAnError Outcome = "not_an_error" // the data stands: the reason, optionally evidence
	Forwarded  Outcome = "forwarded"    // another department holds the data: the report moves there
)

// Extension states (national profile: one extension, approved by the
// approver the profile names, policy.Profile.CorrectionExtensionApprover).
const (
	ExtensionRequested = "requested"
	ExtensionApproved  = "approved"
	ExtensionRefused   = "refused"
)

// Correction is one report.
type Correction struct {
	ID           uint64 `gorm:"primaryKey"`
	TrackingHash string `gorm:"size:64;not null;uniqueIndex"` // SHA-256 of the tracking code
	DatasetID    string `gorm:"size:64;not null;index:idx_corrections_dataset,priority:1"`
	Status       Status `gorm:"size:16;not null;index:idx_corrections_dataset,priority:2;index:idx_corrections_status_due,priority:1"`
	// DepartmentID handles the report now: the entry's department, or the
	// one it was forwarded to.
	DepartmentID       string `gorm:"size:64;not null;index"`
	OriginDepartmentID string `gorm:"size:64;not null"`
	ResourceID         string `gorm:"size:64;not null;default:''"`
	DataItem           string `gorm:"size:64;not null;default:''"`
	RowKey             string `gorm:"size:200;not null;default:''"`
	Description        string `gorm:"type:text;not null"`
	ProposedValue      string `gorm:"type:text"`
	AboutSelf          bool   `gorm:"not null;default:false"`

	// Personal data: shown to the handling department only.
	ReporterUserID *uint64 `gorm:"index"`
	ContactName    string  `gorm:"size:100;not null;default:''"`
	ContactEmail   string  `gorm:"size:191;not null;default:''"`
	ContactPhone   string  `gorm:"size:32;not null;default:''"`
	// ContactKey (hash of the normalised e-mail or phone) caps open reports
	// per contact; IPHash rate-limits per address without keeping the IP.
	ContactKey string `gorm:"size:64;not null;index"`
	IPHash     string `gorm:"size:64;not null;index:idx_corrections_ip,priority:1"`

	CreatedAt time.Time `gorm:"not null;index:idx_corrections_ip,priority:2;index"`
	// ClockStart is when the handling department's clock started (created,
	// or forwarded); DueAt its deadline (plus an approved extension).
	ClockStart time.Time `gorm:"not null"`
	DueAt      time.Time `gorm:"not null;index:idx_corrections_status_due,priority:2"`
	// Round changes whenever DueAt does, so reminders and escalations chase
	// the new deadline once more (server/deadlines).
	Round    int `gorm:"not null;default:1"`
	Forwards int `gorm:"not null;default:0"`

	ExtensionStatus      string `gorm:"size:16;not null;default:''"`
	ExtensionDays        int    `gorm:"not null;default:0"`
	ExtensionReason      string `gorm:"type:text"`
	ExtensionComment     string `gorm:"type:text"`
	ExtensionRequestedAt *time.Time
	ExtensionDecidedAt   *time.Time
	ExtensionsUsed       int `gorm:"not null;default:0"`

	Outcome       Outcome `gorm:"size:16;not null;default:''"`
	Explanation   string  `gorm:"type:text"`
	NewResourceID string  `gorm:"size:64;not null;default:''"`
	AnsweredAt    *time.Time
	AnsweredBy    *uint64
	EscalatedAt   *time.Time
}

// TableName keeps the table name stable.
func (Correction) TableName() string { return "corrections" }

// Open reports whether the report still waits for an answer.
func (c *Correction) Open() bool { return c.Status == StatusOpen }

// OnTime reports whether the answer came by the due date (nil while open).
func (c *Correction) OnTime() *bool {
	if c.AnsweredAt == nil {
		return nil
	}
	ok := !c.AnsweredAt.After(c.DueAt)
	return &ok
}

// Event is one step in a report's history. Events are what the reporter
// sees on the tracking page, so Note never holds personal data: it is the
// department's or the authority's own text.
type Event struct {
	ID           uint64    `gorm:"primaryKey"`
	CorrectionID uint64    `gorm:"not null;index"`
	Kind         string    `gorm:"size:32;not null"`
	At           time.Time `gorm:"not null"`
	DepartmentID string    `gorm:"size:64;not null;default:''"`
	DueAt        *time.Time
	Note         string `gorm:"type:text"`
	// Public events are shown to the reporter and e-mailed to the contact.
	// (No default tag: GORM would insert the default instead of false.)
	Public   bool `gorm:"not null"`
	MailedAt *time.Time
}

// TableName keeps the table name stable.
func (Event) TableName() string { return "correction_events" }

// Event kinds.
const (
	EventSubmitted          = "submitted"
	EventForwarded          = "forwarded"
	EventExtensionRequested = "extension_requested"
	EventExtensionApproved  = "extension_approved"
	EventExtensionRefused   = "extension_refused"
	EventAnswered           = "answered"
	EventReminded           = "reminded"
	EventEscalated          = "escalated"
	EventEvidenceAdded      = "evidence_added"
)

// Evidence is an uploaded image or PDF. Reporter evidence may hold
// personal data: only the handling department downloads it. Department
// evidence (for "not an error") is shown to the reporter.
type Evidence struct {
	ID           string    `gorm:"primaryKey;size:32"`
	CorrectionID uint64    `gorm:"not null;index"`
	Party        string    `gorm:"size:16;not null"` // reporter | department
	MediaType    string    `gorm:"size:64;not null"`
	Size         int64     `gorm:"not null"`
	SHA256       string    `gorm:"column:sha256;size:64;not null"`
	StorageKey   string    `gorm:"size:200;not null"`
	CreatedAt    time.Time `gorm:"not null"`
}

// TableName keeps the table name stable.
func (Evidence) TableName() string { return "correction_evidence" }

// Evidence parties.
const (
	PartyReporter   = "reporter"
	PartyDepartment = "department"
)

// Contact is how the department reaches the reporter. The API accepts an
// object {name,email,phone} or a plain string (an e-mail address or a
// phone number).
type Contact struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// UnmarshalJSON accepts an object or a string.
func (c *Contact) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		s = strings.TrimSpace(s)
		if strings.Contains(s, "@") {
			*c = Contact{Email: s}
		} else {
			*c = Contact{Phone: s}
		}
		return nil
	}
	type plain Contact
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*c = Contact(p)
	return nil
}

// Empty reports whether no way to reach the reporter was given.
func (c Contact) Empty() bool { return c.Email == "" && c.Phone == "" }

// ReportInput is a new report.
type ReportInput struct {
	DatasetID     string  `json:"dataset_id"`
	ResourceID    string  `json:"resource_id,omitempty"`
	DataItem      string  `json:"data_item,omitempty"`
	RowKey        string  `json:"row_key,omitempty"`
	Description   string  `json:"description"`
	ProposedValue string  `json:"proposed_value,omitempty"`
	AboutSelf     bool    `json:"about_self,omitempty"`
	Contact       Contact `json:"contact"`
}

// Limits of free text.
const (
	MaxDescription = 2000
	MaxProposed    = 1000
	MaxRowKey      = 200
	MaxExplanation = 2000
)

// Validate normalises the input and reports every problem at once.
// signedIn relaxes the contact: an account is reachable through its inbox.
func (in *ReportInput) Validate(signedIn bool) error {
	in.DatasetID = strings.TrimSpace(in.DatasetID)
	in.ResourceID = strings.TrimSpace(in.ResourceID)
	in.DataItem = strings.TrimSpace(in.DataItem)
	in.RowKey = strings.TrimSpace(in.RowKey)
	in.Description = strings.TrimSpace(in.Description)
	in.ProposedValue = strings.TrimSpace(in.ProposedValue)
	in.Contact.Name = strings.TrimSpace(in.Contact.Name)
	in.Contact.Email = strings.ToLower(strings.TrimSpace(in.Contact.Email))
	in.Contact.Phone = normalisePhone(in.Contact.Phone)
	var v apperr.Validation
	v.Check(in.DatasetID != "", "dataset_id", "dataset_id is required")
	v.Check(HasContent(in.Description), "description", "describe what is wrong (the text has no content)")
	v.Check(utf8.RuneCountInString(in.Description) <= MaxDescription, "description", "at most %d characters", MaxDescription)
	v.Check(utf8.RuneCountInString(in.ProposedValue) <= MaxProposed, "proposed_value", "at most %d characters", MaxProposed)
	v.Check(utf8.RuneCountInString(in.RowKey) <= MaxRowKey, "row_key", "at most %d characters", MaxRowKey)
	v.Check(len(in.ResourceID) <= 64, "resource_id", "unknown resource")
	v.Check(len(in.DataItem) <= 64, "data_item", "unknown data item")
	v.Check(utf8.RuneCountInString(in.Contact.Name) <= 100 && !strings.ContainsAny(in.Contact.Name, "\r\n\x00"), "contact.name", "at most 100 characters on one line")
	if in.Contact.Email != "" && !ReachableEmail(in.Contact.Email) {
		v.Add("contact.email", "this e-mail address cannot receive mail")
	}
	if in.Contact.Phone != "" && !ReachablePhone(in.Contact.Phone) {
		v.Add("contact.phone", "give a mainland mobile (11 digits) or a landline with its area code")
	}
	if !signedIn && in.Contact.Empty() {
		v.Add("contact", "give an e-mail address or a phone number so the department can answer you")
	}
	return v.Err()
}

// HasContent reports whether s holds at least two letters or digits: a
// report of blanks or punctuation is refused.
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

// Domains reserved for documentation and tests (RFC 2606, RFC 6761): no
// mail is ever delivered there.
var unreachableDomains = []string{"example.com", "example.net", "example.org"}
var unreachableTLDs = []string{".example", ".invalid", ".test", ".localhost", ".local"}

// ReachableEmail checks the form of an address and refuses domains that
// never receive mail.
func ReachableEmail(s string) bool {
	if len(s) > 191 || strings.ContainsAny(s, " \t\r\n<>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if at < 1 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, "[") || strings.HasSuffix(domain, ".") {
		return false
	}
	for _, d := range unreachableDomains {
		if domain == d || strings.HasSuffix(domain, "."+d) {
			return false
		}
	}
	for _, tld := range unreachableTLDs {
		if strings.HasSuffix(domain, tld) {
			return false
		}
	}
	return true
}

var (
	mobileRE   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	landlineRE = regexp.MustCompile(`^0[1-9][0-9]{1,2}[2-9][0-9]{6,7}$`)
)

// normalisePhone drops spaces, dashes, brackets and a +86/0086 prefix.
func normalisePhone(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '(', ')', '（', '）', '\u00a0':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	for _, p := range []string{"+86", "0086"} {
		if strings.HasPrefix(s, p) {
			s = s[len(p):]
		}
	}
	return s
}

// ReachablePhone accepts a mainland mobile number or a landline with its
// area code (already normalised).
func ReachablePhone(s string) bool { return mobileRE.MatchString(s) || landlineRE.MatchString(s) }

// AnswerInput is a department's answer.
type AnswerInput struct {
	Outcome     Outcome `json:"outcome"`
	Explanation string  `json:"explanation"`
	// NewResourceID (corrected) links the resource version holding the fix.
	NewResourceID string `json:"new_resource_id,omitempty"`
	// DepartmentID (forwarded) is the department that holds the data.
	DepartmentID string `json:"department_id,omitempty"`
}

// Validate checks the answer's shape; the service checks the references.
func (in *AnswerInput) Validate() error {
	in.Explanation = strings.TrimSpace(in.Explanation)
	in.NewResourceID = strings.TrimSpace(in.NewResourceID)
	in.DepartmentID = strings.TrimSpace(in.DepartmentID)
	var v apperr.Validation
	switch in.Outcome {
	case Corrected, NotAnError, Forwarded:
	default:
		v.Add("outcome", "outcome must be corrected, not_an_error or forwarded")
	}
	// 000 Art 24: the reporter is told the result; a refusal states its reason.
	v.Check(HasContent(in.Explanation), "explanation", "explain the answer (what changed, why it is not an error, or why it is forwarded)")
	v.Check(utf8.RuneCountInString(in.Explanation) <= MaxExplanation, "explanation", "at most %d characters", MaxExplanation)
	v.Check(in.Outcome == Forwarded || in.DepartmentID == "", "department_id", "only a forwarded answer names a department")
	v.Check(in.Outcome != Forwarded || in.DepartmentID != "", "department_id", "name the department the report is forwarded to")
	v.Check(in.Outcome == Corrected || in.NewResourceID == "", "new_resource_id", "only a correction links a new resource")
	return v.Err()
}

// ExtensionInput asks for more time (national profile).
type ExtensionInput struct {
	Days   int    `json:"days"`
	Reason string `json:"reason"`
}

// ExtensionDecision is the approver's answer to an extension request.
type ExtensionDecision struct {
	Decision string `json:"decision"` // approve | refuse
	Comment  string `json:"comment"`
}
