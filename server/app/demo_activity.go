package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/accounts"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/calendar"
	"github.com/hlj-opendata/portal/server/catalog"
	"github.com/hlj-opendata/portal/server/corrections"
	"github.com/hlj-opendata/portal/server/requests"
	"github.com/hlj-opendata/portal/server/revocations"
)

// SeedDemoActivity replays the demo's past (seed.DemoActivityPlan) on a
// freshly loaded demo: revocations asked by the provider and approved by
// the authority, with their announcements and filings; reports of errors
// and data requests answered by the providing department. Everything goes
// through the services, as the demo accounts, with the clock set back to
// when it happened, so every row, notice, audit record and statistic is
// the real one. It does nothing when the portal already has any such
// activity or the demo accounts are missing, so it runs once.
func (a *App) SeedDemoActivity(ctx context.Context, out func(string, ...any)) error {
	start := time.Now()
	if done, err := a.demoActivityExists(ctx); err != nil || done {
		return err
	}
	who, err := a.demoPeople(ctx)
	if err != nil || who == nil {
		return err
	}
	r := &demoReplay{a: a, who: who, now: a.Now()}
	r.limit = r.now.Add(-30 * time.Minute)
	r.clock = func() time.Time { return r.at }
	n := *a.Notify
	n.Now = r.clock
	r.rev, r.cor, r.req = *a.Revocations, *a.Corrections, *a.Requests
	r.rev.Now, r.rev.Notify, r.rev.Kick = r.clock, &n, nil
	r.cor.Now, r.cor.Notify = r.clock, &n
	r.req.Now, r.req.Notify = r.clock, &n

	plan := seed.DemoActivityPlan()
	for _, x := range plan.Revocations {
		if err := r.revocation(x); err != nil {
			return err
		}
	}
	for _, x := range plan.Corrections {
		r.correction(x)
	}
	for _, x := range plan.Requests {
		if err := r.request(ctx, x); err != nil {
			return err
		}
	}
	// In the order they happened, so numbers and ids follow the dates.
	slices.SortStableFunc(r.steps, func(x, y demoStep) int { return x.at.Compare(y.at) })
	for _, s := range r.steps {
		r.at = s.at
		if err := s.do(ctx); err != nil {
			return fmt.Errorf("demo activity at %s: %s: %w", s.at.In(calendar.Zone).Format("2006-01-02 15:04"), s.what, err)
		}
	}
	// The withdrawn entries leave the search index now, not when the
	// outbox worker gets to them (it will find nothing left to do).
	if len(r.revoked) > 0 {
		if err := a.Outbox.Handlers["dataset"](ctx, r.revoked); err != nil {
			return fmt.Errorf("demo activity: index revoked entries: %w", err)
		}
	}
	if out != nil {
		out("replayed the demo activity (%d revocations, %d corrections, %d data requests) in %s",
			len(plan.Revocations), len(plan.Corrections), len(plan.Requests), time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// demoActivityExists reports whether any revocation, correction or data
// request is recorded: then the replay ran already, or real use began.
func (a *App) demoActivityExists(ctx context.Context) (bool, error) {
	for _, m := range []any{&revocations.Revocation{}, &corrections.Correction{}, &requests.Request{}} {
		var n int64
		if err := a.DB.WithContext(ctx).Model(m).Count(&n).Error; err != nil {
			return false, fmt.Errorf("demo activity: %w", err)
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

// demoPeople are the demo accounts acting in the replay.
type demoPeople struct {
	users     map[string]*authz.Principal // citizen, organisation
	providers map[string]*authz.Principal // by department
	deciders  map[string]*authz.Principal // authorities, by region
}

// demoPeople loads the demo accounts as principals; nil when one is
// missing (accounts existed before the demo was loaded).
func (a *App) demoPeople(ctx context.Context) (*demoPeople, error) {
	p := &demoPeople{users: map[string]*authz.Principal{}, providers: map[string]*authz.Principal{}, deciders: map[string]*authz.Principal{}}
	for _, d := range accounts.DemoAccounts(seed.DemoProviderDepartment, seed.DemoProvider2Department) {
		var u accounts.User
		err := a.DB.WithContext(ctx).Where("email = ?", d.Email).Limit(1).Find(&u).Error
		if err != nil {
			return nil, fmt.Errorf("demo activity: load %s: %w", d.Email, err)
		}
		if u.ID == 0 {
			if a.Log != nil {
				a.Log.Warn("demo activity skipped: a demo account is missing", "email", d.Email)
			}
			return nil, nil
		}
		pr := a.demoPrincipal(&u)
		switch d.Role {
		case authz.RoleCitizen:
			p.users[seed.DemoActorCitizen] = pr
		case authz.RoleOrganisation:
			p.users[seed.DemoActorOrganisation] = pr
		case authz.RoleProvider:
			p.providers[pr.DepartmentID] = pr
		case authz.RoleAuthority:
			p.deciders[pr.Region] = pr
		}
	}
	return p, nil
}

// demoPrincipal is the principal a signed-in session of u would carry (as
// accounts builds it: the roles held, and the one the account kind
// implies).
func (a *App) demoPrincipal(u *accounts.User) *authz.Principal {
	as := a.Policy.AssignmentsOf(u.ID)
	if r := authz.ImpliedRole(string(u.Kind)); r != "" && !slices.Contains(as, authz.Assignment{Role: r, Domain: authz.Global}) {
		as = append([]authz.Assignment{{Role: r, Domain: authz.Global}}, as...)
	}
	p := &authz.Principal{UserID: u.ID, Email: u.Email, Name: u.Name, Kind: string(u.Kind), Assignments: as,
		Region: u.Region, OrganisationID: u.OrganisationID, OrgAdmin: u.OrgAdmin, Method: authz.ByCookie}
	if u.DepartmentID != nil {
		p.DepartmentID = *u.DepartmentID
	}
	return p
}

// demoStep is one act of the replay, run with the clock at at.
type demoStep struct {
	at   time.Time
	what string
	do   func(ctx context.Context) error
}

// demoReplay schedules the acts and runs them on services whose clock
// reads at.
type demoReplay struct {
	a       *App
	who     *demoPeople
	now     time.Time // the load
	limit   time.Time // no act after this: just before the load
	at      time.Time
	clock   func() time.Time
	rev     revocations.Service
	cor     corrections.Service
	req     requests.Service
	steps   []demoStep
	revoked []string
}

// add schedules an act at t, or just after prev when t would not come
// after it, and never after limit (the load is near); it returns the time
// given.
func (r *demoReplay) add(t, prev time.Time, what string, do func(ctx context.Context) error) time.Time {
	if t.After(r.limit) {
		t = r.limit
	}
	if !prev.IsZero() && !t.After(prev) {
		t = prev.Add(time.Minute)
	}
	r.steps = append(r.steps, demoStep{at: t, what: what, do: do})
	return t
}

// clockAt is hh:mm China time on t's China date.
func clockAt(t time.Time, hh, mm int) time.Time {
	c := t.In(calendar.Zone)
	return time.Date(c.Year(), c.Month(), c.Day(), hh, mm, 0, 0, calendar.Zone)
}

// daysAgo is hh:mm on the latest working day at least days before the load.
func (r *demoReplay) daysAgo(days, hh, mm int) time.Time {
	t := clockAt(r.now, hh, mm).AddDate(0, 0, -days)
	for !r.a.Calendar.IsWorkingDay(t) {
		t = t.AddDate(0, 0, -1)
	}
	return t
}

// workingDays is hh:mm on the n-th working day after t (before, n < 0).
func (r *demoReplay) workingDays(t time.Time, n, hh, mm int) time.Time {
	return clockAt(r.a.Calendar.AddWorkingDays(t, n), hh, mm)
}

func (r *demoReplay) provider(dept string) (*authz.Principal, error) {
	if p := r.who.providers[dept]; p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("no demo provider of %s", dept)
}

// revocation: the provider asks, the same-level authority approves, and
// the job withdraws the data on the effective date.
func (r *demoReplay) revocation(x seed.DemoRevocation) error {
	var ds catalog.Dataset
	if err := r.a.DB.Where("id = ?", x.DatasetID).Take(&ds).Error; err != nil {
		return fmt.Errorf("demo revocation of %s: %w", x.DatasetID, err)
	}
	if err := r.a.DB.Where("id = ?", ds.DepartmentID).Take(&ds.Department).Error; err != nil {
		return fmt.Errorf("demo revocation of %s: %w", x.DatasetID, err)
	}
	asker, err := r.provider(ds.DepartmentID)
	if err != nil {
		return err
	}
	decider := r.who.deciders[ds.Department.Region]
	if decider == nil {
		return fmt.Errorf("no demo authority of %s", ds.Department.Region)
	}
	asked := r.daysAgo(x.DaysAgo, 10, 20)
	effective := clockAt(asked, 0, 0).AddDate(0, 0, x.EffectiveIn)
	var id string
	t := r.add(asked, time.Time{}, "revocation of "+x.DatasetID, func(ctx context.Context) error {
		rv, err := r.rev.Request(ctx, asker, revocations.RequestInput{DatasetID: x.DatasetID, Reason: x.Reason, LegalBasis: x.LegalBasis,
			EffectiveDate: revocations.ChinaDate(effective)})
		if err == nil {
			id = rv.ID
		}
		return err
	})
	t = r.add(r.workingDays(asked, x.DecideAfter, 15, 40), t, "approval of the revocation of "+x.DatasetID, func(ctx context.Context) error {
		_, err := r.rev.Decide(ctx, decider, id, revocations.DecisionInput{Decision: revocations.DecisionApprove, Reason: x.Decision})
		return err
	})
	// The effective-date job runs every minute.
	r.add(effective.Add(time.Minute), t, "withdrawal of "+x.DatasetID, func(ctx context.Context) error {
		_, err := r.rev.ApplyDue(ctx)
		return err
	})
	r.revoked = append(r.revoked, x.DatasetID)
	return nil
}

// correction: a signed-in user reports, the providing department answers.
func (r *demoReplay) correction(x seed.DemoCorrection) {
	var id uint64
	reported := r.daysAgo(x.DaysAgo, 9, 35)
	t := r.add(reported, time.Time{}, "correction of "+x.DatasetID, func(ctx context.Context) error {
		c, err := r.cor.Create(ctx, r.who.users[x.Reporter], "", corrections.ReportInput{DatasetID: x.DatasetID, DataItem: x.DataItem,
			RowKey: x.RowKey, Description: x.Description, ProposedValue: x.ProposedValue, AboutSelf: x.AboutSelf})
		if err == nil {
			id = c.ID
		}
		return err
	})
	r.add(r.workingDays(reported, x.AnswerAfter, 14, 25), t, "answer to the correction of "+x.DatasetID, func(ctx context.Context) error {
		var ds catalog.Dataset
		if err := r.a.DB.WithContext(ctx).Select("department_id").Where("id = ?", x.DatasetID).Take(&ds).Error; err != nil {
			return err
		}
		p, err := r.provider(ds.DepartmentID)
		if err != nil {
			return err
		}
		_, err = r.cor.Answer(ctx, p, "", id, corrections.AnswerInput{Outcome: corrections.Outcome(x.Outcome), Explanation: x.Explanation})
		return err
	})
}

// request: a signed-in user asks a department; another supports it; the
// department refuses, or accepts and publishes the entry that answers it
// (its publication date is the request's fulfilment, seed.DemoAt).
func (r *demoReplay) request(ctx context.Context, x seed.DemoRequest) error {
	p, err := r.provider(x.DepartmentID)
	if err != nil {
		return err
	}
	var asked, answered, fulfilled time.Time
	if x.FulfilledBy != "" {
		var ds catalog.Dataset
		if err := r.a.DB.WithContext(ctx).Select("published_at").Where("id = ?", x.FulfilledBy).Take(&ds).Error; err != nil || ds.PublishedAt == nil {
			return fmt.Errorf("demo request answered by %s: %v", x.FulfilledBy, err)
		}
		fulfilled = ds.PublishedAt.Add(10 * time.Minute)
		answered = r.workingDays(*ds.PublishedAt, -x.AnswerAfter, 15, 10)
		asked = r.workingDays(answered, -1, 9, 50)
	} else {
		asked = r.daysAgo(x.DaysAgo, 9, 50)
		answered = r.workingDays(asked, x.AnswerAfter, 16, 5)
	}
	var id uint64
	t := r.add(asked, time.Time{}, "data request "+x.Title, func(ctx context.Context) error {
		q, err := r.req.Create(ctx, r.who.users[x.Requester], "", requests.Input{Title: x.Title, Description: x.Description,
			IntendedUse: x.IntendedUse, DepartmentID: x.DepartmentID})
		if err == nil {
			id = q.ID
		}
		return err
	})
	if x.Supporter != "" {
		t = r.add(asked.Add(2*time.Hour), t, "support of "+x.Title, func(ctx context.Context) error {
			_, err := r.req.Support(ctx, r.who.users[x.Supporter], id, true)
			return err
		})
	}
	t = r.add(answered, t, "answer to "+x.Title, func(ctx context.Context) error {
		_, err := r.req.Answer(ctx, p, "", id, requests.Answer{Decision: x.Decision, Reason: x.Reason})
		return err
	})
	if x.FulfilledBy != "" {
		r.add(fulfilled, t, "fulfilment of "+x.Title, func(ctx context.Context) error {
			_, err := r.req.Fulfil(ctx, p, "", id, requests.Fulfil{DatasetID: x.FulfilledBy})
			return err
		})
	}
	return nil
}
