# Go: solutions build with `go build` (CGO_ENABLED=0) and run as static binaries.
# Uses an existing toolchain (PATH or /usr/local/go); otherwise installs Debian's golang.
# Analysers: gofmt and go vet come with the toolchain; staticcheck is built from the Go module
# proxy with this toolchain (a staticcheck built by an older Go cannot read newer export data,
# which is why Debian's go-staticcheck is only the fallback, for Debian's own golang).
STATICCHECK_VERSION=v0.8.2  # staticcheck 2026.2.2
if command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ]; then
  go=$(command -v go || echo /usr/local/go/bin/go)
else
  apt_install golang-go ca-certificates
  go=$(command -v go)
fi
"$go" version
if ! command -v staticcheck >/dev/null 2>&1; then
  need_root "installing staticcheck into /usr/local/bin"
  if ! GOBIN=/usr/local/bin GOTOOLCHAIN=local GOFLAGS=-mod=mod \
      "$go" install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"; then
    echo "go install staticcheck failed; falling back to Debian's go-staticcheck" >&2
    apt_install go-staticcheck
    ln -sf /usr/bin/go-staticcheck /usr/local/bin/staticcheck
  fi
fi
staticcheck -version
