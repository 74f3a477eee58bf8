package accounts

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
)

// DemoAccount is one account demo mode creates.
type DemoAccount struct {
	Email string
	Name  string
	Kind  Kind
	Role  string
	// DepartmentID for providers; an authority oversees this department's region.
	DepartmentID string
}

// DemoCreditCode is the demo organisation's unified social credit code
// (valid check character, never issued).
var DemoCreditCode = func() string {
	base := "91230100MA1DEM0C0"
	c, err := seed.CreditCodeCheckDigit(base)
	if err != nil {
		panic(err)
	}
	return base + string(c)
}()

// DemoAccounts lists the demo accounts: one per role, two providers of
// different departments so department scoping can be tried out.
func DemoAccounts(providerDept, provider2Dept string) []DemoAccount {
	return []DemoAccount{
		{Email: "citizen@demo.local", Name: "演示用户（自然人）", Kind: KindCitizen, Role: authz.RoleCitizen},
		{Email: "org@demo.local", Name: "哈尔滨演示数据科技有限公司", Kind: KindOrganisation, Role: authz.RoleOrganisation},
		{Email: "provider@demo.local", Name: "演示数据提供部门工作人员", Kind: KindStaff, Role: authz.RoleProvider, DepartmentID: providerDept},
		{Email: "provider2@demo.local", Name: "演示数据提供部门工作人员（二）", Kind: KindStaff, Role: authz.RoleProvider, DepartmentID: provider2Dept},
		{Email: "authority@demo.local", Name: "演示政务数据主管部门工作人员", Kind: KindStaff, Role: authz.RoleAuthority, DepartmentID: providerDept},
		// 哈尔滨市's own authority reviews the city departments' entries and
		// revocations (the same-level authority, 000 Art 12, 35).
		{Email: "authority2@demo.local", Name: "演示哈尔滨市政务数据主管部门工作人员", Kind: KindStaff, Role: authz.RoleAuthority, DepartmentID: provider2Dept},
		{Email: "province@demo.local", Name: "演示省级政务数据主管部门工作人员", Kind: KindStaff, Role: authz.RoleProvince},
		{Email: "admin@demo.local", Name: "演示平台管理员", Kind: KindStaff, Role: authz.RoleAdmin},
	}
}

// SeedDemo creates the demo accounts when there are no accounts at all.
// password "" generates one strong password, reported once through out.
// There are no default passwords outside demo mode.
func (s *Service) SeedDemo(ctx context.Context, list []DemoAccount, password string, out func(string, ...any)) (bool, error) {
	var n int64
	if err := s.db(ctx).Model(&User{}).Count(&n).Error; err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	generated := password == ""
	if generated {
		password = GeneratePassword()
	} else if err := CheckPasswordPolicy("password", password, "", ""); err != nil {
		return false, fmt.Errorf("PORTAL_DEMO_PASSWORD: %s", err.(*apperr.Error).Message)
	}
	now := s.now()
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		for _, a := range list {
			hash, err := HashPassword(password)
			if err != nil {
				return err
			}
			// Demo accounts are verified: their addresses take no mail.
			u := &User{Email: a.Email, Name: a.Name, Kind: a.Kind, PasswordHash: hash, PasswordChangedAt: now, EmailVerifiedAt: &now, CreatedAt: now, UpdatedAt: now}
			region := ""
			if a.DepartmentID != "" {
				d, err := department(tx, a.DepartmentID, "department_id")
				if err != nil {
					return fmt.Errorf("demo account %s: %w", a.Email, err)
				}
				if a.Role == authz.RoleAuthority {
					region = d.Region // the same-level authority of that department (000 Art 35)
				} else {
					u.DepartmentID = &d.ID
				}
			}
			u.Region = region
			if a.Kind == KindOrganisation {
				org := &Organisation{Name: a.Name, CreditCode: DemoCreditCode, CreatedAt: now}
				if err := tx.Create(org).Error; err != nil {
					return err
				}
				u.OrganisationID, u.OrgAdmin = &org.ID, true
			}
			if err := tx.Create(u).Error; err != nil {
				return err
			}
			deptID := ""
			if u.DepartmentID != nil {
				deptID = *u.DepartmentID
			}
			as, err := assignmentsFor(a.Kind, []string{a.Role}, deptID, region)
			if err != nil {
				return fmt.Errorf("demo account %s: %w", a.Email, err)
			}
			if err := s.setAssignments(tx, u, as); err != nil {
				return err
			}
			if err := s.record(tx, audit.Actor{Label: "system"}, audit.UserCreated, "user", uid(u.ID), map[string]any{"email": u.Email, "demo": true, "roles": as}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("create demo accounts: %w", err)
	}
	s.reloadPolicy(ctx)
	if out != nil {
		for _, a := range list {
			out("demo account %-22s role %s", a.Email, a.Role)
		}
		if generated {
			out("demo password (shown once, set PORTAL_DEMO_PASSWORD to choose it): %s", password)
		} else {
			out("demo accounts use the password in PORTAL_DEMO_PASSWORD")
		}
	}
	return true, nil
}
