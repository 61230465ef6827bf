//! Passphrases for the command-line programs (the CLI and the hub): from an environment
//! variable when it is set (scripts, services), else typed on the terminal without echo, else
//! an error that says how to give one. Never logged, never printed; zeroed when dropped.

use std::io::IsTerminal;

use sobaucu_core::vault::Credentials;
use zeroize::Zeroizing;

/// Reads a passphrase from `env` or the terminal. With `confirm` (a new passphrase) the
/// terminal asks twice and the two must match.
pub fn read(env: &str, prompt: &str, confirm: bool) -> Result<Zeroizing<String>, String> {
    if let Some(value) = std::env::var_os(env) {
        return value.into_string().map(Zeroizing::new).map_err(|_| format!("${env} is not valid UTF-8"));
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!("no passphrase: type it on a terminal, or set ${env}"));
    }
    let first = Zeroizing::new(rpassword::prompt_password(format!("{prompt}: ")).map_err(|e| e.to_string())?);
    if confirm {
        let again = Zeroizing::new(rpassword::prompt_password("Again, to be sure: ").map_err(|e| e.to_string())?);
        if *first != *again {
            return Err("the two passphrases differ: nothing was changed".into());
        }
    }
    Ok(first)
}

/// The credentials of `user` (or the keyring's only user), with the passphrase from `env` or
/// the terminal; `creating` asks twice.
pub fn credentials(user: Option<&str>, env: &str, creating: bool) -> Result<Credentials, String> {
    let prompt = match (user, creating) {
        (Some(u), true) => format!("New passphrase for {u}"),
        (None, true) => "New passphrase".to_string(),
        (Some(u), false) => format!("Passphrase of {u}"),
        (None, false) => "Passphrase".to_string(),
    };
    let passphrase = read(env, &prompt, creating)?;
    Ok(Credentials::new(user, &passphrase))
}
