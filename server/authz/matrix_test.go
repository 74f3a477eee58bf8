package authz_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hlj-opendata/portal/seed"
	"github.com/hlj-opendata/portal/server/applications"
	"github.com/hlj-opendata/portal/server/apptest"
	"github.com/hlj-opendata/portal/server/authz"
	"github.com/hlj-opendata/portal/server/changes"
	"github.com/hlj-opendata/portal/server/notify"
	"github.com/hlj-opendata/portal/server/revocations"
)

// Who may call what. Every route of the application must be listed here:
// a route added without an entry fails TestAuthorizationMatrix, so a new
// route never ships with an unreviewed rule.
const anon = "anonymous"

var (
	staffRoles = []string{"provider", "provider2", "authority", "province", "admin"}
	publicKind = []string{"citizen", "organisation"}
	signedIn   = append(append([]string{}, publicKind...), staffRoles...)
	everyone   = append([]string{anon}, signedIn...)
)

func only(roles ...string) []string { return roles }

// expectation is one row of the matrix.
type expectation struct {
	perm authz.Permission
	who  []string // roles that pass the guard; the others get 401 (anonymous) or 403
	id   string   // fixture substituted for :id: an object the callers must not see
	// want, when set, is the exact status the allowed roles get (e.g. 404
	// for an object hidden from them); otherwise anything but 401/403.
	want int
}

// Fixture names resolved in the test.
const (
	hiddenDataset  = "{hidden dataset}"
	hiddenResource = "{hidden resource}"
	othersToken    = "{someone else's token}"
	othersNotice   = "{someone else's notice}"
	anyUser        = "{a user}"
	anyDepartment  = "{a department}"
	aTopic         = "{a topic}"
	// An outsider's application and grant on data of a department (哈尔滨市
	// 市场监督管理局) that no test role oversees: hidden from everyone.
	othersApplication = "{someone else's application}"
	othersGrant       = "{someone else's grant}"
	// A catalog entry and resource of that department: no test provider's,
	// outside the test authority's region.
	othersEntry    = "{another department's entry}"
	othersResource = "{another department's resource}"
	// An outsider's correction report and data request about that
	// department: no test role handles or oversees them.
	othersCorrection = "{someone else's correction}"
	othersRequest    = "{someone else's data request}"
	// A revocation, announcement and filing of that department (region
	// 哈尔滨市): no test role's department or region.
	othersRevocation = "{another region's revocation}"
	othersAnnounce   = "{another region's announcement}"
	aFiling          = "{a filing}"
)

// An outsider's app (数据接口): hidden from every other caller.
const othersApp = "{someone else's app}"

// A catalog change notice of that department (哈尔滨市): no test role's.
const othersChange = "{another department's change notice}"

var matrix = map[string]expectation{
	// Corrections (000 Art 24): anyone reports and tracks by code; the
	// handling department answers (and alone sees the reporter); the
	// profile's approver decides extensions (corrections:extend: the
	// same-level authority, or provider_head, which has no demo account;
	// the service refuses the one the profile does not name). Data requests (000 Art 29):
	// public list, citizens and organisations ask and support, the
	// authority routes, the department answers. Statistics are public.
	"POST /api/v1/corrections":                          {perm: authz.CorrectionsSubmit, who: everyone, want: 400},
	"GET /api/v1/corrections":                           {perm: authz.Me, who: signedIn, want: 200},
	"GET /api/v1/corrections/summary":                   {perm: authz.Public, who: everyone, want: 200},
	"GET /api/v1/corrections/track/:code":               {perm: authz.TrackByCode, who: everyone, want: 404},
	"POST /api/v1/corrections/track/:code/evidence":     {perm: authz.CorrectionsSubmit, who: everyone, want: 404},
	"GET /api/v1/corrections/track/:code/evidence/:eid": {perm: authz.TrackByCode, who: everyone, want: 404},
	"GET /api/v1/corrections/:id":                       {perm: authz.Me, who: signedIn, id: othersCorrection, want: 404},
	"POST /api/v1/corrections/:id/answer":               {perm: authz.CorrectionsAnswer, who: only("provider", "provider2"), id: othersCorrection, want: 404},
	"POST /api/v1/corrections/:id/evidence":             {perm: authz.CorrectionsAnswer, who: only("provider", "provider2"), id: othersCorrection, want: 404},
	"GET /api/v1/corrections/:id/evidence/:eid":         {perm: authz.Me, who: signedIn, id: othersCorrection, want: 404},
	"POST /api/v1/corrections/:id/extension":            {perm: authz.CorrectionsAnswer, who: only("provider", "provider2"), id: othersCorrection, want: 404},
	"POST /api/v1/corrections/:id/extension/decision":   {perm: authz.CorrectionsExtend, who: only("authority"), id: othersCorrection, want: 404},
	"POST /api/v1/requests":                             {perm: authz.RequestsCreate, who: publicKind, want: 400},
	"GET /api/v1/requests":                              {perm: authz.Public, who: everyone, want: 200},
	"GET /api/v1/requests/queue":                        {perm: authz.Me, who: signedIn, want: 200},
	"GET /api/v1/requests/:id":                          {perm: authz.Public, who: everyone, id: othersRequest, want: 200},
	"POST /api/v1/requests/:id/support":                 {perm: authz.RequestsCreate, who: publicKind, id: othersRequest, want: 200},
	"DELETE /api/v1/requests/:id/support":               {perm: authz.RequestsCreate, who: publicKind, id: othersRequest, want: 200},
	"POST /api/v1/requests/:id/route":                   {perm: authz.RequestsRoute, who: only("authority"), id: othersRequest, want: 400},
	"POST /api/v1/requests/:id/answer":                  {perm: authz.RequestsAnswer, who: only("provider", "provider2"), id: othersRequest, want: 404},
	"POST /api/v1/requests/:id/fulfil":                  {perm: authz.RequestsAnswer, who: only("provider", "provider2"), id: othersRequest, want: 404},
	"GET /api/v1/stats/departments":                     {perm: authz.Public, who: everyone, want: 200},

	// Public pages, rendered on the server (server/site): everyone reads
	// them; an entry hidden from the public is a 404 page for everyone.
	"GET /":                  {perm: authz.Public, who: everyone, want: 200},
	"GET /datasets":          {perm: authz.Public, who: everyone, want: 200},
	"GET /datasets/:id":      {perm: authz.Public, who: everyone, id: hiddenDataset, want: 404},
	"GET /announcements":     {perm: authz.Public, who: everyone, want: 200},
	"GET /announcements/:id": {perm: authz.Public, who: everyone, id: othersAnnounce, want: 200},
	"GET /requests":          {perm: authz.Public, who: everyone, want: 200},
	"GET /stats":             {perm: authz.Public, who: everyone, want: 200},
	"GET /departments":       {perm: authz.Public, who: everyone, want: 200},
	"GET /departments/:id":   {perm: authz.Public, who: everyone, id: anyDepartment, want: 200},
	"GET /topics":            {perm: authz.Public, who: everyone, want: 200},
	"GET /topics/:id":        {perm: authz.Public, who: everyone, id: aTopic, want: 200},
	"GET /sitemap.xml":       {perm: authz.Public, who: everyone, want: 200},
	"GET /sitemaps/:file":    {perm: authz.Public, who: everyone, want: 404}, // ":file" names no sitemap
	"GET /robots.txt":        {perm: authz.Public, who: everyone, want: 200},

	"GET /healthz": {perm: authz.Public, who: everyone},
	"GET /readyz":  {perm: authz.Public, who: everyone},
	// Holiday calendars: public reading; the administrator uploads an
	// official year (":year" is left in the path: 400, nothing stored).
	"GET /api/v1/calendar/:year":         {perm: authz.Public, who: everyone, want: 400},
	"POST /api/v1/admin/calendars/:year": {perm: authz.ConfigAdmin, who: only("admin"), want: 400},
	// On the public port /metrics needs PORTAL_METRICS_TOKEN as a bearer
	// token (server/metrics), a check of its own: without it, 404 for all.
	"GET /metrics":                       {perm: authz.Public, who: everyone, want: 404},
	"GET /api/docs/swagger.json":         {perm: authz.Public, who: everyone},
	"GET /api/docs/swagger.yaml":         {perm: authz.Public, who: everyone},
	"GET /api/docs/openapi.json":         {perm: authz.Public, who: everyone},
	"GET /api/docs/openapi.yaml":         {perm: authz.Public, who: everyone},
	"GET /api/v1/site":                   {perm: authz.Public, who: everyone},
	"GET /api/v1/catalog/summary":        {perm: authz.Public, who: everyone},
	"GET /api/v1/datasets":               {perm: authz.Public, who: everyone},
	"GET /api/v1/datasets/:id":           {perm: authz.Public, who: everyone, id: hiddenDataset, want: 404},
	"GET /api/v1/departments":            {perm: authz.Public, who: everyone},
	"GET /api/v1/topics":                 {perm: authz.Public, who: everyone},
	"GET /api/v1/resources/:id/download": {perm: authz.Public, who: everyone, id: hiddenResource, want: 404},
	// Developer API: rows like downloads (conditional data is checked
	// against the caller's grant in devapi); CKAN Action API (":action"
	// stays literal here: an unknown action, 400) and DCAT are public.
	"HEAD /api/v1/resources/:id/download": {perm: authz.Public, who: everyone, id: hiddenResource, want: 404},
	"GET /api/v1/resources/:id/rows":      {perm: authz.Public, who: everyone, id: hiddenResource, want: 404},
	"GET /api/v1/resources/:id/preview":   {perm: authz.Public, who: everyone, id: hiddenResource, want: 404},
	"POST /mcp":                           {perm: authz.Public, who: everyone},
	"POST /api/v1/mcp":                    {perm: authz.Public, who: everyone},
	"GET /api/v1/resources/:id/profile":   {perm: authz.Public, who: everyone, id: hiddenResource, want: 404},
	"GET /api/v1/datasets/:id/quality":    {perm: authz.Public, who: everyone, id: hiddenDataset, want: 404},
	"GET /api/v1/quality/departments":     {perm: authz.Public, who: everyone},
	"GET /api/3/action/:action":           {perm: authz.Public, who: everyone, want: 400},
	"POST /api/3/action/:action":          {perm: authz.Public, who: everyone, want: 400},
	"GET /api/action/:action":             {perm: authz.Public, who: everyone, want: 400},
	"POST /api/action/:action":            {perm: authz.Public, who: everyone, want: 400},
	"GET /api/util/status":                {perm: authz.Public, who: everyone, want: 200},
	"GET /api/3":                          {perm: authz.Public, who: everyone, want: 200},
	"GET /catalog.jsonld":                 {perm: authz.Public, who: everyone, want: 200},
	"GET /catalog.ttl":                    {perm: authz.Public, who: everyone, want: 200},
	"GET /catalog.rdf":                    {perm: authz.Public, who: everyone, want: 200},
	"GET /catalog.xml":                    {perm: authz.Public, who: everyone, want: 200},
	"GET /catalog.n3":                     {perm: authz.Public, who: everyone, want: 200},
	"GET /dataset/:file":                  {perm: authz.Public, who: everyone, want: 404},
	"GET /ns/portal":                      {perm: authz.Public, who: everyone, want: 200},

	"POST /api/v1/auth/register":               {perm: authz.Public, who: everyone, want: 400},
	"POST /api/v1/auth/login":                  {perm: authz.Public, who: everyone, want: 401},
	"POST /api/v1/auth/password-reset":         {perm: authz.Public, who: everyone, want: 400},
	"POST /api/v1/auth/password-reset/confirm": {perm: authz.Public, who: everyone, want: 400},
	"POST /api/v1/auth/verify-email":           {perm: authz.Public, who: everyone, want: 400},
	"POST /api/v1/auth/logout":                 {perm: authz.Me, who: signedIn, want: 204},
	"GET /api/v1/auth/csrf":                    {perm: authz.Me, who: signedIn},

	"GET /api/v1/me":                         {perm: authz.Me, who: signedIn, want: 200},
	"PATCH /api/v1/me":                       {perm: authz.Me, who: signedIn, want: 200},
	"POST /api/v1/me/password":               {perm: authz.Me, who: signedIn, want: 400},
	"POST /api/v1/me/verify-email":           {perm: authz.Me, who: signedIn, want: 409},
	"GET /api/v1/me/notifications":           {perm: authz.Me, who: signedIn, want: 200},
	"POST /api/v1/me/notifications/:id/read": {perm: authz.Me, who: signedIn, id: othersNotice, want: 404},
	"POST /api/v1/me/notifications/read-all": {perm: authz.Me, who: signedIn},
	"GET /api/v1/me/tokens":                  {perm: authz.TokensManage, who: publicKind, want: 200},
	"POST /api/v1/me/tokens":                 {perm: authz.TokensManage, who: publicKind, want: 400},
	"DELETE /api/v1/me/tokens/:id":           {perm: authz.TokensManage, who: publicKind, id: othersToken, want: 404},
	// Apps (数据接口, server/apps): like tokens; an id no caller owns is 404.
	// The authority's console is authz.Me with the service admitting the authority.
	"GET /api/v1/me/apps":                  {perm: authz.TokensManage, who: publicKind, want: 200},
	"POST /api/v1/me/apps":                 {perm: authz.TokensManage, who: publicKind, want: 400},
	"GET /api/v1/me/apps/:id":              {perm: authz.TokensManage, who: publicKind, id: othersApp, want: 404},
	"PATCH /api/v1/me/apps/:id":            {perm: authz.TokensManage, who: publicKind, id: othersApp, want: 404},
	"POST /api/v1/me/apps/:id/secret":      {perm: authz.TokensManage, who: publicKind, id: othersApp, want: 404},
	"DELETE /api/v1/me/apps/:id":           {perm: authz.TokensManage, who: publicKind, id: othersApp, want: 404},
	"GET /api/v1/me/apps/:id/usage":        {perm: authz.TokensManage, who: publicKind, id: othersApp, want: 404},
	"GET /api/v1/admin/apps":               {perm: authz.Me, who: only("authority"), want: 200},
	"PATCH /api/v1/admin/apps/:id":         {perm: authz.Me, who: only("authority"), id: othersApp, want: 200},
	"GET /api/v1/admin/apps/:id/usage":     {perm: authz.Me, who: only("authority"), id: othersApp, want: 200},
	"GET /api/v1/me/organisation/members":  {perm: authz.OrganisationMembers, who: only("organisation"), want: 200},
	"POST /api/v1/me/organisation/members": {perm: authz.OrganisationMembers, who: only("organisation"), want: 400},

	"GET /api/v1/admin/users":             {perm: authz.UsersAdmin, who: only("admin"), want: 200},
	"POST /api/v1/admin/users":            {perm: authz.UsersAdmin, who: only("admin"), want: 400},
	"GET /api/v1/admin/users/:id":         {perm: authz.UsersAdmin, who: only("admin"), id: anyUser, want: 200},
	"PATCH /api/v1/admin/users/:id":       {perm: authz.UsersAdmin, who: only("admin"), id: anyUser, want: 200},
	"GET /api/v1/admin/roles":             {perm: authz.UsersAdmin, who: only("admin"), want: 200},
	"GET /api/v1/admin/departments":       {perm: authz.DepartmentsAdmin, who: only("admin"), want: 200},
	"POST /api/v1/admin/departments":      {perm: authz.DepartmentsAdmin, who: only("admin"), want: 400},
	"PATCH /api/v1/admin/departments/:id": {perm: authz.DepartmentsAdmin, who: only("admin"), id: anyDepartment, want: 200},
	"GET /api/v1/admin/audit":             {perm: authz.AuditRead, who: only("admin"), want: 200},

	// Conditional-open applications (000 Art 34): only the applicant, the
	// provider department and its same-level authority read one; others 404.
	"POST /api/v1/applications":               {perm: authz.ApplicationsCreate, who: publicKind, want: 400},
	"GET /api/v1/applications":                {perm: authz.Me, who: signedIn, want: 200},
	"GET /api/v1/applications/form":           {perm: authz.ApplicationsCreate, who: publicKind, want: 400},
	"GET /api/v1/applications/overdue":        {perm: authz.DeadlinesRead, who: only("provider", "provider2", "authority", "province"), want: 200},
	"GET /api/v1/applications/stats":          {perm: authz.Public, who: everyone, want: 200},
	"GET /api/v1/applications/:id":            {perm: authz.Me, who: signedIn, id: othersApplication, want: 404},
	"POST /api/v1/applications/:id/decision":  {perm: authz.ApplicationsReview, who: only("provider", "provider2"), id: othersApplication, want: 404},
	"POST /api/v1/applications/:id/resubmit":  {perm: authz.ApplicationsCreate, who: publicKind, id: othersApplication, want: 404},
	"POST /api/v1/applications/:id/withdraw":  {perm: authz.ApplicationsCreate, who: publicKind, id: othersApplication, want: 404},
	"PUT /api/v1/applications/:id/commitment": {perm: authz.ApplicationsCreate, who: publicKind, id: othersApplication, want: 404},
	"GET /api/v1/applications/:id/commitment": {perm: authz.Me, who: signedIn, id: othersApplication, want: 404},
	"GET /api/v1/grants":                      {perm: authz.Me, who: signedIn, want: 200},
	"GET /api/v1/grants/:id":                  {perm: authz.Me, who: signedIn, id: othersGrant, want: 404},
	"POST /api/v1/grants/:id/suspend":         {perm: authz.GrantsManage, who: only("provider", "provider2", "authority"), id: othersGrant, want: 404},
	"POST /api/v1/grants/:id/reinstate":       {perm: authz.GrantsManage, who: only("provider", "provider2", "authority"), id: othersGrant, want: 404},
	"GET /api/v1/use-records":                 {perm: authz.Me, who: signedIn, want: 200},

	// Publishing (000 Art 12): providers manage their own department's
	// entries, the same-level authority reviews them; the console routes
	// under Me answer 403 to everyone else; another department's entry 404.
	"GET /api/v1/manage/datasets":                    {perm: authz.Me, who: only("provider", "provider2", "authority"), want: 200},
	"POST /api/v1/manage/datasets":                   {perm: authz.DatasetsManage, who: only("provider", "provider2"), want: 400},
	"GET /api/v1/manage/datasets/:id":                {perm: authz.Me, who: only("provider", "provider2", "authority"), id: othersEntry, want: 404},
	"PATCH /api/v1/manage/datasets/:id":              {perm: authz.DatasetsManage, who: only("provider", "provider2"), id: othersEntry, want: 404},
	"POST /api/v1/manage/datasets/:id/resources":     {perm: authz.DatasetsManage, who: only("provider", "provider2"), id: othersEntry, want: 404},
	"POST /api/v1/manage/datasets/:id/submit":        {perm: authz.DatasetsManage, who: only("provider", "provider2"), id: othersEntry, want: 404},
	"POST /api/v1/manage/datasets/:id/review":        {perm: authz.DatasetsReview, who: only("authority"), id: othersEntry, want: 404},
	"DELETE /api/v1/manage/resources/:id":            {perm: authz.DatasetsManage, who: only("provider", "provider2"), id: othersResource, want: 404},
	"GET /api/v1/manage/resources/:id/download":      {perm: authz.Me, who: only("provider", "provider2", "authority"), id: othersResource, want: 404},
	"GET /api/v1/manage/resources/:id/profile":       {perm: authz.Me, who: only("provider", "provider2", "authority"), id: othersResource, want: 404},
	"GET /api/v1/manage/quality/fix-first":           {perm: authz.Me, who: only("provider", "provider2", "authority", "admin")},
	"POST /api/v1/manage/datasets/:id/propose-items": {perm: authz.DatasetsManage, who: only("provider", "provider2"), id: othersEntry, want: 404},
	"GET /api/v1/manage/import/template":             {perm: authz.DatasetsManage, who: only("provider", "provider2"), want: 200},
	"POST /api/v1/manage/import":                     {perm: authz.DatasetsManage, who: only("provider", "provider2"), want: 400},
	"GET /api/v1/datasets/:id/history":               {perm: authz.Public, who: everyone, id: hiddenDataset, want: 404},

	// Revocations (000 Art 35): a provider asks for its department's data,
	// the same-level authority decides and corrects announcements, the
	// provincial authority acknowledges filings; announcements are public.
	"POST /api/v1/revocations":                   {perm: authz.RevocationsRequest, who: only("provider", "provider2"), want: 400},
	"GET /api/v1/revocations":                    {perm: authz.RevocationsRead, who: only("provider", "provider2", "authority"), want: 200},
	"POST /api/v1/revocations/:id/decision":      {perm: authz.RevocationsDecide, who: only("authority"), id: othersRevocation, want: 404},
	"GET /api/v1/announcements":                  {perm: authz.Public, who: everyone, want: 200},
	"GET /api/v1/announcements/:id":              {perm: authz.Public, who: everyone, id: othersAnnounce, want: 200},
	"POST /api/v1/announcements/:id/corrections": {perm: authz.RevocationsDecide, who: only("authority"), id: othersAnnounce, want: 404},
	"GET /api/v1/filings":                        {perm: authz.FilingsAcknowledge, who: only("province"), want: 200},
	"POST /api/v1/filings/:id/acknowledge":       {perm: authz.FilingsAcknowledge, who: only("province"), id: aFiling, want: 200},
	"GET /announcements.atom":                    {perm: authz.Public, who: everyone, want: 200},

	// Catalog change notices (000 Art 15): the authority records them for
	// its region's departments, a provider for its own; the department asks
	// for an extension and confirms entries, the authority decides; another
	// department's notice is 404. Their statistics are public.
	"POST /api/v1/catalog-changes":                            {perm: authz.CatalogChanges, who: only("provider", "provider2", "authority"), want: 400},
	"GET /api/v1/catalog-changes":                             {perm: authz.CatalogChanges, who: only("provider", "provider2", "authority"), want: 200},
	"GET /api/v1/catalog-changes/:id":                         {perm: authz.CatalogChanges, who: only("provider", "provider2", "authority"), id: othersChange, want: 404},
	"POST /api/v1/catalog-changes/:id/extension":              {perm: authz.DatasetsManage, who: only("provider", "provider2"), id: othersChange, want: 404},
	"POST /api/v1/catalog-changes/:id/extension/decision":     {perm: authz.DatasetsReview, who: only("authority"), id: othersChange, want: 404},
	"POST /api/v1/catalog-changes/:id/entries/:entry/confirm": {perm: authz.DatasetsManage, who: only("provider", "provider2"), id: othersChange, want: 404},
	"GET /api/v1/stats/catalog-changes":                       {perm: authz.Public, who: everyone, want: 200},
}

// TestAuthorizationMatrix calls every route of the application as every
// role, anonymous included, and compares with the matrix: the guard lets
// exactly the listed roles through (401 for anonymous, 403 for the rest
// otherwise), and objects that are not the caller's look missing (404).
// API tokens stand in for the session of a citizen: same answers.
func TestAuthorizationMatrix(t *testing.T) {
	for _, engine := range apptest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			p := apptest.New(t, apptest.Options{Engine: engine, Seed: "small"})
			ids := fixtures(t, p)

			routes := p.Router.Routes()
			seen := map[string]bool{}
			for _, rt := range routes {
				key := rt.Method + " " + rt.Path
				seen[key] = true
				exp, ok := matrix[key]
				if !ok {
					t.Errorf("route %s (permission %s) has no row in the authorization matrix: add one", key, rt.Permission)
					continue
				}
				if rt.Permission != exp.perm {
					t.Errorf("route %s declares %s, the matrix says %s", key, rt.Permission, exp.perm)
				}
			}
			for key := range matrix {
				if !seen[key] {
					t.Errorf("matrix row %s matches no route: remove it", key)
				}
			}

			sessions := map[string]*apptest.Session{}
			headers := func(role string) map[string]string {
				h := map[string]string{"Content-Type": "application/json"}
				switch role {
				case anon:
					return h
				case "citizen (token)":
					h["Authorization"] = "Bearer " + ids["citizen token"]
					return h
				}
				if sessions[role] == nil {
					sessions[role] = p.SignInAs(t, role)
				}
				return sessions[role].Header("Content-Type", "application/json")
			}
			callers := append(append([]string{}, everyone...), "citizen (token)")
			for _, rt := range routes {
				key := rt.Method + " " + rt.Path
				exp, ok := matrix[key]
				if !ok {
					continue
				}
				path := rt.Path
				if strings.Contains(path, ":id") {
					id, ok := ids[exp.id]
					if !ok {
						t.Errorf("%s: no fixture for :id", key)
						continue
					}
					path = strings.Replace(path, ":id", id, 1)
				}
				for _, role := range callers {
					as := role
					if role == "citizen (token)" {
						as = "citizen"
					}
					var body *strings.Reader
					if rt.Method != http.MethodGet {
						body = strings.NewReader("{}")
					}
					var r *apptest.Response
					if body != nil {
						r = p.Do(t, rt.Method, path, body, headers(role))
					} else {
						r = p.Do(t, rt.Method, path, nil, headers(role))
					}
					if rt.Path == "/api/v1/auth/logout" {
						delete(sessions, role) // signed out: sign in again next time
					}
					allowed := contains(exp.who, as)
					switch {
					case allowed && r.Status >= 500:
						// A server error is never an answer, whatever else the row expects.
						t.Errorf("%s as %s: server error %d: %.200s", key, role, r.Status, r.Body)
					case allowed && exp.want != 0 && r.Status != exp.want:
						t.Errorf("%s as %s: %d, want %d: %.200s", key, role, r.Status, exp.want, r.Body)
					case allowed && (r.Status == 401 || r.Status == 403) && exp.want == 0:
						t.Errorf("%s as %s: %d, want access: %.200s", key, role, r.Status, r.Body)
					case !allowed && role == anon && r.Status != 401:
						t.Errorf("%s as anonymous: %d, want 401", key, r.Status)
					case !allowed && role != anon && r.Status != 403:
						t.Errorf("%s as %s: %d, want 403: %.200s", key, role, r.Status, r.Body)
					}
				}
			}

			// Anything not declared is not there, whatever the method or caller.
			for _, rt := range [][2]string{{"GET", "/api/v1/admin/secrets"}, {"DELETE", "/api/v1/datasets"}, {"PUT", "/api/v1/me"}, {"POST", "/api/v2/anything"}} {
				for _, role := range []string{anon, "admin"} {
					if r := p.Do(t, rt[0], rt[1], strings.NewReader("{}"), headers(role)); r.Status != 404 || r.ErrorCode(t) != "not_found" {
						t.Errorf("undeclared %s %s as %s: %d %s", rt[0], rt[1], role, r.Status, r.Body)
					}
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fixtures creates objects owned by an outsider (a citizen no test role
// signs in as) and finds entries the public must not see.
func fixtures(t *testing.T, p *apptest.Portal) map[string]string {
	t.Helper()
	ids := map[string]string{}
	// Verified: a new account applies and reports only after that.
	outsiderID := p.RegisterVerified(t, map[string]string{"email": "outsider@example.cn", "password": "Outside-the-matrix-1", "name": "局外人", "kind": "citizen"})
	ids[anyUser] = strconv.FormatUint(outsiderID, 10)
	ids[anyDepartment] = seed.DemoProvider2Department
	ids[aTopic] = "transport"

	s := p.SignIn(t, "outsider@example.cn", "Outside-the-matrix-1")
	r := p.PostJSON(t, "/api/v1/me/tokens", map[string]string{"name": "outsider's"}, s.Header())
	if r.Status != 201 {
		t.Fatalf("outsider token: %d %s", r.Status, r.Body)
	}
	ids[othersToken] = strconv.FormatFloat(r.Map(t)["id"].(float64), 'f', 0, 64)
	if r = p.PostJSON(t, "/api/v1/me/apps", map[string]string{"name": "outsider's app"}, s.Header()); r.Status != 201 {
		t.Fatalf("outsider app: %d %s", r.Status, r.Body)
	}
	ids[othersApp] = r.Map(t)["id"].(string)

	// The outsider applies for conditional data of 哈尔滨市市场监督管理局
	// (no test role's department or region) and holds a grant on it.
	var item []string
	p.DB.Table("data_items").Where("dataset_id = ?", "ds-hrb-scjgj-002").Order("position").Limit(1).Pluck("name", &item)
	r = p.PostJSON(t, "/api/v1/applications", map[string]any{"dataset_id": "ds-hrb-scjgj-002", "purpose": "研究", "scenario": "统计分析",
		"basis": "合作协议", "data_items": item, "period_start": time.Now().Format(time.DateOnly), "period_end": time.Now().AddDate(1, 0, 0).Format(time.DateOnly), "security_measures": "加密存储", "contact": "0451-0000"}, s.Header())
	if r.Status != 201 {
		t.Fatalf("outsider application: %d %s", r.Status, r.Body)
	}
	ids[othersApplication] = r.Map(t)["id"].(string)
	g := applications.Grant{ID: "gr_00000000000000aa", ApplicationID: ids[othersApplication], UserID: outsiderID, DatasetID: "ds-hrb-scjgj-002",
		DatasetTitle: "哈尔滨市个体工商户登记信息", DepartmentID: "hrb-scjgj", Region: "哈尔滨市", DataItems: item, Status: applications.GrantActive,
		PeriodStart: time.Now().Add(-time.Hour), PeriodEnd: time.Now().Add(24 * time.Hour), AccessUntil: time.Now().Add(24 * time.Hour)}
	if err := p.DB.Create(&g).Error; err != nil {
		t.Fatal(err)
	}
	ids[othersGrant] = g.ID
	ids[othersEntry] = "ds-hrb-scjgj-002"
	var othersRes []string
	p.DB.Table("resources").Where("dataset_id = ?", ids[othersEntry]).Limit(1).Pluck("id", &othersRes)
	if len(othersRes) == 0 {
		t.Fatalf("%s has no resource", ids[othersEntry])
	}
	ids[othersResource] = othersRes[0]

	// The outsider reports an error in that entry and asks for data
	// (routing left to the authority).
	r = p.PostJSON(t, "/api/v1/corrections", map[string]any{"dataset_id": ids[othersEntry], "description": "矩阵测试：登记信息有误"}, s.Header())
	if r.Status != 201 {
		t.Fatalf("outsider correction: %d %s", r.Status, r.Body)
	}
	ids[othersCorrection] = strconv.FormatFloat(r.Map(t)["id"].(float64), 'f', 0, 64)
	r = p.PostJSON(t, "/api/v1/requests", map[string]any{"title": "矩阵测试数据需求", "description": "矩阵测试用的数据需求", "intended_use": "测试"}, s.Header())
	if r.Status != 201 {
		t.Fatalf("outsider request: %d %s", r.Status, r.Body)
	}
	ids[othersRequest] = strconv.FormatFloat(r.Map(t)["id"].(float64), 'f', 0, 64)

	// A pending revocation, an announcement and a filing of that department.
	now := time.Now().UTC().Truncate(time.Second)
	rv := revocations.Revocation{ID: "rev_00000000000000aa", DatasetID: "ds-hrb-scjgj-002", DatasetTitle: "哈尔滨市个体工商户登记信息", OpenType: "conditional",
		DepartmentID: "hrb-scjgj", DepartmentName: "哈尔滨市市场监督管理局", Region: "哈尔滨市", Reason: "测试", LegalBasis: "测试",
		ProposedDate: now.AddDate(0, 1, 0).Format(time.DateOnly), Status: revocations.Pending, RequestedBy: outsiderID, RequesterName: "局外人", RequestedAt: now}
	an := revocations.Announcement{ID: "ann_00000000000000aa", Number: "黑数开公告〔2000〕第1号", Year: 2000, Seq: 1, Kind: revocations.KindRevocation, Title: "测试公告",
		RevocationID: rv.ID, DatasetID: rv.DatasetID, DatasetTitle: rv.DatasetTitle, DepartmentID: rv.DepartmentID, DepartmentName: rv.DepartmentName,
		Region: rv.Region, Reason: "测试", LegalBasis: "测试", ApprovedAt: now, EffectiveAt: now.AddDate(0, 1, 0), GraceEnd: now.AddDate(0, 7, 0), ExistingUsers: "测试", Body: "测试", PublishedAt: now}
	fl := revocations.Filing{ID: "fil_00000000000000aa", Number: "黑数开备〔2000〕第1号", Year: 2000, Seq: 1, RevocationID: rv.ID, AnnouncementID: an.ID,
		DatasetID: rv.DatasetID, DatasetTitle: rv.DatasetTitle, DepartmentID: rv.DepartmentID, DepartmentName: rv.DepartmentName, Region: rv.Region,
		Reason: "测试", LegalBasis: "测试", ApprovedAt: now, ApproverName: "测试", EffectiveAt: an.EffectiveAt, FiledAt: now}
	for _, row := range []any{&rv, &an, &fl} {
		if err := p.DB.Create(row).Error; err != nil {
			t.Fatal(err)
		}
	}
	ids[othersRevocation], ids[othersAnnounce], ids[aFiling] = rv.ID, an.ID, fl.ID
	chg := changes.Notice{DepartmentID: "hrb-scjgj", Reason: "测试", ChangedOn: "2000-01-01", CreatedRole: "authority", NoticedAt: now, Days: 3, DueAt: now, Round: 1, Status: changes.StatusOpen}
	if err := p.DB.Create(&chg).Error; err != nil {
		t.Fatal(err)
	}
	ids[othersChange] = strconv.FormatUint(chg.ID, 10)

	n := notify.Notice{UserID: outsiderID, Kind: "test", Title: "只给局外人", CreatedAt: time.Now().UTC()}
	if err := p.DB.Create(&n).Error; err != nil {
		t.Fatal(err)
	}
	ids[othersNotice] = strconv.FormatUint(n.ID, 10)

	c := p.SignInAs(t, "citizen")
	r = p.PostJSON(t, "/api/v1/me/tokens", map[string]string{"name": "matrix"}, c.Header())
	if r.Status != 201 {
		t.Fatalf("citizen token: %d %s", r.Status, r.Body)
	}
	ids["citizen token"] = r.Map(t)["token"].(string)

	// A catalog entry the public never sees (not open, or not published).
	var ds []string
	p.DB.Table("datasets").Where("open_type = ? OR status <> ?", "not_open", "published").Order("id").Limit(1).Pluck("id", &ds)
	if len(ds) == 0 {
		p.DB.Table("datasets").Order("id").Limit(1).Pluck("id", &ds)
		if err := p.DB.Table("datasets").Where("id = ?", ds[0]).Update("open_type", "not_open").Error; err != nil {
			t.Fatal(err)
		}
	}
	ids[hiddenDataset] = ds[0]
	var res []string
	p.DB.Table("resources").Where("dataset_id = ?", ds[0]).Limit(1).Pluck("id", &res)
	if len(res) == 0 {
		t.Fatalf("hidden dataset %s has no resource", ds[0])
	}
	ids[hiddenResource] = res[0]
	return ids
}
