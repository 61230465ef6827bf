#!/usr/bin/env bash
# Installs what is missing, then runs every test of the workspace: the core's, the CLI's on
# real ledger files, and the desktop window's under Xvfb through WebDriver.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sobaucu-target}"
export PATH="${SOBAUCU_TOOLS:-$HOME/.cache/sobaucu-tools}/bin:$PATH"
# A window test must not reach the developer's screen or ledger.
unset DISPLAY WAYLAND_DISPLAY SOBAUCU_DATA SOBAUCU_TODAY SOBAUCU_USER \
  SOBAUCU_PASSPHRASE SOBAUCU_HUB_PASSPHRASE SOBAUCU_NEW_PASSPHRASE
cargo fmt --all --check
# The window tests drive the built binaries, so build them all first.
cargo build --workspace --locked
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
NO_AT_BRIDGE=1 dbus-run-session -- cargo test --workspace --locked 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
echo "screenshots of the window: $CARGO_TARGET_DIR/screenshots/"
# One closing line for the whole run: the sum of every test binary's counts.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1) } }
     END { printf "workspace: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
