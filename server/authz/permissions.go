// Package authz decides who may call what: the permissions of the whole
// product, the roles that hold them (a casbin policy kept in the database,
// RBAC with domains), and the guard web.Router attaches to every route.
//
// Casbin answers "may this role do this kind of thing in this domain";
// ownership ("my application", "a dataset of my department") is checked by
// the domain services with the Principal, never here.
package authz

import (
	"strings"

	"github.com/hlj-opendata/portal/server/web"
)

// Permission is what a route requires (an alias, so routes can use these
// constants with web.Router directly).
type Permission = web.Permission

// Public permissions pass without signing in. Visitors browse, search and
// download unconditional data (000 Art 34 ¶2), report errors and track what
// they reported by its code.
const (
	Public            Permission = web.Public
	CatalogRead       Permission = "catalog:read"
	CorrectionsSubmit Permission = "corrections:submit"
	TrackByCode       Permission = "tracking:read"
)

// Me is granted to every signed-in account whatever its roles: its own
// profile, password, sign-out, and the things it submitted itself.
const Me Permission = "me"

// Permissions held through roles (seed/policy.csv). The object:action pair
// maps onto casbin's obj and act.
const (
	TokensManage        Permission = "tokens:manage"        // own API tokens
	OrganisationMembers Permission = "organisation:members" // an organisation's member accounts

	ApplicationsCreate Permission = "applications:create" // apply for conditional data, see own applications (000 Art 34)
	ApplicationsReview Permission = "applications:review" // provider decides applications about its data
	GrantsUse          Permission = "grants:use"          // use own approved grants
	GrantsManage       Permission = "grants:manage"       // provider suspends/restores grants (000 Art 43)
	CorrectionsAnswer  Permission = "corrections:answer"  // provider answers corrections (000 Art 24)
	CorrectionsExtend  Permission = "corrections:extend"  // decides a correction deadline extension: the approver the profile names
	RequestsCreate     Permission = "requests:create"     // ask for a missing dataset (000 Art 29)
	RequestsRoute      Permission = "requests:route"      // authority routes requests to departments
	RequestsAnswer     Permission = "requests:answer"     // provider answers requests
	RevocationsRequest Permission = "revocations:request" // provider asks to revoke open data (000 Art 35)
	RevocationsDecide  Permission = "revocations:decide"  // same-level authority approves or refuses
	RevocationsRead    Permission = "revocations:read"    // provider (own department) and authority (region) follow revocations
	FilingsAcknowledge Permission = "filings:acknowledge" // provincial authority receives the filing
	DatasetsManage     Permission = "datasets:manage"     // provider edits its catalog entries
	DatasetsReview     Permission = "datasets:review"     // authority reviews entries before publication (000 Art 12)
	DeadlinesRead      Permission = "deadlines:read"      // deadline board (000 Art 42)
	StatsInternal      Permission = "stats:internal"      // internal statistics

	UsersAdmin       Permission = "users:admin"       // accounts and roles
	DepartmentsAdmin Permission = "departments:admin" // departments
	ConfigAdmin      Permission = "config:admin"      // configuration
	AuditRead        Permission = "audit:read"        // the audit trail
)

// CatalogChanges: record and follow catalog change notices (000 Art 15),
// a provider for its department, the authority for its region.
const CatalogChanges Permission = "catalog-changes:manage"

// All lists every permission of the product, public ones included.
var All = []Permission{
	Public, CatalogRead, CorrectionsSubmit, TrackByCode, Me,
	TokensManage, OrganisationMembers,
	ApplicationsCreate, ApplicationsReview, GrantsUse, GrantsManage,
	CorrectionsAnswer, CorrectionsExtend, RequestsCreate, RequestsRoute, RequestsAnswer,
	RevocationsRequest, RevocationsDecide, RevocationsRead, FilingsAcknowledge,
	DatasetsManage, DatasetsReview, DeadlinesRead, StatsInternal, CatalogChanges,
	UsersAdmin, DepartmentsAdmin, ConfigAdmin, AuditRead,
}

var public = map[Permission]bool{Public: true, CatalogRead: true, CorrectionsSubmit: true, TrackByCode: true}

// IsPublic reports whether perm passes without signing in.
func IsPublic(perm Permission) bool { return public[perm] }

// Known reports whether perm is one of All.
func Known(perm Permission) bool {
	for _, p := range All {
		if p == perm {
			return true
		}
	}
	return false
}

// objAct splits "datasets:manage" into casbin's object and action.
func objAct(perm Permission) (string, string) {
	obj, act, _ := strings.Cut(string(perm), ":")
	return obj, act
}

// Role names. Powers are fixed by the policy; names are part of the API.
const (
	RoleCitizen      = "citizen"      // 自然人
	RoleOrganisation = "organisation" // 法人/非法人组织
	RoleProvider     = "provider"     // 数据提供部门 staff, domain = their department
	RoleAuthority    = "authority"    // 政务数据主管部门 staff, domain = their region
	RoleProvince     = "province"     // provincial data authority (receives revocation filings)
	RoleAdmin        = "admin"        // platform administrator
	// RoleProviderHead is a providing department's head (部门负责人), domain
	// = their department: approves correction extensions where the profile
	// says so (003 Art 21).
	RoleProviderHead = "provider_head"
)

// Roles lists every role in display order.
var Roles = []string{RoleCitizen, RoleOrganisation, RoleProvider, RoleProviderHead, RoleAuthority, RoleProvince, RoleAdmin}

// ValidRole reports whether r is a role name.
func ValidRole(r string) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Domains. A provider holds its role in its department's domain, an
// authority in its region's, everyone else globally.
const Global = "*"

// DepartmentDomain is the casbin domain of a department.
func DepartmentDomain(id string) string { return "dept:" + id }

// RegionDomain is the casbin domain of a region (黑龙江省, 哈尔滨市…).
func RegionDomain(region string) string { return "region:" + region }

// Assignment is one role held in one domain.
type Assignment struct {
	Role   string `json:"role"`
	Domain string `json:"domain"`
}
