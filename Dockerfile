# The portal as a container: a static Go binary on a small non-root image.
#   docker build -t hlj-opendata/portal --build-arg VERSION=$(git describe --always) .
# docker-compose.yml builds it and runs it with MySQL 8.4 and Meilisearch.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION}" -o /out/portal ./cmd/portal \
 && /out/portal version

FROM alpine:3.22
# wget (busybox) is for the health check; ca-certificates for SMTP over TLS.
RUN apk add --no-cache ca-certificates \
 && addgroup -S -g 10001 portal \
 && adduser -S -D -H -u 10001 -G portal -s /sbin/nologin portal \
 && mkdir -p /var/lib/portal \
 && chown portal:portal /var/lib/portal
COPY --from=build /out/portal /usr/local/bin/portal
USER 10001:10001
ENV PORTAL_ADDR=:8080 \
    PORTAL_DATA_DIR=/var/lib/portal
VOLUME ["/var/lib/portal"]
EXPOSE 8080 9090
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1
# SIGTERM lets requests in flight finish (PORTAL_SHUTDOWN_TIMEOUT).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/portal"]
CMD ["serve"]
