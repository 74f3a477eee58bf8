package applications_test

import (
	"testing"

	"github.com/hlj-opendata/portal/server/apptest"
)

// TestFormOrganisationsOnly: the apply form's answer says whether the open
// conditions admit organisations only, read from the demo entries'
// conditions, for a citizen and an organisation alike.
func TestFormOrganisationsOnly(t *testing.T) {
	cases := []struct {
		dataset string
		want    bool
	}{
		{dataset, true},             // 申请人须为依法登记的法人，…
		{"ds-jms-nyncj-001", true},  // 申请人须为依法登记的法人或非法人组织，…
		{"ds-hlj-whhlyt-002", true}, // 申请人须为…科研机构、高等学校或企业，…
		{"ds-hlj-nynct-001", false}, // 申请人须说明具体应用场景…
	}
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine, apptest.CST("2026-03-02 09:00"))
			for _, c := range cases {
				for _, role := range []string{"citizen", "organisation"} {
					var form struct {
						Dataset struct {
							ID                string `json:"id"`
							OpenConditions    string `json:"open_conditions"`
							OrganisationsOnly *bool  `json:"organisations_only"`
						} `json:"dataset"`
					}
					r := e.Get(t, role, "/api/v1/applications/form?dataset_id="+c.dataset)
					if r.Status != 200 {
						t.Fatalf("%s form of %s: %d %s", role, c.dataset, r.Status, short(r.Body))
					}
					r.JSON(t, &form)
					if form.Dataset.ID != c.dataset || form.Dataset.OrganisationsOnly == nil || *form.Dataset.OrganisationsOnly != c.want {
						t.Errorf("%s form of %s (%q): organisations_only %v, want %v", role, c.dataset, form.Dataset.OpenConditions, form.Dataset.OrganisationsOnly, c.want)
					}
				}
			}
		})
	}
}
