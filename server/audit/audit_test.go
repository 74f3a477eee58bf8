package audit_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/audit"
)

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)

func appendN(t *testing.T, db *gorm.DB, n int) {
	t.Helper()
	for i := range n {
		err := db.Transaction(func(tx *gorm.DB) error {
			_, err := audit.Append(tx, audit.Record{
				At: t0.Add(time.Duration(i) * time.Second), Actor: audit.Actor{UserID: uint64(i%3 + 1), Label: fmt.Sprintf("u:%d", i%3+1), IP: "192.0.2.7"},
				Action: audit.LoginOK, ObjectType: "user", ObjectID: fmt.Sprint(i%3 + 1),
				Details: map[string]any{"n": i, "名称": "测试", "nested": map[string]any{"b": 2, "a": 1}},
			})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestChainAndTamperDetection(t *testing.T) {
	ctx := context.Background()
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			tests := []struct {
				name       string
				tamper     string // SQL run after 10 appends
				wantBroken audit.ID
			}{
				{name: "intact"},
				{name: "details edited", tamper: `UPDATE audit_entries SET details = '{"n":4}' WHERE seq = 5`, wantBroken: 5},
				{name: "actor edited", tamper: `UPDATE audit_entries SET actor = 'u:9' WHERE seq = 3`, wantBroken: 3},
				{name: "time edited", tamper: `UPDATE audit_entries SET at = ? WHERE seq = 8`, wantBroken: 8},
				{name: "middle entry deleted", tamper: `DELETE FROM audit_entries WHERE seq = 7`, wantBroken: 7},
				{name: "first entry deleted", tamper: `DELETE FROM audit_entries WHERE seq = 1`, wantBroken: 1},
				{name: "last entry deleted", tamper: `DELETE FROM audit_entries WHERE seq = 10`, wantBroken: 10},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					db := apptest.MigratedDB(t, engine, audit.Migrations())
					appendN(t, db, 10)
					if tc.tamper != "" {
						var args []any
						if tc.name == "time edited" {
							args = append(args, t0.Add(-time.Hour))
						}
						if res := db.Exec(tc.tamper, args...); res.Error != nil || res.RowsAffected != 1 {
							t.Fatalf("tamper: %v (%d rows)", res.Error, res.RowsAffected)
						}
					}
					res, err := audit.Check(ctx, db)
					if err != nil {
						t.Fatal(err)
					}
					broken, err := audit.Verify(ctx, db)
					if err != nil {
						t.Fatal(err)
					}
					if tc.wantBroken == 0 {
						if broken != nil || res.Count != 10 {
							t.Fatalf("intact chain: broken=%v count=%d (%s)", *broken, res.Count, res.Reason)
						}
						return
					}
					if broken == nil || *broken != tc.wantBroken {
						t.Fatalf("first broken = %v (%s), want %d", broken, res.Reason, tc.wantBroken)
					}
				})
			}
		})
	}
}

func TestAppendIsTransactionalAndSerialised(t *testing.T) {
	ctx := context.Background()
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			db := apptest.MigratedDB(t, engine, audit.Migrations())
			// A rolled-back change leaves no record and no gap.
			boom := errors.New("boom")
			err := db.Transaction(func(tx *gorm.DB) error {
				if _, err := audit.Append(tx, audit.Record{At: t0, Action: audit.RoleChange, ObjectType: "user", ObjectID: "1"}); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatal(err)
			}
			// Concurrent writers: the chain stays one line.
			const writers, each = 6, 8
			var wg sync.WaitGroup
			errs := make(chan error, writers*each)
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						errs <- db.Transaction(func(tx *gorm.DB) error {
							_, err := audit.Append(tx, audit.Record{At: t0, Actor: audit.Actor{Label: "system"}, Action: audit.ConditionalDownload, ObjectType: "grant", ObjectID: fmt.Sprintf("%d-%d", w, i)})
							return err
						})
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			res, err := audit.Check(ctx, db)
			if err != nil || res.FirstBroken != nil || res.Count != writers*each {
				t.Fatalf("check: %+v %v", res, err)
			}
			var seqs []uint64
			db.Table("audit_entries").Order("seq").Pluck("seq", &seqs)
			if len(seqs) != writers*each || seqs[0] != 1 || seqs[len(seqs)-1] != writers*each {
				t.Fatalf("seqs = %v", seqs)
			}
			// The helpers other domains call land in the same chain.
			err = db.Transaction(func(tx *gorm.DB) error {
				by := audit.Actor{UserID: 7, Label: "u:7", IP: "198.51.100.1"}
				return errors.Join(
					audit.ApplicationDecision(tx, t0, by, "app-1", "refused", "用途不明确"),
					audit.CorrectionAnswer(tx, t0, by, "cor-1", "corrected"),
					audit.RevocationApproval(tx, t0, by, "rev-1", "ds-000001"),
					audit.ConditionalUse(tx, t0, by, "grant-1", "res-000001-1"),
				)
			})
			if err != nil {
				t.Fatal(err)
			}
			list, err := audit.List(ctx, db, audit.Query{ActorID: 7})
			if err != nil || len(list) != 4 || list[0].Action != audit.ConditionalDownload || list[3].Action != audit.ApplicationDecided {
				t.Fatalf("list: %v %+v", err, list)
			}
			if broken, err := audit.Verify(ctx, db); err != nil || broken != nil {
				t.Fatalf("verify after helpers: %v %v", broken, err)
			}
		})
	}
}
