package accounts

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/audit"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/outbox"
	"github.com/hlj-opendata/portal/server/store"
)

// Department is a row of the departments table (owned by the catalog;
// administrators create and rename departments here). Ids are stable
// slugs: they appear in URLs, filters and casbin domains.
type Department struct {
	ID          string `gorm:"primaryKey;size:64"`
	Name        string `gorm:"size:200;not null"`
	RegionLevel string `gorm:"size:16;not null"`
	Region      string `gorm:"size:100;not null"`
	ParentID    string `gorm:"size:64"`
	Code        string `gorm:"size:18;not null;default:''"` // 统一社会信用代码 (column added by migration 0050)
	CreatedAt   time.Time
}

// RegionLevels of departments.
var RegionLevels = []string{"province", "city", "county"}

// UserDetail is an account with what the API shows about it.
type UserDetail struct {
	User
	Assignments []authz.Assignment
	Department  *Department
}

// Roles lists the distinct role names held.
func (d *UserDetail) Roles() []string {
	out := []string{}
	for _, a := range d.Assignments {
		if !slices.Contains(out, a.Role) {
			out = append(out, a.Role)
		}
	}
	slices.Sort(out)
	return out
}

func (s *Service) detail(ctx context.Context, u *User) (*UserDetail, error) {
	d := &UserDetail{User: *u, Assignments: s.assignments(u)}
	if u.DepartmentID != nil {
		var dep Department
		err := s.db(ctx).Where("id = ?", *u.DepartmentID).Take(&dep).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.Internalf(err, "load department")
		}
		if err == nil {
			d.Department = &dep
		}
	}
	if u.OrganisationID != nil && u.Organisation == nil {
		var org Organisation
		if err := s.db(ctx).Where("id = ?", *u.OrganisationID).Take(&org).Error; err == nil {
			d.User.Organisation = &org
		}
	}
	return d, nil
}

// Me returns the caller's account.
func (s *Service) Me(ctx context.Context, p *authz.Principal) (*UserDetail, error) {
	return s.User(ctx, p.UserID)
}

// UpdateName changes the caller's display name.
func (s *Service) UpdateName(ctx context.Context, p *authz.Principal, name string, m Meta) (*UserDetail, error) {
	name = strings.TrimSpace(name)
	if !validName(name) {
		e := apperr.New(apperr.Invalid, "name is required (at most 100 characters)")
		e.Fields = map[string]string{"name": e.Message}
		return nil, e
	}
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&User{}).Where("id = ?", p.UserID).Updates(map[string]any{"name": name, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		return s.record(tx, actor(p, m.IP), audit.UserUpdated, "user", uid(p.UserID), map[string]any{"name": name})
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "update name")
	}
	return s.User(ctx, p.UserID)
}

// UserQuery filters the administrators' user list.
type UserQuery struct {
	Q            string // part of e-mail or name
	Role         string
	Kind         Kind
	DepartmentID string
	Page         int
	PageSize     int
}

// Users lists accounts for administrators, newest first.
func (s *Service) Users(ctx context.Context, q UserQuery) ([]UserDetail, int64, error) {
	tx := s.db(ctx).Model(&User{})
	if q.Q != "" {
		// "!" escapes the wildcards the same way on both engines.
		like := "%" + strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(strings.ToLower(q.Q)) + "%"
		tx = tx.Where("(LOWER(email) LIKE ? ESCAPE '!' OR LOWER(name) LIKE ? ESCAPE '!')", like, like)
	}
	if q.Role != "" {
		if !authz.ValidRole(q.Role) {
			return nil, 0, apperr.New(apperr.Invalid, "unknown role %q", q.Role)
		}
		if authz.ImpliedRole(q.Role) != "" {
			tx = tx.Where("kind = ?", q.Role)
		} else {
			ids := s.Policy.UsersWithRole(q.Role)
			if len(ids) == 0 {
				return []UserDetail{}, 0, nil
			}
			tx = tx.Where("id IN ?", ids)
		}
	}
	if q.Kind != "" {
		tx = tx.Where("kind = ?", q.Kind)
	}
	if q.DepartmentID != "" {
		tx = tx.Where("department_id = ?", q.DepartmentID)
	}
	var total int64
	if err := tx.Count(&total).Error; err != nil {
		return nil, 0, apperr.Internalf(err, "count users")
	}
	var users []User
	if err := tx.Preload("Organisation").Order("id DESC").Offset((q.Page - 1) * q.PageSize).Limit(q.PageSize).Find(&users).Error; err != nil {
		return nil, 0, apperr.Internalf(err, "list users")
	}
	out := make([]UserDetail, 0, len(users))
	for i := range users {
		d, err := s.detail(ctx, &users[i])
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *d)
	}
	return out, total, nil
}

// User returns one account.
func (s *Service) User(ctx context.Context, id uint64) (*UserDetail, error) {
	var u User
	err := s.db(ctx).Preload("Organisation").Where("id = ?", id).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.New(apperr.NotFound, "no such user")
	}
	if err != nil {
		return nil, apperr.Internalf(err, "load user")
	}
	return s.detail(ctx, &u)
}

// department loads a department, Invalid (on field) when it does not exist.
func department(tx *gorm.DB, id, field string) (*Department, error) {
	var d Department
	err := tx.Where("id = ?", id).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		e := apperr.New(apperr.Invalid, "no department %q", id)
		e.Fields = map[string]string{field: e.Message}
		return nil, e
	}
	return &d, err
}

// UpdateUser applies an administrator's change of roles, department,
// region, name or disabled state. Role changes apply to the next request
// on this replica and within one poll on the others (authz.Enforcer.Watch).
// An administrator cannot disable or demote themself, and the last active
// administrator stays one.
func (s *Service) UpdateUser(ctx context.Context, by *authz.Principal, id uint64, ch RoleChange, m Meta) (*UserDetail, error) {
	before, err := s.User(ctx, id)
	if err != nil {
		return nil, err
	}
	u := before.User
	now := s.now()
	updates := map[string]any{"updated_at": now}
	var v apperr.Validation
	if ch.Name != nil {
		name := strings.TrimSpace(*ch.Name)
		v.Check(validName(name), "name", "name is required (at most 100 characters)")
		updates["name"] = name
	}
	deptID := ""
	if u.DepartmentID != nil {
		deptID = *u.DepartmentID
	}
	if ch.DepartmentID != nil {
		deptID = strings.TrimSpace(*ch.DepartmentID)
		if deptID == "" {
			updates["department_id"] = nil
		} else {
			updates["department_id"] = deptID
		}
	}
	region := u.Region
	if ch.Region != nil {
		region = strings.TrimSpace(*ch.Region)
		v.Check(utf8.RuneCountInString(region) <= 100, "region", "region is at most 100 characters")
	}
	roles := before.Roles()
	if ch.Roles != nil {
		roles = *ch.Roles
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if by != nil && by.UserID == id {
		if ch.Disabled != nil && *ch.Disabled {
			return nil, apperr.New(apperr.Conflict, "you cannot disable your own account")
		}
		if before.hasRole(authz.RoleAdmin) && !slices.Contains(roles, authz.RoleAdmin) {
			return nil, apperr.New(apperr.Conflict, "you cannot remove your own administrator role")
		}
	}
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		adminsBefore, err := activeAdmins(tx)
		if err != nil {
			return err
		}
		if deptID != "" {
			d, err := department(tx, deptID, "department_id")
			if err != nil {
				return err
			}
			// An authority without an explicit region oversees its department's.
			if region == "" && slices.Contains(roles, authz.RoleAuthority) {
				region = d.Region
			}
		}
		if region != u.Region {
			updates["region"] = region
		}
		as, err := assignmentsFor(u.Kind, roles, deptID, region)
		if err != nil {
			return err
		}
		if ch.Disabled != nil {
			if *ch.Disabled && u.DisabledAt == nil {
				updates["disabled_at"] = now
			} else if !*ch.Disabled {
				updates["disabled_at"] = nil
			}
		}
		if err := tx.Model(&User{}).Where("id = ?", id).Updates(updates).Error; err != nil {
			return err
		}
		if !slices.Equal(as, before.Assignments) {
			if err := s.setAssignments(tx, &u, as); err != nil {
				return err
			}
			if err := s.record(tx, actor(by, m.IP), audit.RoleChange, "user", uid(id), map[string]any{"before": before.Assignments, "after": as}); err != nil {
				return err
			}
		}
		if d, ok := updates["disabled_at"]; ok && d != nil {
			if err := tx.Where("user_id = ?", id).Delete(&Session{}).Error; err != nil {
				return err
			}
		}
		if adminsAfter, err := activeAdmins(tx); err != nil {
			return err
		} else if adminsBefore > 0 && adminsAfter == 0 {
			return apperr.New(apperr.Conflict, "this would leave no active administrator")
		}
		delete(updates, "updated_at")
		if len(updates) > 0 {
			return s.record(tx, actor(by, m.IP), audit.UserUpdated, "user", uid(id), updates)
		}
		return nil
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "update user")
	}
	s.reloadPolicy(ctx)
	return s.User(ctx, id)
}

func (d *UserDetail) hasRole(role string) bool { return slices.Contains(d.Roles(), role) }

// setAssignments stores the assigned roles of u, leaving out the one its
// kind implies (authz.ImpliedRole), so public accounts never touch the policy.
func (s *Service) setAssignments(tx *gorm.DB, u *User, as []authz.Assignment) error {
	implied := authz.ImpliedRole(string(u.Kind))
	stored := make([]authz.Assignment, 0, len(as))
	for _, a := range as {
		if a.Role != implied {
			stored = append(stored, a)
		}
	}
	return s.Policy.SetAssignments(tx, u.ID, stored)
}

// activeAdmins counts enabled accounts holding the admin role, read
// inside the transaction from the database so replicas agree.
func activeAdmins(tx *gorm.DB) (int64, error) {
	var subjects []string
	if err := tx.Table("casbin_rule").Where("ptype = 'g' AND v1 = ?", authz.RoleAdmin).Pluck("v0", &subjects).Error; err != nil {
		return 0, err
	}
	if len(subjects) == 0 {
		return 0, nil
	}
	ids := make([]string, len(subjects))
	for i, sub := range subjects {
		ids[i] = strings.TrimPrefix(sub, "u:")
	}
	var n int64
	err := tx.Model(&User{}).Where("id IN ? AND disabled_at IS NULL", ids).Count(&n).Error
	return n, err
}

// CreateStaff creates a staff account (department, authority or platform
// staff). Without a password one is generated and returned, to be passed
// on once. by is nil for the command line.
func (s *Service) CreateStaff(ctx context.Context, by *authz.Principal, in StaffInput, m Meta) (*UserDetail, string, error) {
	in.Email, in.Name = normaliseEmail(in.Email), strings.TrimSpace(in.Name)
	in.DepartmentID, in.Region = strings.TrimSpace(in.DepartmentID), strings.TrimSpace(in.Region)
	var v apperr.Validation
	v.Check(validEmail(in.Email), "email", "a valid e-mail address is required")
	v.Check(validName(in.Name), "name", "name is required (at most 100 characters)")
	v.Check(len(in.Roles) > 0, "roles", "give at least one role")
	generated := in.Password == ""
	if generated {
		in.Password = GeneratePassword()
	} else if err := CheckPasswordPolicy("password", in.Password, in.Email, in.Name); err != nil {
		v.Add("password", "%s", err.(*apperr.Error).Fields["password"])
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	hash, err := s.hash(ctx, in.Password)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	// Staff accounts come from an administrator: verified.
	u := &User{Email: in.Email, Name: in.Name, Kind: KindStaff, PasswordHash: hash, PasswordChangedAt: now, EmailVerifiedAt: &now, CreatedAt: now, UpdatedAt: now, Region: in.Region}
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if in.DepartmentID != "" {
			d, err := department(tx, in.DepartmentID, "department_id")
			if err != nil {
				return err
			}
			u.DepartmentID = &in.DepartmentID
			if u.Region == "" && slices.Contains(in.Roles, authz.RoleAuthority) {
				u.Region = d.Region
			}
		}
		as, err := assignmentsFor(KindStaff, in.Roles, in.DepartmentID, u.Region)
		if err != nil {
			return err
		}
		if err := s.emailFree(tx, in.Email); err != nil {
			return err
		}
		if err := tx.Create(u).Error; err != nil {
			if store.IsDuplicate(err) {
				return emailTaken()
			}
			return err
		}
		if err := s.setAssignments(tx, u, as); err != nil {
			return err
		}
		a := audit.Actor{Label: "cli", IP: m.IP}
		if by != nil {
			a = actor(by, m.IP)
		}
		if err := s.record(tx, a, audit.UserCreated, "user", uid(u.ID), map[string]any{"email": u.Email, "kind": u.Kind}); err != nil {
			return err
		}
		return s.record(tx, a, audit.RoleChange, "user", uid(u.ID), map[string]any{"before": []authz.Assignment{}, "after": as})
	})
	if err != nil {
		return nil, "", apperr.OrInternal(err, "create staff account")
	}
	s.reloadPolicy(ctx)
	d, err := s.User(ctx, u.ID)
	if !generated {
		return d, "", err
	}
	return d, in.Password, err
}

// SetPassword sets a password without the current one (command line
// recovery of a locked-out administrator). "" generates one, returned.
func (s *Service) SetPassword(ctx context.Context, email, password string) (string, error) {
	email = normaliseEmail(email)
	var u User
	if err := s.db(ctx).Where("email = ?", email).Take(&u).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return "", apperr.New(apperr.NotFound, "no account with e-mail %s", email)
		}
		return "", apperr.Internalf(err, "load user")
	}
	generated := password == ""
	if generated {
		password = GeneratePassword()
	} else if err := CheckPasswordPolicy("password", password, u.Email, u.Name); err != nil {
		return "", err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return "", apperr.Internalf(err, "hash password")
	}
	now := s.now()
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": hash, "password_changed_at": now, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", u.ID).Delete(&Session{}).Error; err != nil {
			return err
		}
		if err := clearAccount(tx, u.Email); err != nil {
			return err
		}
		return s.record(tx, audit.Actor{Label: "cli"}, audit.PasswordReset, "user", uid(u.ID), map[string]any{"purpose": "cli"})
	})
	if err != nil {
		return "", apperr.Internalf(err, "set password")
	}
	if generated {
		return password, nil
	}
	return "", nil
}

// ---- departments ----

// DepartmentInput creates or (with nil fields left alone) updates a department.
type DepartmentInput struct {
	ID          string
	Name        *string
	RegionLevel *string
	Region      *string
	ParentID    *string
	Code        *string // 统一社会信用代码; "" clears it
}

// Departments lists every department by id.
func (s *Service) Departments(ctx context.Context) ([]Department, error) {
	var out []Department
	if err := s.db(ctx).Order("id").Find(&out).Error; err != nil {
		return nil, apperr.Internalf(err, "list departments")
	}
	return out, nil
}

func (in *DepartmentInput) apply(d *Department) error {
	var v apperr.Validation
	if in.Name != nil {
		d.Name = strings.TrimSpace(*in.Name)
	}
	if in.RegionLevel != nil {
		d.RegionLevel = strings.TrimSpace(*in.RegionLevel)
	}
	if in.Region != nil {
		d.Region = strings.TrimSpace(*in.Region)
	}
	if in.ParentID != nil {
		d.ParentID = strings.TrimSpace(*in.ParentID)
	}
	v.Check(ValidDepartmentID(d.ID), "id", "id must be a slug of 3 to 64 lower-case letters, digits and hyphens")
	v.Check(d.Name != "" && utf8.RuneCountInString(d.Name) <= 200, "name", "name is required (at most 200 characters)")
	v.Check(slices.Contains(RegionLevels, d.RegionLevel), "region_level", "region_level must be province, city or county")
	v.Check(d.Region != "" && utf8.RuneCountInString(d.Region) <= 100, "region", "region is required (at most 100 characters)")
	v.Check(d.ParentID != d.ID, "parent_id", "a department cannot be its own parent")
	if in.Code != nil {
		d.Code = strings.ToUpper(strings.TrimSpace(*in.Code))
	}
	v.Check(d.Code == "" || ValidCreditCode(d.Code), "code", "the code must be an 18-character unified social credit code with a correct check character (GB 32100)")
	return v.Err()
}

// CreateDepartment adds a department. Its id never changes afterwards.
func (s *Service) CreateDepartment(ctx context.Context, by *authz.Principal, in DepartmentInput, m Meta) (*Department, error) {
	d := &Department{ID: strings.TrimSpace(in.ID), CreatedAt: s.now()}
	if err := in.apply(d); err != nil {
		return nil, err
	}
	err := s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if d.ParentID != "" {
			if _, err := department(tx, d.ParentID, "parent_id"); err != nil {
				return err
			}
		}
		if err := tx.Create(d).Error; err != nil {
			if store.IsDuplicate(err) {
				e := apperr.New(apperr.Conflict, "department %q exists", d.ID)
				e.Fields = map[string]string{"id": e.Message}
				return e
			}
			return err
		}
		return s.record(tx, actor(by, m.IP), audit.DepartmentSaved, "department", d.ID, map[string]any{"name": d.Name, "region_level": d.RegionLevel, "region": d.Region, "parent_id": d.ParentID, "code": d.Code, "created": true})
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "create department")
	}
	return d, nil
}

// UpdateDepartment renames or moves a department. Its datasets are
// re-indexed (the search documents carry the department name).
func (s *Service) UpdateDepartment(ctx context.Context, by *authz.Principal, id string, in DepartmentInput, m Meta) (*Department, error) {
	var d Department
	err := s.db(ctx).Where("id = ?", id).Take(&d).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.New(apperr.NotFound, "no such department")
	}
	if err != nil {
		return nil, apperr.Internalf(err, "load department")
	}
	in.ID = id
	if err := in.apply(&d); err != nil {
		return nil, err
	}
	err = s.db(ctx).Transaction(func(tx *gorm.DB) error {
		if d.ParentID != "" {
			if _, err := department(tx, d.ParentID, "parent_id"); err != nil {
				return err
			}
		}
		if err := tx.Model(&Department{}).Where("id = ?", id).Updates(map[string]any{"name": d.Name, "region_level": d.RegionLevel, "region": d.Region, "parent_id": d.ParentID, "code": d.Code}).Error; err != nil {
			return err
		}
		var ids []string
		if err := tx.Table("datasets").Where("department_id = ?", id).Pluck("id", &ids).Error; err != nil {
			return err
		}
		if err := outbox.Enqueue(tx, s.now(), "dataset", ids...); err != nil {
			return err
		}
		return s.record(tx, actor(by, m.IP), audit.DepartmentSaved, "department", id, map[string]any{"name": d.Name, "region_level": d.RegionLevel, "region": d.Region, "parent_id": d.ParentID, "code": d.Code})
	})
	if err != nil {
		return nil, apperr.OrInternal(err, "update department")
	}
	return &d, nil
}
