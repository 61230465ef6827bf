#!/usr/bin/env bash
# Installs what sobaucu needs to build, run and test on Debian or Ubuntu, skipping whatever is
# already there: the Tauri system libraries, OpenSSL's libcrypto (for SQLCipher), Xvfb and WebKitWebDriver for the window tests, poppler-utils for the print-outs' pictures, and
# tauri-driver (built from crates.io into ~/.cache/sobaucu-tools).
#   scripts/setup.sh          everything
#   scripts/setup.sh --run    only what running the desktop app needs
set -euo pipefail

want_tests=1
[ "${1:-}" = "--run" ] && want_tests=0

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
pkg-config --exists webkit2gtk-4.1 2>/dev/null || missing+=(libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev libssl-dev build-essential pkg-config file)
command -v cc >/dev/null || missing+=(build-essential)
# SQLCipher (the encrypted ledger) is built against OpenSSL's libcrypto.
{ command -v pkg-config >/dev/null && pkg-config --exists openssl; } || missing+=(libssl-dev pkg-config)
if [ "$want_tests" = 1 ]; then
  command -v Xvfb >/dev/null || missing+=(xvfb xauth)
  command -v WebKitWebDriver >/dev/null || missing+=(webkit2gtk-driver)
  command -v dbus-run-session >/dev/null || missing+=(dbus-x11)
  command -v xdpyinfo >/dev/null || missing+=(x11-utils)
  # Print-outs are rendered to pictures in the tests (ImageMagick's policy refuses PDFs).
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  # The hub's suite runs on PostgreSQL too, on a throwaway cluster (scripts/pg-cluster.sh).
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -q
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null; then
  echo "setup: cargo is missing: install Rust (https://rustup.rs) and run this again" >&2
  exit 1
fi

if [ "$want_tests" = 1 ]; then
  tools="${SOBAUCU_TOOLS:-$HOME/.cache/sobaucu-tools}"
  if [ ! -x "$tools/bin/tauri-driver" ]; then
    echo "setup: building tauri-driver into $tools"
    cargo install tauri-driver --locked --root "$tools"
  fi
fi
