# Rust: solutions build with plain `rustc` (no cargo, so no build scripts) into native binaries.
# Uses the rustc of the user the tools are for (on PATH or in their ~/.cargo/bin: a rustup under
# another user's home, such as root's, is not theirs to run); otherwise installs Debian's rustc.
# Analysers: clippy (through cargo) and rustfmt of the same toolchain: rustup's components for
# a rustup toolchain, Debian's packages beside Debian's rustc.
rustc=$(as_user sh -c 'command -v rustc || { [ -x "$HOME/.cargo/bin/rustc" ] && echo "$HOME/.cargo/bin/rustc"; }' || true)
if [ -z "$rustc" ]; then
  apt_install rustc cargo rust-clippy rustfmt
  rustc=$(command -v rustc)
fi
as_user "$rustc" --version
bin=$(dirname "$(as_user "$rustc" --print sysroot)/bin/rustc")
if [ ! -x "$bin/cargo-clippy" ] || [ ! -x "$bin/rustfmt" ]; then
  if [ -x "$(dirname "$rustc")/rustup" ]; then
    as_user "$(dirname "$rustc")/rustup" component add clippy rustfmt
  else
    apt_install cargo rust-clippy rustfmt
  fi
fi
as_user "$bin/cargo" clippy --version
as_user "$bin/rustfmt" --version
