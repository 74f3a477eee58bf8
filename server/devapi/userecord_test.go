package devapi_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/audit"
)

// failInserts makes every INSERT into table fail until the returned
// function is called (a full disk, a lost connection, a broken table).
func failInserts(t *testing.T, db *gorm.DB, table string) func() {
	t.Helper()
	name := "test:fail_insert_" + table
	err := db.Callback().Create().Before("gorm:create").Register(name, func(tx *gorm.DB) {
		if tx.Statement.Table == table {
			_ = tx.AddError(errors.New("test: insert into " + table + " refused"))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	restore := func() { _ = db.Callback().Create().Remove(name) }
	t.Cleanup(restore)
	return restore
}

// A grant's use (download, rows, CKAN datastore_search) is recorded with
// its audit entry before any data leaves; when that record cannot be
// written the caller gets 503 with Retry-After and no data, and the audit
// chain holds no entry without its record (000 Art 11, 28).
func TestUseRecordedBeforeData(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small", Now: func() time.Time { return now }, NoWorkers: true})
			ds := conditionalCSV(t, p, "hlj-scjgj")
			citizen, provider := p.SignInAs(t, "citizen"), p.SignInAs(t, "provider")
			grant, approved := approvedGrant(t, p, citizen, provider, ds.ID)
			res := ds.Resources[0].ID
			calls := []struct{ name, path string }{
				{"download", "/api/v1/resources/" + res + "/download?format=csv"},
				{"rows", "/api/v1/resources/" + res + "/rows?limit=2"},
				{"datastore_search", "/api/3/action/datastore_search?resource_id=" + res + "&limit=2"},
			}
			counts := func() (uses, entries int64) {
				uses = p.Count(t, "grant_uses", "grant_id = ?", grant)
				entries = p.Count(t, "audit_entries", "action = ? AND object_id = ?", audit.ConditionalDownload, grant)
				return uses, entries
			}

			// Normal path: one record and one audit entry per call.
			for _, c := range calls {
				u0, a0 := counts()
				r := p.Do(t, "GET", c.path, nil, citizen.Header())
				if r.Status != 200 || !bytes.Contains(r.Body, []byte(approved[0])) {
					t.Fatalf("%s: %d %.200s", c.name, r.Status, r.Body)
				}
				if u, a := counts(); u != u0+1 || a != a0+1 {
					t.Errorf("%s: %d records and %d audit entries added, want 1 and 1", c.name, u-u0, a-a0)
				}
			}
			// The download's record was completed with what was sent.
			var rec struct{ Rows, Bytes int64 }
			if err := p.DB.Table("grant_uses").Where("grant_id = ? AND format = ?", grant, "csv").Take(&rec).Error; err != nil {
				t.Fatal(err)
			}
			if rec.Rows == 0 || rec.Bytes == 0 {
				t.Errorf("download record: rows %d bytes %d, want both filled in", rec.Rows, rec.Bytes)
			}

			check := func(what string) {
				t.Helper()
				u0, a0 := counts()
				for _, c := range calls {
					r := p.Do(t, "GET", c.path, nil, citizen.Header())
					if r.Status != 503 || r.Header.Get("Retry-After") == "" {
						t.Errorf("%s, %s: %d Retry-After %q, want 503 with Retry-After", what, c.name, r.Status, r.Header.Get("Retry-After"))
					}
					if bytes.Contains(r.Body, []byte(`"records"`)) || c.name != "datastore_search" && bytes.Contains(r.Body, []byte(approved[0])) {
						t.Errorf("%s, %s: the body carries data: %.200s", what, c.name, r.Body)
					}
					if c.name != "datastore_search" && r.ErrorCode(t) != "use_not_recorded" {
						t.Errorf("%s, %s: error code %q, want use_not_recorded", what, c.name, r.ErrorCode(t))
					}
					if c.name == "datastore_search" && !bytes.Contains(r.Body, []byte(`"success":false`)) {
						t.Errorf("%s, datastore_search: %.200s", what, r.Body)
					}
				}
				if u, a := counts(); u != u0 || a != a0 {
					t.Errorf("%s: %d records and %d audit entries added, want none", what, u-u0, a-a0)
				}
			}
			// The use record cannot be written: no data, no audit entry.
			restore := failInserts(t, p.DB, "grant_uses")
			check("record refused")
			restore()
			// The audit entry cannot be written: the record is rolled back too.
			restore = failInserts(t, p.DB, "audit_entries")
			check("audit entry refused")
			restore()

			// Unconditional data needs no use record: it is served meanwhile.
			restore = failInserts(t, p.DB, "grant_uses")
			if r := p.Do(t, "GET", "/api/v1/resources/"+uncondRes+"/download?format=csv", nil, nil); r.Status != 200 {
				t.Errorf("unconditional download while use records fail: %d", r.Status)
			}
			restore()
			// Back to normal: served and recorded.
			if r := p.Do(t, "GET", calls[1].path, nil, citizen.Header()); r.Status != 200 {
				t.Errorf("rows after the failure: %d %.200s", r.Status, r.Body)
			}
		})
	}
}
