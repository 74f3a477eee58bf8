package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"gorm.io/gorm"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/accounts"
	"github.com/hlj-opendata/portal/server/app"
	"github.com/hlj-opendata/portal/server/apperr"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/mail"
	"github.com/hlj-opendata/portal/server/store"
)

// stdin is where --password-stdin reads (tests replace it).
var stdin io.Reader = os.Stdin

const userUsage = `Usage: portal user COMMAND [flags]

Manage accounts from the command line. Outside demo mode there are no
default passwords: create the first administrator here.

Commands:
  create        create a staff account (provider, authority, province, admin)
  list          list accounts
  set-roles     replace an account's roles, department or region
  set-password  set a new password (prints a generated one) and end its sessions

Roles: ` + "citizen, organisation, provider (needs --department), authority (needs --region or a --department in it), province, admin" + `

Examples:
  portal user create --email admin@example.gov.cn --name 管理员 --role admin
  portal user create --email li@example.gov.cn --name 李四 --role provider --department hlj-scjgj
  echo "$PASSWORD" | portal user set-password --email li@example.gov.cn --password-stdin

Run 'portal user COMMAND --help' for a command's flags.
`

func cmdUser(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, userUsage)
		return exitUsage
	}
	sub := map[string]func([]string, io.Writer, io.Writer) int{
		"create": userCreate, "list": userList, "set-roles": userSetRoles, "set-password": userSetPassword,
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, userUsage)
		return exitOK
	}
	run, ok := sub[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "portal user: unknown command %q\n\n%s", args[0], userUsage)
		return exitUsage
	}
	return run(args[1:], stdout, stderr)
}

// roleFlag collects --role, repeated or comma-separated.
type roleFlag []string

func (r *roleFlag) String() string { return strings.Join(*r, ",") }
func (r *roleFlag) Set(v string) error {
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			*r = append(*r, x)
		}
	}
	return nil
}

// openAccounts opens the database and the account service only: user
// commands must work while the portal runs, without touching its search
// index. Role changes reach running replicas through policy_version.
func openAccounts(stderr io.Writer) (*accounts.Service, func(), int) {
	cfg, ok := loadConfig(stderr)
	if !ok {
		return nil, nil, exitUsage
	}
	log := newLogger(cfg, stderr)
	db, err := store.Open(cfg, nil)
	if err != nil {
		fmt.Fprintf(stderr, "portal user: %v\n", err)
		return nil, nil, exitFail
	}
	fail := func(err error) (*accounts.Service, func(), int) {
		store.Close(db)
		fmt.Fprintf(stderr, "portal user: %v\n", err)
		return nil, nil, exitFail
	}
	if err := store.Migrate(db, app.Migrations()); err != nil {
		return fail(fmt.Errorf("migrate: %w", err))
	}
	en, err := authz.NewEnforcer(context.Background(), db, log, seed.DefaultPolicy)
	if err != nil {
		return fail(err)
	}
	sender, err := mail.New(cfg.SMTPURL, log)
	if err != nil {
		return fail(err)
	}
	svc := &accounts.Service{DB: db, Policy: en, Mail: sender, Log: log, Now: time.Now, BaseURL: cfg.BaseURL, Limits: accounts.DefaultLimits()}
	return svc, func() { store.Close(db) }, exitOK
}

// readPassword reads one line from stdin.
func readPassword() (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("no password on standard input")
	}
	return pw, nil
}

// printErr shows a classified error with its per-field messages.
func printErr(w io.Writer, cmd string, err error) int {
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Code != apperr.Internal {
		fmt.Fprintf(w, "portal %s: %s\n", cmd, ae.Message)
		keys := make([]string, 0, len(ae.Fields))
		for k := range ae.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  %s: %s\n", k, ae.Fields[k])
		}
		return exitFail
	}
	fmt.Fprintf(w, "portal %s: %v\n", cmd, err)
	return exitFail
}

func userCreate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("user create", "Create a staff account. Without --password-stdin a strong password is generated and printed once.", stdout)
	email := fs.String("email", "", "e-mail address (the sign-in name)")
	name := fs.String("name", "", "display name")
	var roles roleFlag
	fs.Var(&roles, "role", "role, repeatable or comma-separated: provider, authority, province, admin")
	dept := fs.String("department", "", "department id (providers; an authority oversees its region)")
	region := fs.String("region", "", "region an authority oversees, e.g. 黑龙江省")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	if *email == "" || *name == "" || len(roles) == 0 {
		fmt.Fprintln(stderr, "portal user create: --email, --name and --role are required")
		return exitUsage
	}
	pw := ""
	if *pwStdin {
		var err error
		if pw, err = readPassword(); err != nil {
			fmt.Fprintf(stderr, "portal user create: %v\n", err)
			return exitUsage
		}
	}
	svc, done, code := openAccounts(stderr)
	if svc == nil {
		return code
	}
	defer done()
	d, generated, err := svc.CreateStaff(context.Background(), nil, accounts.StaffInput{Email: *email, Name: *name, Password: pw, Roles: roles, DepartmentID: *dept, Region: *region}, accounts.Meta{})
	if err != nil {
		return printErr(stderr, "user create", err)
	}
	fmt.Fprintf(stdout, "created user %d %s: %s\n", d.ID, d.Email, describeRoles(d.Assignments))
	if generated != "" {
		fmt.Fprintf(stdout, "password (shown once): %s\n", generated)
	}
	return exitOK
}

func describeRoles(as []authz.Assignment) string {
	if len(as) == 0 {
		return "no roles"
	}
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.Role
		if a.Domain != authz.Global {
			parts[i] += " in " + a.Domain
		}
	}
	return strings.Join(parts, ", ")
}

func userList(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("user list", "List accounts, newest first.", stdout)
	role := fs.String("role", "", "only accounts holding this role")
	q := fs.String("q", "", "part of the e-mail address or name")
	limit := fs.Int("limit", 100, "at most this many (1 to 1000)")
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	if *limit < 1 || *limit > 1000 {
		fmt.Fprintln(stderr, "portal user list: --limit must be from 1 to 1000")
		return exitUsage
	}
	svc, done, code := openAccounts(stderr)
	if svc == nil {
		return code
	}
	defer done()
	users, total, err := svc.Users(context.Background(), accounts.UserQuery{Q: *q, Role: *role, Page: 1, PageSize: *limit})
	if err != nil {
		return printErr(stderr, "user list", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tKIND\tROLES\tDEPARTMENT\tSTATUS")
	for _, u := range users {
		dept, status := "-", "active"
		if u.DepartmentID != nil {
			dept = *u.DepartmentID
		}
		if u.Disabled() {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, u.Kind, strings.Join(u.Roles(), ","), dept, status)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d of %d accounts\n", len(users), total)
	return exitOK
}

func findUser(svc *accounts.Service, email string) (*accounts.User, error) {
	var u accounts.User
	err := svc.DB.Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.New(apperr.NotFound, "no account with e-mail %s", email)
	}
	return &u, err
}

func userSetRoles(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("user set-roles", "Replace an account's roles (and department or region). Running portals apply it within seconds.", stdout)
	email := fs.String("email", "", "the account's e-mail address")
	var roles roleFlag
	fs.Var(&roles, "role", "role, repeatable or comma-separated; the account's roles become exactly these")
	dept := fs.String("department", "", "department id (\"-\" clears it)")
	region := fs.String("region", "", "region an authority oversees")
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	if *email == "" || len(roles) == 0 {
		fmt.Fprintln(stderr, "portal user set-roles: --email and --role are required")
		return exitUsage
	}
	svc, done, code := openAccounts(stderr)
	if svc == nil {
		return code
	}
	defer done()
	u, err := findUser(svc, *email)
	if err != nil {
		return printErr(stderr, "user set-roles", err)
	}
	ch := accounts.RoleChange{Roles: (*[]string)(&roles)}
	if *dept != "" {
		d := *dept
		if d == "-" {
			d = ""
		}
		ch.DepartmentID = &d
	}
	if *region != "" {
		ch.Region = region
	}
	d, err := svc.UpdateUser(context.Background(), nil, u.ID, ch, accounts.Meta{})
	if err != nil {
		return printErr(stderr, "user set-roles", err)
	}
	fmt.Fprintf(stdout, "user %d %s: %s\n", d.ID, d.Email, describeRoles(d.Assignments))
	return exitOK
}

func userSetPassword(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("user set-password", "Set a new password for an account and end its sessions. Without --password-stdin one is generated and printed once.", stdout)
	email := fs.String("email", "", "the account's e-mail address")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if code, done := parseFlags(fs, args, stderr); done {
		return code
	}
	if *email == "" {
		fmt.Fprintln(stderr, "portal user set-password: --email is required")
		return exitUsage
	}
	pw := ""
	if *pwStdin {
		var err error
		if pw, err = readPassword(); err != nil {
			fmt.Fprintf(stderr, "portal user set-password: %v\n", err)
			return exitUsage
		}
	}
	svc, done, code := openAccounts(stderr)
	if svc == nil {
		return code
	}
	defer done()
	generated, err := svc.SetPassword(context.Background(), *email, pw)
	if err != nil {
		return printErr(stderr, "user set-password", err)
	}
	fmt.Fprintf(stdout, "password of %s changed; its sessions ended\n", *email)
	if generated != "" {
		fmt.Fprintf(stdout, "password (shown once): %s\n", generated)
	}
	return exitOK
}
