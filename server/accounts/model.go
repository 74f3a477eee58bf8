// Package accounts is who uses the portal: registration, sign-in with
// sessions and API tokens, password change and reset, organisations and
// their members, and the administrators' API for users, roles and
// departments. Authorisation (what a role may do) is server/authz; this
// package identifies the caller and hands authz a Principal.
package accounts

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
)

// Kind is what an account stands for.
type Kind string

const (
	KindCitizen      Kind = "citizen"      // 自然人
	KindOrganisation Kind = "organisation" // 法人 / 非法人组织, member of an Organisation
	KindStaff        Kind = "staff"        // department, authority or platform staff
)

// User is an account. E-mail addresses are stored lower-cased.
type User struct {
	ID                uint64  `gorm:"primaryKey"`
	Email             string  `gorm:"size:191;not null;uniqueIndex"`
	Name              string  `gorm:"size:100;not null"`
	Kind              Kind    `gorm:"size:16;not null"`
	PasswordHash      string  `gorm:"size:255;not null"`
	OrganisationID    *uint64 `gorm:"index"`
	OrgAdmin          bool    `gorm:"not null;default:false"`
	DepartmentID      *string `gorm:"size:64;index"`
	Region            string  `gorm:"size:100;not null;default:''"`
	DisabledAt        *time.Time
	PasswordChangedAt time.Time
	// PasswordRotationFrom: accounts older than the rotation rule count
	// their password's age from the rule's migration (000 Art 38).
	PasswordRotationFrom *time.Time
	// EmailVerifiedAt: the owner opened a link mailed to Email (or the
	// account came by invitation, from staff or from before the rule).
	EmailVerifiedAt *time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time

	Organisation *Organisation `gorm:"foreignKey:OrganisationID"`
}

// Disabled reports whether the account may no longer sign in.
func (u *User) Disabled() bool { return u.DisabledAt != nil }

// PasswordExpiresAt is when a staff account's password must have been
// changed: maxAgeDays calendar days after the last change (or after the
// rotation rule applied to an older account). ok is false for accounts the
// rule does not cover (citizens, organisations) or when maxAgeDays is 0.
// 000 Art 38: staff change their passwords periodically (定期更换密码).
func (u *User) PasswordExpiresAt(maxAgeDays int) (at time.Time, ok bool) {
	if u.Kind != KindStaff || maxAgeDays <= 0 {
		return time.Time{}, false
	}
	from := u.PasswordChangedAt
	if u.PasswordRotationFrom != nil && u.PasswordRotationFrom.After(from) {
		from = *u.PasswordRotationFrom
	}
	return from.AddDate(0, 0, maxAgeDays), true
}

// Organisation is a legal person or unincorporated organisation, known by
// its unified social credit code (统一社会信用代码, GB 32100-2015). Several
// member accounts may act for it.
type Organisation struct {
	ID         uint64 `gorm:"primaryKey"`
	Name       string `gorm:"size:200;not null"`
	CreditCode string `gorm:"size:18;not null;uniqueIndex"`
	CreatedAt  time.Time
}

// Session is a signed-in browser. Only the SHA-256 of the cookie value is
// stored, so a copy of the table signs no one in.
type Session struct {
	IDHash     string    `gorm:"primaryKey;size:64"`
	UserID     uint64    `gorm:"not null;index"`
	CreatedAt  time.Time `gorm:"not null"`
	LastSeenAt time.Time `gorm:"not null"`
	ExpiresAt  time.Time `gorm:"not null;index"` // absolute limit
	IP         string    `gorm:"size:64;not null;default:''"`
	UserAgent  string    `gorm:"size:200;not null;default:''"`
}

// APIToken is a bearer token for scripts. Only its SHA-256 is stored; the
// prefix identifies it in lists.
type APIToken struct {
	ID         uint64    `gorm:"primaryKey"`
	UserID     uint64    `gorm:"not null;index"`
	Name       string    `gorm:"size:100;not null"`
	Prefix     string    `gorm:"size:16;not null"`
	Hash       string    `gorm:"size:64;not null;uniqueIndex"`
	CreatedAt  time.Time `gorm:"not null"`
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	GrantID    *string `gorm:"size:64;index"` // grant-scoped tokens (a later issue)
}

// TableName keeps the table name stable.
func (APIToken) TableName() string { return "api_tokens" }

// Token purposes.
const (
	PurposeReset  = "reset"  // forgotten password
	PurposeInvite = "invite" // new member account: set a first password
	PurposeVerify = "verify" // prove the e-mail address of a new account
)

// ResetToken is a single-use, expiring password (re)set token, stored hashed.
type ResetToken struct {
	Hash      string    `gorm:"primaryKey;size:64"`
	UserID    uint64    `gorm:"not null;index"`
	Purpose   string    `gorm:"size:16;not null"`
	CreatedAt time.Time `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null"`
	UsedAt    *time.Time
}

// LoginFailure is one failed sign-in: which account (a hash of the
// e-mail address, known or not) from which client address. The throttle
// counts them per pair, per account and per address; they live in the
// database so every replica sees the same counts.
type LoginFailure struct {
	ID       uint64    `gorm:"primaryKey"`
	Account  string    `gorm:"size:40;not null;index:idx_login_failures_account,priority:1"`
	IP       string    `gorm:"size:64;not null;index:idx_login_failures_ip,priority:1"`
	FailedAt time.Time `gorm:"not null;index:idx_login_failures_account,priority:2;index:idx_login_failures_ip,priority:2;index:idx_login_failures_at"`
}

// RegistrationAttempt is one accepted sign-up request (it passed the
// form checks and cost a password hash), counted per address and in all.
type RegistrationAttempt struct {
	ID          uint64    `gorm:"primaryKey"`
	IP          string    `gorm:"size:64;not null;index:idx_registration_attempts_ip,priority:1"`
	AttemptedAt time.Time `gorm:"not null;index:idx_registration_attempts_ip,priority:2;index:idx_registration_attempts_at"`
}

// Verified reports whether the account proved its e-mail address.
// Staff accounts are created by administrators and count as verified.
func (u *User) Verified() bool { return u.EmailVerifiedAt != nil || u.Kind == KindStaff }

// normaliseEmail trims and lower-cases an address.
func normaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validEmail(s string) bool {
	if len(s) > 191 || strings.ContainsAny(s, " \t\r\n<>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

func validName(s string) bool {
	n := utf8.RuneCountInString(s)
	return n >= 1 && n <= 100 && !strings.ContainsAny(s, "\x00\r\n")
}

// ValidCreditCode checks a unified social credit code (GB 32100-2015:
// character set, division digits and the check character).
func ValidCreditCode(s string) bool { return seed.ValidCreditCode(s) }

// RegisterInput is a public sign-up.
type RegisterInput struct {
	Email      string
	Password   string
	Name       string
	Kind       Kind
	CreditCode string // organisation only
}

// Validate checks every field and reports all problems at once.
func (in *RegisterInput) Validate() error {
	in.Email, in.Name, in.CreditCode = normaliseEmail(in.Email), strings.TrimSpace(in.Name), strings.ToUpper(strings.TrimSpace(in.CreditCode))
	var v apperr.Validation
	v.Check(validEmail(in.Email), "email", "a valid e-mail address is required")
	v.Check(validName(in.Name), "name", "name is required (at most 100 characters)")
	switch in.Kind {
	case KindCitizen:
		v.Check(in.CreditCode == "", "credit_code", "only organisations give a credit code")
	case KindOrganisation:
		v.Check(ValidCreditCode(in.CreditCode), "credit_code", "a valid 18-character unified social credit code is required")
	default:
		v.Add("kind", "kind must be citizen or organisation")
	}
	if err := CheckPasswordPolicy("password", in.Password, in.Email, in.Name); err != nil {
		v.Add("password", "%s", err.(*apperr.Error).Fields["password"])
	}
	return v.Err()
}

// StaffInput creates a staff account (admin API, portal user create).
type StaffInput struct {
	Email        string
	Name         string
	Password     string // "": generate one
	Roles        []string
	DepartmentID string
	Region       string
}

// RoleChange is what an administrator sets on an account. nil fields are
// left as they are.
type RoleChange struct {
	Roles        *[]string
	DepartmentID *string // "" clears
	Region       *string
	Disabled     *bool
	Name         *string
}

var departmentIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$`)

// ValidDepartmentID reports whether id is a stable slug ("hlj-sjj").
func ValidDepartmentID(id string) bool { return departmentIDPattern.MatchString(id) }

// assignmentsFor turns roles into casbin assignments for an account of
// kind: a provider holds its role in its department, an authority in its
// region, everyone else globally. Public kinds hold only their own role;
// staff hold only staff roles.
func assignmentsFor(kind Kind, roles []string, departmentID, region string) ([]authz.Assignment, error) {
	var v apperr.Validation
	seen := map[string]bool{}
	var out []authz.Assignment
	for _, r := range roles {
		if seen[r] {
			continue
		}
		seen[r] = true
		if !authz.ValidRole(r) {
			v.Add("roles", "unknown role %q", r)
			continue
		}
		switch r {
		case authz.RoleCitizen, authz.RoleOrganisation:
			if string(kind) != r {
				v.Add("roles", "role %s is only for %s accounts", r, r)
				continue
			}
			out = append(out, authz.Assignment{Role: r, Domain: authz.Global})
		case authz.RoleProvider, authz.RoleProviderHead: // a department head holds its role in the department too
			if kind != KindStaff {
				v.Add("roles", "role %s is only for staff accounts", r)
			} else if departmentID == "" {
				v.Add("department_id", "a provider belongs to a department")
			} else {
				out = append(out, authz.Assignment{Role: r, Domain: authz.DepartmentDomain(departmentID)})
			}
		case authz.RoleAuthority:
			if kind != KindStaff {
				v.Add("roles", "role %s is only for staff accounts", r)
			} else if region == "" {
				v.Add("region", "an authority oversees a region (give region or a department in it)")
			} else {
				out = append(out, authz.Assignment{Role: r, Domain: authz.RegionDomain(region)})
			}
		default:
			if kind != KindStaff {
				v.Add("roles", "role %s is only for staff accounts", r)
				continue
			}
			out = append(out, authz.Assignment{Role: r, Domain: authz.Global})
		}
	}
	return out, v.Err()
}
