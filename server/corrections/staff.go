package corrections

import (
	"context"
	"errors"
	"slices"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/catalog"
)

// Staff finds who acts for a department and who oversees it. Data
// requests use the same directory (it satisfies their interface too).
type Staff interface {
	// Providers lists the enabled provider accounts of a department.
	Providers(ctx context.Context, departmentID string) ([]uint64, error)
	// Authorities lists the enabled authority accounts to tell about a
	// department's deadlines: those of its region, else (a region without
	// an authority account) the provincial authority, so an escalation
	// always reaches someone.
	Authorities(ctx context.Context, departmentID string) ([]uint64, error)
	// Oversees reports whether an authority of region oversees the
	// department: the same-level authority of the department's region
	// (000 Art 5, 42), as for applications and revocations.
	Oversees(ctx context.Context, region, departmentID string) (bool, error)
	// Provincial reports whether region is the province's own (the region
	// of the province-level departments).
	Provincial(ctx context.Context, region string) (bool, error)
}

// Directory is the Staff of the portal: accounts (users table) and the
// roles they hold (casbin, through Holders).
type Directory struct {
	DB *gorm.DB
	// Holders lists the ids of users holding a role (authz.Enforcer.UsersWithRole).
	Holders func(role string) []uint64
}

var _ Staff = (*Directory)(nil)

type userRow struct {
	ID uint64
}

func (d *Directory) users(ctx context.Context, role, column, value string) ([]uint64, error) {
	holders := d.Holders(role)
	if len(holders) == 0 || value == "" {
		return nil, nil
	}
	var rows []userRow
	err := d.DB.WithContext(ctx).Table("users").Select("id").
		Where(column+" = ? AND disabled_at IS NULL AND id IN ?", value, holders).Order("id").Find(&rows).Error
	if err != nil {
		return nil, apperr.Internalf(err, "find %s accounts", role)
	}
	out := make([]uint64, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out, nil
}

// Providers implements Staff.
func (d *Directory) Providers(ctx context.Context, departmentID string) ([]uint64, error) {
	return d.users(ctx, authz.RoleProvider, "department_id", departmentID)
}

// Heads lists the enabled department-head accounts (provider_head) of a
// department: who approves extensions under the provider_head profiles.
func (d *Directory) Heads(ctx context.Context, departmentID string) ([]uint64, error) {
	return d.users(ctx, authz.RoleProviderHead, "department_id", departmentID)
}

func (d *Directory) department(ctx context.Context, id string) (*catalog.Department, error) {
	var dep catalog.Department
	err := d.DB.WithContext(ctx).Where("id = ?", id).Take(&dep).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.New(apperr.NotFound, "department not found")
	}
	if err != nil {
		return nil, apperr.Internalf(err, "load department %s", id)
	}
	return &dep, nil
}

func (d *Directory) provincialRegions(ctx context.Context) ([]string, error) {
	var regions []string
	err := d.DB.WithContext(ctx).Model(&catalog.Department{}).Where("region_level = ?", "province").Distinct().Pluck("region", &regions)
	if err.Error != nil {
		return nil, apperr.Internalf(err.Error, "provincial regions")
	}
	return regions, nil
}

// Authorities implements Staff.
func (d *Directory) Authorities(ctx context.Context, departmentID string) ([]uint64, error) {
	dep, err := d.department(ctx, departmentID)
	if err != nil {
		return nil, err
	}
	ids, err := d.users(ctx, authz.RoleAuthority, "region", dep.Region)
	if err != nil || len(ids) > 0 {
		return ids, err
	}
	return d.ProvinceAuthorities(ctx)
}

// ProvinceAuthorities lists the enabled authority accounts of the
// province's own region (who routes requests nobody else oversees).
func (d *Directory) ProvinceAuthorities(ctx context.Context) ([]uint64, error) {
	regions, err := d.provincialRegions(ctx)
	if err != nil {
		return nil, err
	}
	var ids []uint64
	for _, r := range regions {
		more, err := d.users(ctx, authz.RoleAuthority, "region", r)
		if err != nil {
			return nil, err
		}
		ids = append(ids, more...)
	}
	return ids, nil
}

// Provincial implements Staff.
func (d *Directory) Provincial(ctx context.Context, region string) (bool, error) {
	regions, err := d.provincialRegions(ctx)
	return region != "" && slices.Contains(regions, region), err
}

// Oversees implements Staff.
func (d *Directory) Oversees(ctx context.Context, region, departmentID string) (bool, error) {
	if region == "" {
		return false, nil
	}
	dep, err := d.department(ctx, departmentID)
	if err != nil {
		return false, err
	}
	return dep.Region == region, nil
}
