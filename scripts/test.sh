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
# The hub's suite again with every hub on PostgreSQL: its crate's tests and the end-to-end
# sync tests, on a throwaway cluster of their own (stopped and removed at the end).
if [ "$status" = 0 ]; then
  eval "$(scripts/pg-cluster.sh start)"
  trap 'scripts/pg-cluster.sh stop "$SOBAUCU_PG_DIR"; rm -f "$log"' EXIT
  echo "the hub's suite on PostgreSQL ($SOBAUCU_PG_DIR)"
  set +e
  SOBAUCU_TEST_POSTGRES="$SOBAUCU_TEST_POSTGRES" cargo test --locked -p sobaucu-hub -p sobaucu-tests \
    --test service --test sync_e2e --test sync_attacks --test sync_faults --test sync_restore --test province \
    --test hub_operations --test at_rest --test district_conflicts --test duplicates_sync --test load --test country \
    2>&1 | sed 's/^test result:/postgres test result:/' | tee -a "$log"
  status=${PIPESTATUS[0]}
  set -e
fi
echo "screenshots of the window: $CARGO_TARGET_DIR/screenshots/"
# One closing line for the whole run: the sum of every test binary's counts.
awk '/test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1) } }
     END { printf "workspace: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
