# The portal's developer commands. `make test` is the one CI runs.
GO ?= go
PKGS := ./...

.PHONY: run build test vet fmt-check unit fuzz openapi openapi-check openapi-validate openapi-lint openapi-client bench-search bench-download bench-preview bench-profile bench-pages bench-read bench-scale tidy

# swag is pinned in go.mod (tool directive); the validator is pinned here and
# installed with npm into .tools/ (gitignored) on first use.
SWAG_FLAGS := init --quiet -g server/app/doc.go -d ./ --exclude .tools,frontend,bin,data --outputTypes json,yaml
SWAGGER_CLI_VERSION := 4.0.4
SWAGGER_CLI := .tools/npm/node_modules/.bin/swagger-cli
SWAGGER_CLI_STAMP := .tools/npm/swagger-cli-$(SWAGGER_CLI_VERSION).installed
# Redocly lints the OpenAPI 3 document (.redocly.yaml); the typed-client test
# (server/apidocs TestTypedClient) compiles openapi-typescript + openapi-fetch.
REDOCLY_VERSION := 2.77.0
REDOCLY := .tools/redocly/node_modules/.bin/redocly
REDOCLY_STAMP := .tools/redocly/redocly-$(REDOCLY_VERSION).installed
CLIENT_PKGS := openapi-typescript@7.13.0 openapi-fetch@0.17.0 typescript@5.9.3
CLIENT_STAMP := .tools/client/$(subst @,-,$(subst $() ,_,$(CLIENT_PKGS))).installed

run:
	$(GO) run ./cmd/portal

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/portal ./cmd/portal

## test: everything CI proves — formatting, vet, unit, store tests on SQLite
## and MariaDB (PORTAL_TEST_MYSQL_DSN), and the headless-Chromium browser tests.
test: fmt-check vet openapi-check openapi-validate openapi-lint openapi-client unit fuzz

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^openapi/')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

unit:
	$(GO) test -count=1 -timeout 30m $(PKGS)

## fuzz: each fuzz target for FUZZTIME, one run per target (Go fuzzes one
## target at a time). Their seed corpora (f.Add and testdata/fuzz/<Name>/)
## already run in `unit`; a failing input lands in testdata/fuzz/<Name>/:
## commit it with the fix.
FUZZTIME ?= 3000x
FUZZ_TARGETS := ./server/ckan:FuzzParseQuery ./server/devapi:FuzzParseFilters ./server/devapi:FuzzParseRange \
	./server/upload:FuzzSniffCSV ./server/upload:FuzzXLSXRows
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t#*:}; \
	  grep -qs "^func $$name(" $$pkg/*_test.go || { echo "fuzz: no $$name in $$pkg"; exit 1; }; \
	  echo "fuzz: $$name in $$pkg for $(FUZZTIME)"; \
	  $(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $$pkg; \
	done

tidy:
	$(GO) mod tidy

## openapi: regenerate openapi/swagger.{json,yaml} from the handlers' swag annotations,
## then openapi/openapi.{json,yaml} (OpenAPI 3, cmd/openapi3).
openapi:
	$(GO) tool swag $(SWAG_FLAGS) -o openapi
	$(GO) run ./cmd/openapi3 -in openapi/swagger.json -out openapi

## openapi-check: fail when the committed spec differs from the annotations.
openapi-check:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GO) tool swag $(SWAG_FLAGS) -o "$$tmp" || exit 1; \
	$(GO) run ./cmd/openapi3 -in "$$tmp/swagger.json" -out "$$tmp" || exit 1; \
	if ! diff -u openapi/swagger.json "$$tmp/swagger.json" || ! diff -u openapi/swagger.yaml "$$tmp/swagger.yaml" \
	  || ! diff -u openapi/openapi.json "$$tmp/openapi.json" || ! diff -u openapi/openapi.yaml "$$tmp/openapi.yaml"; then \
	  echo "openapi/ is out of date with the annotations: run 'make openapi' and commit openapi/"; exit 1; \
	fi; echo "openapi/ is up to date"

## openapi-validate: validate the committed spec with swagger-cli (Swagger 2.0 schema + references).
openapi-validate: $(SWAGGER_CLI_STAMP)
	$(SWAGGER_CLI) validate openapi/swagger.json
	$(SWAGGER_CLI) validate openapi/swagger.yaml

$(SWAGGER_CLI_STAMP):
	npm install --prefix .tools/npm --no-save --no-audit --no-fund --loglevel=error @apidevtools/swagger-cli@$(SWAGGER_CLI_VERSION)
	touch $@

## openapi-lint: Redocly's recommended rules on the OpenAPI 3 document (errors fail, warnings shown).
openapi-lint: $(REDOCLY_STAMP)
	$(REDOCLY) lint --config .redocly.yaml --format=summary openapi/openapi.json

$(REDOCLY_STAMP):
	npm install --prefix .tools/redocly --no-save --no-audit --no-fund --loglevel=error @redocly/cli@$(REDOCLY_VERSION)
	touch $@

## openapi-client: install the pinned typed-client toolchain TestTypedClient needs.
openapi-client: $(CLIENT_STAMP)

$(CLIENT_STAMP):
	npm install --prefix .tools/client --no-save --no-audit --no-fund --loglevel=error $(CLIENT_PKGS)
	touch $@

## bench-download: a 1 GB file from the portal vs nginx on loopback (ratio),
## CSV → JSON/NDJSON/CSV/XML/XLSX conversion throughput and RSS growth.
## Needs nginx for the ratio (apt-get install nginx). Not a test.
bench-download:
	$(GO) run ./cmd/benchdl -size-mb 1024 -convert-mb 256

## bench-preview: preview latency (p50/p99) on a 2-million-row table through
## HTTP, against the process's own static asset. Not a test.
bench-preview:
	$(GO) run ./cmd/benchpreview -rows 2000000

## bench-profile: profiling throughput on a 1 GB CSV against a plain CSV
## read of the same file, and RSS growth. Not a test.
bench-profile:
	$(GO) run ./cmd/benchprofile -size 1024

## bench-pages: the dataset page's HTML with wrk at 64 connections on a
## 10,000-entry catalog (one page hot, rotations over 2,000 and 10,000
## pages) as requests/s, p50/p99 and the ratio to the process's own static
## asset and to nginx serving a copy; then one uncached render timed in
## process. Goal: 2,000 requests/s. Needs wrk (apt-get install -y wrk),
## nginx optional (apt-get install -y nginx-light). Not a test.
## BENCH_PAGES_FLAGS: e.g. -dsn mysql://root@127.0.0.1:3306/ -rounds 3 -cpuprofile /tmp/render.pprof
bench-pages:
	$(GO) run ./cmd/benchpages -count 10000 -c 64 -t 2 -d 10s $(BENCH_PAGES_FLAGS)

## bench-ckan: CKAN package_search?q=企业 at 100,000 entries, wrk at 8
## connections, SQL path (before) vs search index (after); goal >= 20x.
## Needs wrk (apt-get install -y wrk). Not a test.
.PHONY: bench-ckan
bench-ckan:
	@command -v wrk >/dev/null 2>&1 || { echo "wrk not found: apt-get install -y wrk"; exit 1; }
	$(GO) run ./cmd/benchckan -count 100000 -c 8 -t 2 -d 15s -dsql 40s

## bench-load: the public read paths under load: wrk at 64 connections for
## 60 s each on the dataset list (pages rotate), a search with facet
## filters, a detail, CKAN package_search and a download (the CSV original
## and format=json), on a 10,000-entry catalog with the rate limits off,
## as req/s, p50/p99, non-2xx, socket errors and timeouts, with the static
## asset as reference. Goal: zero non-2xx and zero timeouts (exit 1 when
## missed). Installs wrk with apt-get when missing. Not a test.
## BENCH_LOAD_FLAGS: e.g. -d 10s -only ckan,list -dsn mysql://root@127.0.0.1:3306/ -cpuprofile /tmp/ckan.pprof -profile ckan
.PHONY: bench-load
bench-load:
	@command -v wrk >/dev/null 2>&1 || { echo "wrk not found: installing it with apt-get"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk; }
	$(GO) run ./cmd/benchload -count 10000 -c 64 -t 2 -d 60s $(BENCH_LOAD_FLAGS)

## bench-read: the public read path before and after, side by side on one
## seeded catalog (BENCH_READ_COUNT entries, default 100,000): the portal
## built from BENCH_READ_BEFORE (default 60c0e14) and the working tree,
## each as its own process, wrk at 8 connections on the static asset,
## detail, list pages 1 and 500 (API and web), distinct 2-character
## searches with facets and CKAN package_search; req/s, p50, p99 and the
## ratio to the static asset. Binaries and the seeded catalog are cached in
## ~/.cache/portal-bench. Needs wrk. Not a test.
## BENCH_READ_FLAGS: e.g. -d 20s -only detail,search
BENCH_READ_COUNT ?= 100000
BENCH_READ_BEFORE ?= 60c0e14
.PHONY: bench-read
bench-read:
	@command -v wrk >/dev/null 2>&1 || { echo "wrk not found: apt-get install -y wrk"; exit 1; }
	$(GO) run ./cmd/benchread -count $(BENCH_READ_COUNT) -before $(BENCH_READ_BEFORE) $(BENCH_READ_FLAGS)

## bench-scale: the working tree's cost curve at 10k and 100k entries (and
## 1M with BENCH_SCALE_1M=1): seed and reindex time, index size, start-up
## to ready, RSS idle and under load, search p50/p99 at concurrency 1,
## detail req/s, and how each grows. Needs wrk. Not a test.
comma := ,
BENCH_SCALE_COUNTS := 10000,100000$(if $(filter 1,$(BENCH_SCALE_1M)),$(comma)1000000)
.PHONY: bench-scale
bench-scale:
	@command -v wrk >/dev/null 2>&1 || { echo "wrk not found: apt-get install -y wrk"; exit 1; }
	$(GO) run ./cmd/benchread -scale $(BENCH_SCALE_COUNTS) $(BENCH_READ_FLAGS)
