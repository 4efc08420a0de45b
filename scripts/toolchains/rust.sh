# Rust: solutions build with plain `rustc` (no cargo, so no build scripts) into native binaries.
# Uses an existing rustc (PATH or ~/.cargo/bin); otherwise installs Debian's rustc.
# Analysers: clippy (through cargo) and rustfmt of the same toolchain: rustup's components for
# a rustup toolchain, Debian's packages beside Debian's rustc.
rustup=$(command -v rustup || { [ -x "$HOME/.cargo/bin/rustup" ] && echo "$HOME/.cargo/bin/rustup"; } || true)
if command -v rustc >/dev/null 2>&1 || [ -x "$HOME/.cargo/bin/rustc" ]; then
  rustc=$(command -v rustc || echo "$HOME/.cargo/bin/rustc")
else
  apt_install rustc
  rustc=$(command -v rustc)
fi
"$rustc" --version
bin=$(dirname "$("$rustc" --print sysroot)/bin/rustc")
if [ ! -x "$bin/cargo-clippy" ] || [ ! -x "$bin/rustfmt" ]; then
  if [ -n "$rustup" ]; then
    "$rustup" component add clippy rustfmt
  else
    apt_install cargo rust-clippy rustfmt
  fi
fi
"$bin/cargo" clippy --version
"$bin/rustfmt" --version
