# Rust: solutions build with plain `rustc` (no cargo, so no build scripts) into native binaries.
# Uses an existing rustc (PATH or ~/.cargo/bin); otherwise installs Debian's rustc.
if command -v rustc >/dev/null 2>&1 || [ -x "$HOME/.cargo/bin/rustc" ]; then
  "$(command -v rustc || echo "$HOME/.cargo/bin/rustc")" --version
else
  apt_install rustc
  rustc --version
fi
