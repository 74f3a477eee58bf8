package authz

// Directory tells who holds which roles (Enforcer); the domains' own
// Policy interfaces include it.
type Directory interface {
	UsersWithRole(role string) []uint64
	AssignmentsOf(userID uint64) []Assignment
}

// HoldersIn lists the users holding role in domain (e.g. the providers of
// one department, for notices), in the order of UsersWithRole.
func HoldersIn(d Directory, role, domain string) []uint64 {
	var out []uint64
	for _, id := range d.UsersWithRole(role) {
		for _, a := range d.AssignmentsOf(id) {
			if a.Role == role && a.Domain == domain {
				out = append(out, id)
				break
			}
		}
	}
	return out
}
