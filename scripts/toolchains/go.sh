# Go: solutions build with `go build` (CGO_ENABLED=0) and run as static binaries.
# Uses an existing toolchain (PATH or /usr/local/go); otherwise installs Debian's golang.
if command -v go >/dev/null 2>&1 || [ -x /usr/local/go/bin/go ]; then
  "$(command -v go || echo /usr/local/go/bin/go)" version
else
  apt_install golang-go ca-certificates
  go version
fi
