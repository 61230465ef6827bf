//! What the CLI's test files share: running the built `sobaucu` on a ledger directory.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The passphrase the tests give their ledgers.
pub const PASSPHRASE: &str = "bầu cử 2026 thử";

/// Runs `sobaucu --data DATA ARGS` judged on `today` (none: the clock), in the C locale.
pub fn run(data: &Path, today: Option<&str>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sobaucu"));
    command
        .arg("--data")
        .arg(data)
        .args(args)
        .env("LANG", "C")
        .env("SOBAUCU_PASSPHRASE", PASSPHRASE)
        .env("SOBAUCU_TEST_FAST_KDF", "1")
        .env_remove("SOBAUCU_USER");
    if let Some(today) = today {
        command.env("SOBAUCU_TODAY", today);
    }
    command.output().expect("the sobaucu binary runs")
}

/// Runs a command that must succeed; returns its output.
pub fn ok(data: &Path, today: Option<&str>, args: &[&str]) -> String {
    let out = run(data, today, args);
    assert!(out.status.success(), "sobaucu {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Runs a command that must fail; returns its error message.
pub fn fails(data: &Path, today: Option<&str>, args: &[&str]) -> String {
    let out = run(data, today, args);
    assert!(!out.status.success(), "sobaucu {args:?} should have failed");
    String::from_utf8(out.stderr).expect("UTF-8 output")
}
