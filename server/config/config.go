// Package config reads the portal's configuration from environment
// variables. A bad value stops start-up with a message naming the variable.
package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Driver is the database engine behind a DSN.
type Driver string

const (
	SQLite Driver = "sqlite"
	MySQL  Driver = "mysql"
)

// Config is the whole runtime configuration.
type Config struct {
	Addr            string // PORTAL_ADDR
	DataDir         string // PORTAL_DATA_DIR
	DBDSN           string // PORTAL_DB_DSN as given
	DBDriver        Driver
	DBConn          string        // driver-level DSN derived from DBDSN
	Seed            string        // demo | none
	MeiliURL        string        // PORTAL_MEILI_URL
	MeiliKey        string        // PORTAL_MEILI_KEY
	MeiliIndex      string        // PORTAL_MEILI_INDEX
	Profile         string        // PORTAL_POLICY_PROFILE
	CalendarDir     string        // PORTAL_CALENDAR_DIR: operator calendar files
	BaseURL         string        // PORTAL_BASE_URL: public URL used in feeds and exports
	LogLevel        string        // PORTAL_LOG_LEVEL
	MaxUploadBytes  int64         // PORTAL_MAX_UPLOAD_MB
	ShutdownTimeout time.Duration // PORTAL_SHUTDOWN_TIMEOUT
	// Sign-in limits (000 Art 38: access control; docs/authentication.md):
	// failures per account and client address before each next attempt
	// from there waits 1 s, 2 s, 4 s … up to 15 min.
	LoginMaxFailures int           // PORTAL_LOGIN_MAX_FAILURES
	SessionIdle      time.Duration // PORTAL_SESSION_IDLE
	SessionMax       time.Duration // PORTAL_SESSION_MAX
	DemoPassword     string        // PORTAL_DEMO_PASSWORD
	SMTPURL          string        // PORTAL_SMTP_URL
	RateAnon         int           // PORTAL_RATE_ANON: developer-API requests a minute per anonymous address
	RateToken        int           // PORTAL_RATE_TOKEN: developer-API requests a minute per API token or account
	// Apps (数据接口, docs/app-keys.md): default quotas per family as
	// [per minute, per day] (PORTAL_APP_QUOTA_DOWNLOADS="60/5000", …_ROWS,
	// …_CKAN, …_SEARCH; 0 = no limit) and the key that encrypts app secrets
	// (PORTAL_APP_SECRET_KEY, 32 bytes as hex or base64; empty = generated
	// into the data folder, single replica only).
	AppQuotas    map[string][2]int
	AppSecretKey string
	// Self-registration: accepted sign-ups an hour per client address and
	// in all (0 = no limit); HashConcurrency: password hashes at once
	// (0 = half the CPUs, at least 1).
	RegisterPerIP   int // PORTAL_REGISTER_PER_IP
	RegisterPerHour int // PORTAL_REGISTER_PER_HOUR
	HashConcurrency int // PORTAL_HASH_CONCURRENCY
	// MetricsAddr, when set, serves /metrics on its own listener (not on Addr).
	MetricsAddr string // PORTAL_METRICS_ADDR
	// MetricsToken: without MetricsAddr, /metrics on Addr answers only
	// "Authorization: Bearer <token>"; empty = not served there at all (404).
	MetricsToken string // PORTAL_METRICS_TOKEN
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed (client address, HTTPS for HSTS).
	TrustedProxies []netip.Prefix // PORTAL_TRUSTED_PROXIES
	// BlobURL selects where resource files live: empty = DataDir/files,
	// s3://bucket?… = an S3-compatible bucket (BlobS3, parsed from it).
	BlobURL string  // PORTAL_BLOB_URL
	BlobS3  *BlobS3 // nil unless BlobURL is s3://
	// ResponseCacheMB bounds the memory of the public-read response cache
	// (server/respcache; 0 = off). CacheVersionMaxAge is how long a replica
	// reuses its read of the shared catalog version (0 = read it for every
	// request, one read in flight at a time).
	ResponseCacheMB    int           // PORTAL_RESPONSE_CACHE_MB
	CacheVersionMaxAge time.Duration // PORTAL_CACHE_VERSION_MAXAGE
}

// BlobS3 is an S3-compatible bucket from PORTAL_BLOB_URL
// (s3://bucket?endpoint=http://host:9000&region=cn-north-1&use_path_style=true).
type BlobS3 struct {
	Bucket    string
	Endpoint  string // empty = AWS itself
	Region    string // empty = AWS_REGION, else us-east-1
	PathStyle bool   // bucket in the path; default true with an endpoint (MinIO and the like)
	// Credentials: PORTAL_BLOB_ACCESS_KEY / PORTAL_BLOB_SECRET_KEY; both
	// empty = the AWS SDK's chain (AWS_ACCESS_KEY_ID …, shared config).
	AccessKey, SecretKey string
}

// Error names the variable that holds a bad value.
type Error struct {
	Var, Value, Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("config: %s=%q: %s", e.Var, e.Value, e.Reason)
}

// FromEnv reads the configuration from the process environment.
func FromEnv() (Config, error) { return Load(os.Getenv) }

// Load reads the configuration through getenv (tests pass a map lookup).
func Load(getenv func(string) string) (Config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		Addr:         get("PORTAL_ADDR", ":8080"),
		DataDir:      get("PORTAL_DATA_DIR", "./data"),
		DBDSN:        get("PORTAL_DB_DSN", ""),
		MeiliURL:     get("PORTAL_MEILI_URL", ""),
		MeiliKey:     getenv("PORTAL_MEILI_KEY"),
		MeiliIndex:   get("PORTAL_MEILI_INDEX", "datasets"),
		Profile:      get("PORTAL_POLICY_PROFILE", "heilongjiang"),
		CalendarDir:  get("PORTAL_CALENDAR_DIR", ""),
		BaseURL:      strings.TrimRight(get("PORTAL_BASE_URL", ""), "/"),
		LogLevel:     get("PORTAL_LOG_LEVEL", "info"),
		DemoPassword: getenv("PORTAL_DEMO_PASSWORD"),
		SMTPURL:      get("PORTAL_SMTP_URL", ""),
	}
	if _, _, err := splitHostPort(c.Addr); err != nil {
		return c, &Error{"PORTAL_ADDR", c.Addr, "want host:port or :port"}
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return c, &Error{"PORTAL_DATA_DIR", c.DataDir, err.Error()}
	}
	c.DataDir = abs
	if err := c.parseDSN(); err != nil {
		return c, err
	}
	c.Seed = get("PORTAL_SEED", map[Driver]string{SQLite: "demo", MySQL: "none"}[c.DBDriver])
	if c.Seed != "demo" && c.Seed != "none" {
		return c, &Error{"PORTAL_SEED", c.Seed, "want demo or none"}
	}
	if c.MeiliURL != "" {
		if u, err := url.Parse(c.MeiliURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, &Error{"PORTAL_MEILI_URL", c.MeiliURL, "want an http(s) URL"}
		}
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, &Error{"PORTAL_BASE_URL", c.BaseURL, "want an http(s) URL"}
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return c, &Error{"PORTAL_LOG_LEVEL", c.LogLevel, "want debug, info, warn or error"}
	}
	mb, err := strconv.ParseInt(get("PORTAL_MAX_UPLOAD_MB", "512"), 10, 64)
	if err != nil || mb < 1 || mb > 1<<20 {
		return c, &Error{"PORTAL_MAX_UPLOAD_MB", getenv("PORTAL_MAX_UPLOAD_MB"), "want a whole number of megabytes from 1"}
	}
	c.MaxUploadBytes = mb << 20
	c.LoginMaxFailures, err = strconv.Atoi(get("PORTAL_LOGIN_MAX_FAILURES", "5"))
	if err != nil || c.LoginMaxFailures < 1 || c.LoginMaxFailures > 100 {
		return c, &Error{"PORTAL_LOGIN_MAX_FAILURES", getenv("PORTAL_LOGIN_MAX_FAILURES"), "want a whole number from 1 to 100 (failures per account and client address before sign-in slows down)"}
	}
	for _, r := range []struct {
		name, def string
		max       int
		dst       *int
		want      string
	}{
		{"PORTAL_REGISTER_PER_IP", "5", 1_000_000, &c.RegisterPerIP, "want sign-ups an hour per client address: a whole number, 0 = no limit"},
		{"PORTAL_REGISTER_PER_HOUR", "200", 1_000_000, &c.RegisterPerHour, "want sign-ups an hour in all: a whole number, 0 = no limit"},
		{"PORTAL_HASH_CONCURRENCY", "0", 256, &c.HashConcurrency, "want password hashes at once: a whole number up to 256, 0 = half the CPUs"},
	} {
		n, err := strconv.Atoi(get(r.name, r.def))
		if err != nil || n < 0 || n > r.max {
			return c, &Error{r.name, getenv(r.name), r.want}
		}
		*r.dst = n
	}
	c.SessionIdle, err = time.ParseDuration(get("PORTAL_SESSION_IDLE", "30m"))
	if err != nil || c.SessionIdle < time.Minute || c.SessionIdle > 24*time.Hour {
		return c, &Error{"PORTAL_SESSION_IDLE", getenv("PORTAL_SESSION_IDLE"), "want a duration from 1m to 24h"}
	}
	c.SessionMax, err = time.ParseDuration(get("PORTAL_SESSION_MAX", "12h"))
	if err != nil || c.SessionMax < c.SessionIdle || c.SessionMax > 30*24*time.Hour {
		return c, &Error{"PORTAL_SESSION_MAX", getenv("PORTAL_SESSION_MAX"), "want a duration from PORTAL_SESSION_IDLE to 720h"}
	}
	c.ResponseCacheMB, err = strconv.Atoi(get("PORTAL_RESPONSE_CACHE_MB", "64"))
	if err != nil || c.ResponseCacheMB < 0 || c.ResponseCacheMB > 64<<10 {
		return c, &Error{"PORTAL_RESPONSE_CACHE_MB", getenv("PORTAL_RESPONSE_CACHE_MB"), "want megabytes from 0 (off) to 65536"}
	}
	c.CacheVersionMaxAge, err = time.ParseDuration(get("PORTAL_CACHE_VERSION_MAXAGE", "1s"))
	if err != nil || c.CacheVersionMaxAge < 0 || c.CacheVersionMaxAge > time.Minute {
		return c, &Error{"PORTAL_CACHE_VERSION_MAXAGE", getenv("PORTAL_CACHE_VERSION_MAXAGE"), "want a duration from 0 to 1m such as 1s"}
	}
	c.ShutdownTimeout, err = time.ParseDuration(get("PORTAL_SHUTDOWN_TIMEOUT", "30s"))
	if err != nil || c.ShutdownTimeout <= 0 {
		return c, &Error{"PORTAL_SHUTDOWN_TIMEOUT", getenv("PORTAL_SHUTDOWN_TIMEOUT"), "want a positive duration such as 30s"}
	}
	if c.MetricsAddr = get("PORTAL_METRICS_ADDR", ""); c.MetricsAddr != "" {
		if _, _, err := splitHostPort(c.MetricsAddr); err != nil {
			return c, &Error{"PORTAL_METRICS_ADDR", c.MetricsAddr, "want host:port or :port"}
		}
	}
	if c.MetricsToken = get("PORTAL_METRICS_TOKEN", ""); c.MetricsToken != "" {
		if len(c.MetricsToken) < 16 || strings.ContainsFunc(c.MetricsToken, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
			return c, &Error{"PORTAL_METRICS_TOKEN", "(hidden)", "want at least 16 printable ASCII characters without spaces, e.g. openssl rand -hex 32"}
		}
	}
	if raw := get("PORTAL_TRUSTED_PROXIES", ""); raw != "" {
		for _, part := range strings.Split(raw, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			p, err := netip.ParsePrefix(part)
			if err != nil {
				a, aerr := netip.ParseAddr(part)
				if aerr != nil {
					return c, &Error{"PORTAL_TRUSTED_PROXIES", raw, "want comma-separated addresses or CIDR ranges, e.g. 172.16.0.0/12"}
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			c.TrustedProxies = append(c.TrustedProxies, p.Masked())
		}
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			return c, &Error{"PORTAL_SMTP_URL", c.SMTPURL, "want smtp://user:pass@host:port"}
		}
	}
	if err := c.parseBlob(getenv); err != nil {
		return c, err
	}
	for _, r := range []struct {
		name string
		def  string
		dst  *int
	}{{"PORTAL_RATE_ANON", "120", &c.RateAnon}, {"PORTAL_RATE_TOKEN", "600", &c.RateToken}} {
		n, err := strconv.Atoi(get(r.name, r.def))
		if err != nil || n < 0 || n > 1_000_000 {
			return c, &Error{r.name, getenv(r.name), "want requests per minute: a whole number, 0 = unlimited"}
		}
		*r.dst = n
	}
	c.AppSecretKey = strings.TrimSpace(getenv("PORTAL_APP_SECRET_KEY"))
	c.AppQuotas = map[string][2]int{}
	for _, q := range []struct{ family, def string }{{"downloads", "60/5000"}, {"rows", "120/20000"}, {"ckan", "120/20000"}, {"search", "120/20000"}} {
		name := "PORTAL_APP_QUOTA_" + strings.ToUpper(q.family)
		m, d, ok := strings.Cut(get(name, q.def), "/")
		pm, err1 := strconv.Atoi(strings.TrimSpace(m))
		pd, err2 := strconv.Atoi(strings.TrimSpace(d))
		if !ok || err1 != nil || err2 != nil || pm < 0 || pd < 0 || pm > 100_000_000 || pd > 100_000_000 {
			return c, &Error{name, getenv(name), "want per-minute/per-day calls, e.g. 60/5000 (0 = no limit)"}
		}
		c.AppQuotas[q.family] = [2]int{pm, pd}
	}
	return c, nil
}

var (
	bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	regionName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
)

func (c *Config) parseBlob(getenv func(string) string) error {
	c.BlobURL = strings.TrimSpace(getenv("PORTAL_BLOB_URL"))
	access := strings.TrimSpace(getenv("PORTAL_BLOB_ACCESS_KEY"))
	secret := strings.TrimSpace(getenv("PORTAL_BLOB_SECRET_KEY"))
	if c.BlobURL == "" {
		return nil
	}
	const want = "want empty (files under PORTAL_DATA_DIR) or s3://bucket?endpoint=http://host:9000&region=…&use_path_style=true"
	bad := func(reason string) error { return &Error{"PORTAL_BLOB_URL", c.BlobURL, reason} }
	u, err := url.Parse(c.BlobURL)
	if err != nil {
		return &Error{"PORTAL_BLOB_URL", "(unparsable URL)", want}
	}
	if u.User != nil {
		u.User = nil
		return &Error{"PORTAL_BLOB_URL", u.String(), "put credentials in PORTAL_BLOB_ACCESS_KEY and PORTAL_BLOB_SECRET_KEY, not in the URL"}
	}
	if u.Scheme != "s3" {
		return bad(want)
	}
	if !bucketName.MatchString(u.Host) {
		return bad("the bucket name (s3://NAME) must be 3-63 lower-case letters, digits, dots or hyphens")
	}
	if u.Path != "" && u.Path != "/" {
		return bad("nothing may follow the bucket name: keys are content hashes")
	}
	s3 := &BlobS3{Bucket: u.Host, AccessKey: access, SecretKey: secret}
	pathStyle := ""
	for name, vals := range u.Query() {
		v := vals[len(vals)-1]
		switch name {
		case "endpoint":
			e, err := url.Parse(v)
			if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" || e.User != nil {
				return bad("endpoint= wants the service's http(s)://host:port")
			}
			s3.Endpoint = strings.TrimRight(v, "/")
		case "region":
			if !regionName.MatchString(v) {
				return bad("region= wants a region name such as cn-north-1")
			}
			s3.Region = v
		case "use_path_style":
			pathStyle = v
		default:
			return bad(fmt.Sprintf("unknown parameter %q (known: endpoint, region, use_path_style)", name))
		}
	}
	// S3-compatible services (MinIO) address buckets by path unless told
	// otherwise; AWS itself wants the bucket in the host name.
	s3.PathStyle = s3.Endpoint != ""
	if pathStyle != "" {
		b, err := strconv.ParseBool(pathStyle)
		if err != nil {
			return bad("use_path_style= wants true or false")
		}
		s3.PathStyle = b
	}
	if (access == "") != (secret == "") {
		missing := "PORTAL_BLOB_SECRET_KEY"
		if access == "" {
			missing = "PORTAL_BLOB_ACCESS_KEY"
		}
		return &Error{missing, "", "set both PORTAL_BLOB_ACCESS_KEY and PORTAL_BLOB_SECRET_KEY, or neither (the standard AWS variables are used then)"}
	}
	c.BlobS3 = s3
	return nil
}

func (c *Config) parseDSN() error {
	bad := func(reason string) error { return &Error{"PORTAL_DB_DSN", redact(c.DBDSN), reason} }
	switch {
	case c.DBDSN == "":
		c.DBDriver = SQLite
		c.DBConn = filepath.Join(c.DataDir, "portal.db")
	case strings.HasPrefix(c.DBDSN, "sqlite://"):
		path := strings.TrimPrefix(c.DBDSN, "sqlite://")
		if path == "" {
			return bad("sqlite:// needs a file path, e.g. sqlite:///var/lib/portal/portal.db")
		}
		c.DBDriver = SQLite
		c.DBConn = path
	case strings.HasPrefix(c.DBDSN, "mysql://"):
		conn, err := MySQLConn(c.DBDSN)
		if err != nil {
			return bad(err.Error())
		}
		c.DBDriver = MySQL
		c.DBConn = conn
	default:
		return bad("want empty (embedded SQLite), sqlite:///path/file.db or mysql://user:pass@host:3306/db")
	}
	return nil
}

// MySQLConn turns mysql://user:pass@host:port/db?opts into a go-sql-driver
// DSN with utf8mb4, parsed times and UTC added.
func MySQLConn(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("not a URL")
	}
	db := strings.TrimPrefix(u.Path, "/")
	if u.Host == "" || db == "" || strings.Contains(db, "/") {
		return "", fmt.Errorf("want mysql://user:pass@host:port/database")
	}
	host := u.Host
	if u.Port() == "" {
		host += ":3306"
	}
	pass, _ := u.User.Password()
	q := u.Query()
	q.Set("charset", "utf8mb4")
	q.Set("parseTime", "true")
	q.Set("loc", "UTC")
	if q.Get("collation") == "" {
		q.Set("collation", "utf8mb4_unicode_ci")
	}
	if q.Get("timeout") == "" {
		q.Set("timeout", "5s") // dialling a database that is gone fails fast (503), not after minutes
	}
	userinfo := u.User.Username()
	if pass != "" {
		userinfo += ":" + pass
	}
	return fmt.Sprintf("%s@tcp(%s)/%s?%s", userinfo, host, db, q.Encode()), nil
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return dsn
}

func splitHostPort(addr string) (string, int, error) {
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return "", 0, fmt.Errorf("no port")
	}
	p, err := strconv.Atoi(addr[i+1:])
	if err != nil || p < 0 || p > 65535 {
		return "", 0, fmt.Errorf("bad port")
	}
	return addr[:i], p, nil
}
