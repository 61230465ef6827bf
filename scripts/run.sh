#!/usr/bin/env bash
# Installs what is missing, builds sobaucu and starts the desktop app on the local ledger
# (~/.local/share/sobaucu, or $SOBAUCU_DATA). No server is needed. The first start offers to
# create the ledger of your unit, or a demo ledger.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --run
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sobaucu-target}"
cargo build --release --locked -p sobaucu-desktop -p sobaucu-cli
echo "the CLI is $CARGO_TARGET_DIR/release/sobaucu"
exec "$CARGO_TARGET_DIR/release/sobaucu-desktop" "$@"
