package policy_test

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/policy"
)

func TestShippedProfiles(t *testing.T) {
	hlj := policy.Profile{
		Name: "heilongjiang", ApplicationReview: 5, CorrectionAnswer: 5,
		CorrectionExtensionMax: 0, CorrectionExtensionsAllowed: 0, CorrectionExtensionApprover: policy.ApproverAuthority,
		DataRequestRouting: 2, DataRequestAnswer: 3, DataRequestCatalog: 10, CatalogReviewByAuthority: 2,
		CatalogFixByProvider: 5, CatalogUpdateAfterChange: 3, CatalogUpdateExtensionMax: 5,
		RevocationGraceMonths: 6, ReminderBeforeDueDays: 1, UseRecordRetentionYears: 3,
		StaffPasswordMaxAgeDays: 90,
	}
	nat := hlj
	nat.Name = "national"
	nat.CorrectionAnswer = 10                                     // 001 Art 26
	nat.CorrectionExtensionMax = 10                               // 003 Art 21
	nat.CorrectionExtensionsAllowed = 1                           // 003 Art 21
	nat.CatalogUpdateAfterChange = 10                             // 001 Art 17
	nat.CorrectionExtensionApprover = policy.ApproverProviderHead // 003 Art 21
	for _, want := range []policy.Profile{hlj, nat} {
		got, err := policy.Load(want.Name, seed.ProfilesFS)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title == "" || got.Notes == "" {
			t.Errorf("%s: empty title or notes", want.Name)
		}
		got.Title, got.Notes = "", ""
		if got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", want.Name, got, want)
		}
	}
	def, err := policy.Load("", seed.ProfilesFS)
	if err != nil || def.Name != policy.Default || policy.Default != "heilongjiang" {
		t.Errorf("default profile: %q %v", def.Name, err)
	}
	names, err := policy.Available(seed.ProfilesFS)
	if err != nil || strings.Join(names, ",") != "heilongjiang,national" {
		t.Errorf("Available = %v %v", names, err)
	}
}

func TestUnknownProfileListsAvailable(t *testing.T) {
	_, err := policy.Load("guangdong", seed.ProfilesFS)
	if err == nil || !strings.Contains(err.Error(), `unknown profile "guangdong" (available: heilongjiang, national)`) {
		t.Errorf("err = %v", err)
	}
	_, err = policy.Load("../etc/passwd", seed.ProfilesFS)
	if err == nil || !strings.Contains(err.Error(), "invalid profile name") {
		t.Errorf("err = %v", err)
	}
	if _, err := policy.Load("heilongjiang"); err == nil {
		t.Error("Load without sources should fail")
	}
}

// shipped returns heilongjiang.json as a map, for tests to mutate.
func shipped(t *testing.T) map[string]any {
	t.Helper()
	p, err := policy.Load("heilongjiang", seed.ProfilesFS)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(p)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestOperatorOverrideAndValidation(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(m map[string]any)
		want   string // "" = loads
	}{
		{"override ok", func(m map[string]any) { m["application_review"] = 7 }, ""},
		{"zero deadline", func(m map[string]any) { m["correction_answer"] = 0 }, "correction_answer = 0, want 1..60"},
		{"negative extension", func(m map[string]any) { m["catalog_update_extension_max"] = -1 }, "catalog_update_extension_max = -1"},
		{"extension without count", func(m map[string]any) { m["correction_extension_max"] = 10 }, "both zero or both positive"},
		{"huge deadline", func(m map[string]any) { m["data_request_answer"] = 1000 }, "data_request_answer = 1000"},
		{"retention zero", func(m map[string]any) { m["use_record_retention_years"] = 0 }, "use_record_retention_years = 0"},
		{"routing zero", func(m map[string]any) { m["data_request_routing"] = 0 }, "data_request_routing = 0"},
		{"unknown approver", func(m map[string]any) { m["correction_extension_approver"] = "mayor" }, `correction_extension_approver = "mayor"`},
		{"password age zero", func(m map[string]any) { m["staff_password_max_age_days"] = 0 }, "staff_password_max_age_days = 0"},
		{"negative grace", func(m map[string]any) { m["revocation_grace_months"] = -6 }, "revocation_grace_months = -6"},
		{"missing key", func(m map[string]any) { delete(m, "reminder_before_due_days") }, "missing keys: reminder_before_due_days"},
		{"unknown key", func(m map[string]any) { m["correction_days"] = 5 }, `unknown field "correction_days"`},
		{"name mismatch", func(m map[string]any) { m["name"] = "other" }, `"name" is "other", want "heilongjiang"`},
		{"empty title", func(m map[string]any) { m["title"] = " " }, "title is empty"},
		{"wrong type", func(m map[string]any) { m["application_review"] = "5" }, "invalid JSON"},
	}
	for _, c := range cases {
		m := shipped(t)
		c.mutate(m)
		b, _ := json.Marshal(m)
		op := fstest.MapFS{"heilongjiang.json": {Data: b}}
		p, err := policy.Load("heilongjiang", seed.ProfilesFS, op)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want == "" && p.ApplicationReview != 7:
			t.Errorf("%s: operator file not used: %+v", c.name, p)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "heilongjiang.json (source 2)")):
			t.Errorf("%s: err = %v, want it to name the file and say %q", c.name, err, c.want)
		}
	}
	// An operator profile with a new name is available alongside the shipped ones.
	m := shipped(t)
	m["name"] = "pingshan"
	b, _ := json.Marshal(m)
	op := fstest.MapFS{"pingshan.json": {Data: b}}
	if _, err := policy.Load("pingshan", seed.ProfilesFS, op); err != nil {
		t.Error(err)
	}
	if names, _ := policy.Available(seed.ProfilesFS, op); strings.Join(names, ",") != "heilongjiang,national,pingshan" {
		t.Errorf("Available = %v", names)
	}
}
