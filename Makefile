# The portal's developer commands. `make test` is the one CI runs.
GO ?= go
PKGS := ./...

.PHONY: run build test vet fmt-check unit openapi openapi-check bench-search tidy

run:
	$(GO) run ./cmd/portal

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/portal ./cmd/portal

## test: everything CI proves — formatting, vet, unit, store tests on SQLite
## and MariaDB (PORTAL_TEST_MYSQL_DSN), and the headless-Chromium browser tests.
test: fmt-check vet unit

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^openapi/')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

unit:
	$(GO) test -count=1 -timeout 30m $(PKGS)

tidy:
	$(GO) mod tidy
