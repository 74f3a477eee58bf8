// Package policy loads policy profiles: the deadlines and periods that
// differ between rule sets, kept as data (seed.ProfilesFS ships
// heilongjiang.json, the default, and national.json).
//
// Article references: "000" is 黑龙江省政务数据管理暂行办法, "001" is
// 政务数据共享条例 (State Council), "003" is 平山县政务数据共享工作制度.
// Durations are working days unless the field name says months or years;
// count them with server/calendar.
package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strings"
)

// Default is the name of the default profile.
const Default = "heilongjiang"

// Profile is one rule set. JSON keys are the snake_case names shown.
type Profile struct {
	Name  string `json:"name"`  // equals the file name without .json
	Title string `json:"title"` // the regulation it follows
	Notes string `json:"notes,omitempty"`

	// Provider decides on a conditional-open application (000 Art 34).
	ApplicationReview int `json:"application_review"`
	// Provider checks, corrects and answers a correction request
	// (000 Art 24: 5; 001 Art 26: 10).
	CorrectionAnswer int `json:"correction_answer"`
	// Longest extension of CorrectionAnswer, 0 = none (003 Art 21: 10).
	CorrectionExtensionMax int `json:"correction_extension_max"`
	// How many extensions are allowed (003 Art 21: once).
	CorrectionExtensionsAllowed int `json:"correction_extensions_allowed"`
	// Who approves a correction's extension: ApproverProviderHead (the
	// providing department's own head, 003 Art 21 "主要负责人同意") or
	// ApproverAuthority (the same-level data authority).
	CorrectionExtensionApprover string `json:"correction_extension_approver"`
	// Authority routes a data request that names no department to the
	// department that answers it. No article sets this: our choice (2), so
	// that an unrouted request cannot wait forever before Art 29's clock.
	DataRequestRouting int `json:"data_request_routing"`
	// Provider answers a data request (000 Art 29: 3), counted from routing.
	DataRequestAnswer int `json:"data_request_answer"`
	// Reasonable request for uncatalogued data: entry published (000 Art 29: 10).
	DataRequestCatalog int `json:"data_request_catalog"`
	// Authority reviews an updated catalog entry (001 Art 17: 2).
	CatalogReviewByAuthority int `json:"catalog_review_by_authority"`
	// Provider makes the fixes the authority asked for (000 Art 12: 5).
	CatalogFixByProvider int `json:"catalog_fix_by_provider"`
	// Provider updates an entry after a change of law or duties
	// (000 Art 15: 3; 001 Art 17: 10).
	CatalogUpdateAfterChange int `json:"catalog_update_after_change"`
	// Longest extension of CatalogUpdateAfterChange with the authority's
	// consent, 0 = none (000 Art 15: 5; 001 Art 17: 5).
	CatalogUpdateExtensionMax int `json:"catalog_update_extension_max"`
	// Calendar months revoked data already in use keeps being provided (000 Art 16: 6).
	RevocationGraceMonths int `json:"revocation_grace_months"`
	// Working days before a due date that the responsible party is reminded; 0 = no reminder.
	ReminderBeforeDueDays int `json:"reminder_before_due_days"`
	// Years use records are kept, at least (000 Art 28; 001 Art 29: 3).
	UseRecordRetentionYears int `json:"use_record_retention_years"`
	// Calendar days a staff password (provider, authority, province,
	// admin) is valid before it must be changed (000 Art 38 定期更换密码;
	// the period is our choice, 90 by default).
	StaffPasswordMaxAgeDays int `json:"staff_password_max_age_days"`
}

// Correction extension approvers (CorrectionExtensionApprover).
const (
	ApproverProviderHead = "provider_head"
	ApproverAuthority    = "authority"
)

// Bounds used by Validate.
const (
	MaxWorkingDays = 60  // any single deadline or extension
	MaxGraceMonths = 60  // revocation grace period
	MaxRetention   = 100 // years
)

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Validate checks that every deadline is set and plausible.
func (p Profile) Validate() error {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	if !nameRE.MatchString(p.Name) {
		bad("name %q must be lower-case letters, digits, - or _", p.Name)
	}
	if strings.TrimSpace(p.Title) == "" {
		bad("title is empty")
	}
	for _, f := range []struct {
		key string
		v   int
	}{
		{"application_review", p.ApplicationReview},
		{"correction_answer", p.CorrectionAnswer},
		{"data_request_routing", p.DataRequestRouting},
		{"data_request_answer", p.DataRequestAnswer},
		{"data_request_catalog", p.DataRequestCatalog},
		{"catalog_review_by_authority", p.CatalogReviewByAuthority},
		{"catalog_fix_by_provider", p.CatalogFixByProvider},
		{"catalog_update_after_change", p.CatalogUpdateAfterChange},
	} {
		if f.v < 1 || f.v > MaxWorkingDays {
			bad("%s = %d, want 1..%d working days", f.key, f.v, MaxWorkingDays)
		}
	}
	for _, f := range []struct {
		key string
		v   int
	}{
		{"correction_extension_max", p.CorrectionExtensionMax},
		{"catalog_update_extension_max", p.CatalogUpdateExtensionMax},
	} {
		if f.v < 0 || f.v > MaxWorkingDays {
			bad("%s = %d, want 0..%d working days", f.key, f.v, MaxWorkingDays)
		}
	}
	if p.CorrectionExtensionsAllowed < 0 || p.CorrectionExtensionsAllowed > 10 {
		bad("correction_extensions_allowed = %d, want 0..10", p.CorrectionExtensionsAllowed)
	}
	if (p.CorrectionExtensionMax == 0) != (p.CorrectionExtensionsAllowed == 0) {
		bad("correction_extension_max (%d) and correction_extensions_allowed (%d) must be both zero or both positive",
			p.CorrectionExtensionMax, p.CorrectionExtensionsAllowed)
	}
	if p.RevocationGraceMonths < 0 || p.RevocationGraceMonths > MaxGraceMonths {
		bad("revocation_grace_months = %d, want 0..%d", p.RevocationGraceMonths, MaxGraceMonths)
	}
	if p.UseRecordRetentionYears < 1 || p.UseRecordRetentionYears > MaxRetention {
		bad("use_record_retention_years = %d, want 1..%d", p.UseRecordRetentionYears, MaxRetention)
	}
	if p.CorrectionExtensionApprover != ApproverProviderHead && p.CorrectionExtensionApprover != ApproverAuthority {
		bad("correction_extension_approver = %q, want %q or %q", p.CorrectionExtensionApprover, ApproverProviderHead, ApproverAuthority)
	}
	if p.StaffPasswordMaxAgeDays < 1 || p.StaffPasswordMaxAgeDays > 3660 {
		bad("staff_password_max_age_days = %d, want 1..3660", p.StaffPasswordMaxAgeDays)
	}
	if p.ReminderBeforeDueDays < 0 || p.ReminderBeforeDueDays > MaxWorkingDays {
		bad("reminder_before_due_days = %d, want 0..%d", p.ReminderBeforeDueDays, MaxWorkingDays)
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// Available lists the profile names (NAME.json files) in the given file
// systems, sorted and without duplicates.
func Available(fsys ...fs.FS) ([]string, error) {
	seen := map[string]bool{}
	for i, f := range fsys {
		entries, err := fs.ReadDir(f, ".")
		if err != nil {
			return nil, fmt.Errorf("policy: profile source %d: %w", i+1, err)
		}
		for _, e := range entries {
			if !e.IsDir() && path.Ext(e.Name()) == ".json" {
				seen[strings.TrimSuffix(e.Name(), ".json")] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// Load reads profile name (file NAME.json) from the last fs.FS that has it,
// so a later FS (an operator directory) overrides a shipped profile. The
// profile is decoded strictly (unknown keys are errors) and validated. An
// unknown name is an error listing the available ones. An empty name means
// Default.
func Load(name string, fsys ...fs.FS) (Profile, error) {
	if name == "" {
		name = Default
	}
	if len(fsys) == 0 {
		return Profile{}, errors.New("policy: no profile sources given")
	}
	if !nameRE.MatchString(name) {
		return Profile{}, fmt.Errorf("policy: invalid profile name %q", name)
	}
	file := name + ".json"
	for i := len(fsys) - 1; i >= 0; i-- {
		raw, err := fs.ReadFile(fsys[i], file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Profile{}, fmt.Errorf("policy: %s (source %d): %w", file, i+1, err)
		}
		p, err := parse(raw)
		if err != nil {
			return Profile{}, fmt.Errorf("policy: %s (source %d): %w", file, i+1, err)
		}
		if p.Name != name {
			return Profile{}, fmt.Errorf("policy: %s (source %d): \"name\" is %q, want %q", file, i+1, p.Name, name)
		}
		if err := p.Validate(); err != nil {
			return Profile{}, fmt.Errorf("policy: %s (source %d): %w", file, i+1, err)
		}
		return p, nil
	}
	avail, err := Available(fsys...)
	if err != nil {
		return Profile{}, err
	}
	return Profile{}, fmt.Errorf("policy: unknown profile %q (available: %s)", name, strings.Join(avail, ", "))
}

func parse(raw []byte) (Profile, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return Profile{}, fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Profile{}, errors.New("invalid JSON: trailing data after the object")
	}
	// Every key except notes must be present: a missing key would silently
	// read as 0 (e.g. "no extension", "no reminder").
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return Profile{}, fmt.Errorf("invalid JSON: %w", err)
	}
	var missing []string
	t := reflect.TypeOf(Profile{})
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("json")
		key, opts, _ := strings.Cut(tag, ",")
		if _, ok := keys[key]; !ok && opts != "omitempty" {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		return Profile{}, fmt.Errorf("missing keys: %s", strings.Join(missing, ", "))
	}
	return p, nil
}
