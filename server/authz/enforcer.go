package authz

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	gormadapter "github.com/casbin/gorm-adapter/v3"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// modelText is RBAC with domains: a user holds a role in a domain (g), a
// role holds object/action pairs in every domain ("*") or in one (p). A
// request may also name a role directly (r.sub == p.sub): citizens and
// organisations hold their role by the kind of their account (ImpliedRole),
// not by a g row, so a registration never makes every replica reload.
const modelText = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = (g(r.sub, p.sub, r.dom) || r.sub == p.sub) && (p.dom == "*" || p.dom == r.dom) && r.obj == p.obj && r.act == p.act
`

// Enforcer answers permission questions from the policy in the database
// (casbin_rule, through gorm-adapter). Role changes made on this replica
// reload it at once; other replicas notice the bumped policy_version row
// within one poll interval (Watch).
type Enforcer struct {
	db  *gorm.DB
	log *slog.Logger
	e   *casbin.SyncedEnforcer

	mu      sync.Mutex // serialises reloads
	version int64      // policy_version the loaded policy is at least as new as
}

// NewEnforcer loads the policy from db, after storing the rows of
// defaultPolicy (seed.DefaultPolicy: CSV lines "p, role, dom, obj, act")
// it has never stored before (StoreDefaults).
func NewEnforcer(ctx context.Context, db *gorm.DB, log *slog.Logger, defaultPolicy []byte) (*Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("authz: model: %w", err)
	}
	rules, err := ParsePolicy(defaultPolicy)
	if err != nil {
		return nil, err
	}
	added, err := StoreDefaults(ctx, db, rules)
	if err != nil {
		return nil, err
	}
	if len(added) > 0 && log != nil {
		log.Info("stored new default policy rules", "rules", len(added))
	}
	// The adapter keeps the context it was built with; the enforcer outlives ctx.
	ad, err := adapter(db.WithContext(context.Background()))
	if err != nil {
		return nil, err
	}
	se, err := casbin.NewSyncedEnforcer(m, ad)
	if err != nil {
		return nil, fmt.Errorf("authz: load policy: %w", err)
	}
	se.EnableAutoSave(false) // writes go through SetAssignments, inside the caller's transaction
	en := &Enforcer{db: db, log: log, e: se}
	if err := en.Reload(ctx); err != nil {
		return nil, err
	}
	return en, nil
}

// StoreDefaults adds the default rules the database has never held: the
// whole policy on a fresh database, and the rows a new release adds to
// seed/policy.csv on an existing one. policy_defaults remembers every rule
// ever stored, so a default an operator deleted stays deleted. Other
// replicas pick the additions up through policy_version.
func StoreDefaults(ctx context.Context, db *gorm.DB, rules [][]string) ([][]string, error) {
	var added [][]string
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var known []string
		if err := tx.Table("policy_defaults").Pluck("rule", &known).Error; err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, k := range known {
			seen[k] = true
		}
		var marks []policyDefaultV1
		for _, r := range rules {
			key := "p, " + strings.Join(r, ", ")
			if !seen[key] {
				seen[key] = true
				added = append(added, r)
				marks = append(marks, policyDefaultV1{Rule: key, StoredAt: time.Now().UTC()})
			}
		}
		if len(added) == 0 {
			return nil
		}
		ad, err := adapter(tx)
		if err != nil {
			return err
		}
		if err := ad.AddPolicies("p", "p", added); err != nil { // ON CONFLICT DO NOTHING
			return err
		}
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&marks).Error; err != nil {
			return err
		}
		return BumpVersion(tx)
	})
	if err != nil {
		return nil, fmt.Errorf("authz: store default policy: %w", err)
	}
	return added, nil
}

// adapter returns a gorm-adapter over db that never runs DDL (the table
// comes from Migrations, frozen like every other table).
func adapter(db *gorm.DB) (*gormadapter.Adapter, error) {
	s := db.Session(&gorm.Session{})
	gormadapter.TurnOffAutoMigrate(s)
	ad, err := gormadapter.NewAdapterByDB(s)
	if err != nil {
		return nil, fmt.Errorf("authz: adapter: %w", err)
	}
	return ad, nil
}

// ParsePolicy reads casbin CSV policy lines ("p, role, dom, obj, act");
// blank lines and # comments are skipped. Only p lines belong in a default
// policy: role assignments (g) are data.
func ParsePolicy(b []byte) ([][]string, error) {
	var out [][]string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		if len(f) != 5 || f[0] != "p" || slices.Contains(f, "") {
			return nil, fmt.Errorf("authz: default policy line %d: want \"p, role, domain, object, action\", got %q", n, line)
		}
		if !ValidRole(f[1]) {
			return nil, fmt.Errorf("authz: default policy line %d: unknown role %q", n, f[1])
		}
		if !Known(Permission(f[3] + ":" + f[4])) {
			return nil, fmt.Errorf("authz: default policy line %d: unknown permission %q", n, f[3]+":"+f[4])
		}
		out = append(out, f[1:])
	}
	return out, sc.Err()
}

// Reload reads the whole policy again.
func (en *Enforcer) Reload(ctx context.Context) error {
	en.mu.Lock()
	defer en.mu.Unlock()
	v, err := CurrentVersion(ctx, en.db)
	if err != nil {
		return err
	}
	if err := en.e.LoadPolicy(); err != nil {
		return fmt.Errorf("authz: load policy: %w", err)
	}
	en.version = v
	return nil
}

// Refresh reloads the policy when another replica changed it since the
// last load, reporting whether it did.
func (en *Enforcer) Refresh(ctx context.Context) (bool, error) {
	v, err := CurrentVersion(ctx, en.db)
	if err != nil {
		return false, err
	}
	en.mu.Lock()
	stale := v != en.version
	en.mu.Unlock()
	if !stale {
		return false, nil
	}
	return true, en.Reload(ctx)
}

// Watch polls policy_version every interval until ctx ends, so a role
// change made on another replica applies here without a restart.
func (en *Enforcer) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if reloaded, err := en.Refresh(ctx); err != nil && ctx.Err() == nil && en.log != nil {
				en.log.Warn("policy refresh failed", "err", err)
			} else if reloaded && en.log != nil {
				en.log.Info("policy reloaded: changed on another replica")
			}
		}
	}
}

// CurrentVersion reads the policy_version row.
func CurrentVersion(ctx context.Context, db *gorm.DB) (int64, error) {
	var v int64
	if err := db.WithContext(ctx).Table("policy_version").Where("id = 1").Pluck("version", &v).Error; err != nil {
		return 0, fmt.Errorf("authz: read policy version: %w", err)
	}
	return v, nil
}

// SetAssignments replaces the roles of a user inside the caller's
// transaction and bumps policy_version. Call Reload after the commit.
func (en *Enforcer) SetAssignments(tx *gorm.DB, userID uint64, as []Assignment) error {
	for _, a := range as {
		if !ValidRole(a.Role) || a.Domain == "" {
			return fmt.Errorf("authz: bad assignment %+v", a)
		}
	}
	ad, err := adapter(tx)
	if err != nil {
		return err
	}
	sub := Subject(userID)
	if err := ad.RemoveFilteredPolicy("g", "g", 0, sub); err != nil {
		return fmt.Errorf("authz: remove roles of %s: %w", sub, err)
	}
	if len(as) > 0 {
		rules := make([][]string, len(as))
		for i, a := range as {
			rules[i] = []string{sub, a.Role, a.Domain}
		}
		if err := ad.AddPolicies("g", "g", rules); err != nil {
			return fmt.Errorf("authz: add roles of %s: %w", sub, err)
		}
	}
	return BumpVersion(tx)
}

// BumpVersion marks the policy changed, inside the caller's transaction.
func BumpVersion(tx *gorm.DB) error {
	return tx.Table("policy_version").Where("id = 1").
		Updates(map[string]any{"version": gorm.Expr("version + 1"), "updated_at": time.Now().UTC()}).Error
}

// AssignmentsOf lists the roles a user holds, as loaded.
func (en *Enforcer) AssignmentsOf(userID uint64) []Assignment {
	rows, err := en.e.GetFilteredGroupingPolicy(0, Subject(userID))
	if err != nil {
		return nil
	}
	out := make([]Assignment, 0, len(rows))
	for _, r := range rows {
		if len(r) >= 3 {
			out = append(out, Assignment{Role: r[1], Domain: r[2]})
		}
	}
	slices.SortFunc(out, func(a, b Assignment) int {
		if c := strings.Compare(a.Role, b.Role); c != 0 {
			return c
		}
		return strings.Compare(a.Domain, b.Domain)
	})
	return out
}

// Allowed reports whether p may use perm in domain (a DepartmentDomain,
// RegionDomain or Global). Public permissions are always allowed; Me is
// allowed to anyone signed in.
func (en *Enforcer) Allowed(p *Principal, perm Permission, domain string) bool {
	if IsPublic(perm) {
		return true
	}
	if p == nil {
		return false
	}
	if perm == Me {
		return true
	}
	obj, act := objAct(perm)
	ok, err := en.e.Enforce(p.Subject(), domain, obj, act)
	if err == nil && !ok && domain == Global {
		if role := ImpliedRole(p.Kind); role != "" {
			ok, err = en.e.Enforce(role, Global, obj, act)
		}
	}
	return err == nil && ok
}

// ImpliedRole is the role an account holds by its kind alone: citizen and
// organisation accounts, globally. Staff roles are always assigned (g rows).
func ImpliedRole(kind string) string {
	switch kind {
	case RoleCitizen, RoleOrganisation:
		return kind
	}
	return ""
}

// Domains lists the domains in which p holds perm (empty: nowhere).
func (en *Enforcer) Domains(p *Principal, perm Permission) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, a := range p.Assignments {
		if !slices.Contains(out, a.Domain) && en.Allowed(p, perm, a.Domain) {
			out = append(out, a.Domain)
		}
	}
	return out
}

// AllowedAnywhere reports whether p holds perm in at least one domain:
// what the route guard checks before the service narrows it down.
func (en *Enforcer) AllowedAnywhere(p *Principal, perm Permission) bool {
	if IsPublic(perm) || (p != nil && perm == Me) {
		return true
	}
	return len(en.Domains(p, perm)) > 0
}

// Policy lists the loaded p rules (role, domain, object, action), for the
// admin API and tests.
func (en *Enforcer) Policy() [][]string {
	rows, _ := en.e.GetPolicy()
	return rows
}

// UsersWithRole lists the ids of users holding role in any domain.
func (en *Enforcer) UsersWithRole(role string) []uint64 {
	rows, _ := en.e.GetFilteredGroupingPolicy(1, role)
	var out []uint64
	for _, r := range rows {
		var id uint64
		if _, err := fmt.Sscanf(r[0], "u:%d", &id); err == nil && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}
