//! Files encrypted at rest, and who may open them.
//!
//! A ledger (`ledger.sqlite`) or a hub's store (`hub.sqlite`) is a SQLCipher file: every page
//! is encrypted with a random 256-bit *file key*, handed to SQLCipher raw (no second key
//! derivation on every open). Beside it, the *keyring* (`ledger.keys`, JSON) says who may open
//! it: each user has an X25519 key pair, whose secret half is encrypted with a key derived from
//! the user's passphrase by Argon2id, and the file key is sealed to each user's public key
//! (HPKE, [`sobaucu_protocol::BoxKey`]). So:
//!
//! - a user's passphrase opens the user's key pair, which opens the file key;
//! - the chair adds a user by sealing the file key to the new key pair, and removes one by
//!   re-keying the file with a new file key sealed to the public keys of those who remain,
//!   without knowing their passphrases;
//! - a copied file, WAL or keyring gives nothing without a passphrase, and guessing one costs
//!   Argon2id's memory and time for every guess.
//!
//! The keyring holds no role: who may do what is in the encrypted file (`users`), so editing
//! the keyring can at most lock someone out. Its user names are in clear, as the desktop app
//! lists them on the passphrase screen before anything is open.
//!
//! A re-key is crash-safe: the keyring first gets the new key sealed beside the old one
//! (`next_file_key`), then the file is re-keyed in one transaction, then the keyring drops the
//! old key. Opening tries the current key, then the next one (and completes the re-key).

use std::io::Read;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};

use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use sobaucu_protocol::{BoxKey, array_from_hex, to_hex};
use unicode_normalization::UnicodeNormalization;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, Result};
use crate::text;

/// The shortest passphrase accepted for a new user or a change.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

const FORMAT: &str = "sobaucu keyring";
const VERSION: u32 = 1;
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Argon2id's cost in release builds: 64 MiB, three passes (RFC 9106's second recommendation,
/// with one lane: the commune's laptop may have two cores, and the desktop app shares them).
const RELEASE_COST: Cost = Cost { m_kib: 64 * 1024, t: 3, p: 1 };

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Cost {
    m_kib: u32,
    t: u32,
    p: u32,
}

#[cfg(debug_assertions)]
static CHEAP_KDF: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Tests only, and only in debug builds (the function does not exist in a release build): new
/// keys are derived with Argon2id's cheapest parameters, so the hundreds of processes the tests
/// start do not each spend 64 MiB and a quarter of a second. `$SOBAUCU_TEST_FAST_KDF` does the
/// same for a debug build of the programs.
#[cfg(debug_assertions)]
pub fn use_cheap_kdf_for_tests() {
    CHEAP_KDF.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Tests only, and only in debug builds: cheap key derivation
/// ([`use_cheap_kdf_for_tests`]) and the credentials of a ledger's first user.
#[cfg(debug_assertions)]
pub fn test_credentials() -> Credentials {
    use_cheap_kdf_for_tests();
    Credentials::new(None, TEST_PASSPHRASE)
}

/// The passphrase the tests give their ledgers and hubs.
pub const TEST_PASSPHRASE: &str = "bầu cử 2026 thử";

fn new_cost() -> Cost {
    #[cfg(debug_assertions)]
    if CHEAP_KDF.load(std::sync::atomic::Ordering::Relaxed) || std::env::var_os("SOBAUCU_TEST_FAST_KDF").is_some() {
        return Cost { m_kib: 8, t: 1, p: 1 };
    }
    RELEASE_COST
}

/// Who opens a file, and with what.
#[derive(Clone)]
pub struct Credentials {
    /// The user's name; `None` picks the only user of a keyring (or names the first one).
    pub user: Option<String>,
    pub passphrase: Zeroizing<String>,
}

impl Credentials {
    pub fn new(user: Option<&str>, passphrase: &str) -> Credentials {
        Credentials {
            user: user.map(str::trim).filter(|u| !u.is_empty()).map(str::to_string),
            passphrase: Zeroizing::new(passphrase.to_string()),
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("user", &self.user).finish_non_exhaustive()
    }
}

/// The key of an encrypted file.
#[derive(Clone)]
pub struct FileKey(Zeroizing<[u8; 32]>);

impl FileKey {
    pub(crate) fn random() -> FileKey {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(key.as_mut()).expect("the operating system's random source");
        FileKey(key)
    }

    fn from_slice(bytes: &[u8]) -> Result<FileKey> {
        let array: [u8; 32] = bytes.try_into().map_err(|_| corrupt_keyring("a file key is not 32 bytes"))?;
        Ok(FileKey(Zeroizing::new(array)))
    }

    /// The SQL that hands this key to SQLCipher raw.
    fn pragma(&self, verb: &str, schema: Option<&str>) -> Zeroizing<String> {
        let prefix = schema.map(|s| format!("{s}.")).unwrap_or_default();
        Zeroizing::new(format!("PRAGMA {prefix}{verb} = \"x'{}'\";", to_hex(self.0.as_ref())))
    }
}

impl FileKey {
    /// The key that seals payloads stored outside an encrypted file (a hub's PostgreSQL),
    /// derived from the file key so the two are never the same key.
    fn payload_key(&self) -> chacha20poly1305::XChaCha20Poly1305 {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        hasher.update(b"sobaucu payload key v1\0");
        hasher.update(self.0.as_ref());
        let derived = Zeroizing::new(<[u8; 32]>::from(hasher.finalize()));
        chacha20poly1305::XChaCha20Poly1305::new(derived.as_ref().into())
    }

    /// Seals `clear` (XChaCha20-Poly1305, a random nonce first), bound to `context`: it opens
    /// only with this key and only at that context.
    pub fn seal(&self, context: &[u8], clear: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).expect("the operating system's random source");
        let sealed = self
            .payload_key()
            .encrypt((&nonce).into(), Payload { msg: clear, aad: context })
            .expect("sealing a payload in memory cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens what [`FileKey::seal`] sealed at `context`.
    pub fn open(&self, context: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
        let damaged = || {
            Error::input(
                "a sealed value of the store does not open with its key (altered, or moved from another row)",
                "một giá trị đã niêm phong không mở được bằng khóa của kho (đã bị sửa, hoặc chuyển từ dòng khác)",
            )
        };
        if sealed.len() < 24 {
            return Err(damaged());
        }
        let (nonce, body) = sealed.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| damaged())?;
        self.payload_key().decrypt((&nonce).into(), Payload { msg: body, aad: context }).map_err(|_| damaged())
    }
}

/// Opens the keyring of `file` with `credentials`, or creates it (with the user named, or
/// `first_user`) when there is none: the key of a store that is not an SQLCipher file (a
/// hub's PostgreSQL database) but is kept the same way.
pub fn open_keyring(file: &Path, credentials: &Credentials, first_user: &str) -> Result<(Keyring, FileKey)> {
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let ring_path = keyring_path(file);
    match Keyring::load(&ring_path)? {
        Some(keyring) => {
            let unlocked = keyring.unlock(credentials)?;
            Ok((keyring, unlocked.key))
        }
        None => {
            let name = credentials.user.clone().unwrap_or_else(|| first_user.to_string());
            let file_name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let (keyring, key) = Keyring::create(&ring_path, &file_name, &name, &credentials.passphrase)?;
            keyring.save()?;
            Ok((keyring, key))
        }
    }
}

impl PartialEq for FileKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_ref() == other.0.as_ref()
    }
}

/// How one user's key is derived and kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Kdf {
    alg: String,
    #[serde(flatten)]
    cost: Cost,
    salt: String,
}

/// One user of a keyring.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    /// The user's X25519 public key (hex), to which the file key is sealed.
    public: String,
    kdf: Kdf,
    /// The user's X25519 secret key, encrypted with the passphrase's key: nonce, then
    /// ciphertext (hex).
    secret: String,
    /// The file key sealed to `public` (hex).
    file_key: String,
    /// During a re-key: the new file key, sealed to `public`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next_file_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Doc {
    format: String,
    version: u32,
    /// The file the keyring opens (its name), bound into every sealed file key.
    file: String,
    users: Vec<Entry>,
}

/// The keyring beside an encrypted file.
pub struct Keyring {
    path: PathBuf,
    doc: Doc,
}

/// What a passphrase opened.
pub struct Unlocked {
    /// The user's name as the keyring spells it.
    pub user: String,
    pub key: FileKey,
    next: Option<FileKey>,
}

/// The keyring's path for a file: `ledger.sqlite` → `ledger.keys`.
pub fn keyring_path(file: &Path) -> PathBuf {
    file.with_extension("keys")
}

fn corrupt_keyring(what: &str) -> Error {
    Error::input(
        format!("the keyring is damaged ({what}): restore it from a backup, or restore the ledger from its hub"),
        format!("tệp khóa bị hỏng ({what}): hãy khôi phục từ bản sao lưu, hoặc khôi phục sổ từ máy chủ"),
    )
}

/// A name as compared: NFC, trimmed, case folded.
fn name_key(name: &str) -> String {
    text::clean(name).to_lowercase()
}

fn derive(passphrase: &str, kdf: &Kdf) -> Result<Zeroizing<[u8; 32]>> {
    if kdf.alg != "argon2id" {
        return Err(corrupt_keyring("unknown key derivation"));
    }
    let salt = sobaucu_protocol::from_hex(&kdf.salt).ok_or_else(|| corrupt_keyring("salt"))?;
    let params = argon2::Params::new(kdf.cost.m_kib, kdf.cost.t, kdf.cost.p, Some(32))
        .map_err(|_| corrupt_keyring("key derivation parameters"))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = Zeroizing::new([0u8; 32]);
    // The passphrase as typed on any keyboard: NFC, so "ế" typed as one character or as "e"
    // and two marks derives the same key.
    let passphrase: Zeroizing<String> = Zeroizing::new(passphrase.nfc().collect());
    argon
        .hash_password_into(passphrase.as_bytes(), &salt, out.as_mut())
        .map_err(|_| corrupt_keyring("key derivation"))?;
    Ok(out)
}

fn secret_aad(name: &str, public: &str) -> Vec<u8> {
    format!("sobaucu keyring v1|{name}|{public}").into_bytes()
}

fn file_key_info(file: &str) -> Vec<u8> {
    format!("sobaucu file key v1|{file}").into_bytes()
}

/// Checks a new passphrase.
pub fn check_new_passphrase(passphrase: &str) -> Result<()> {
    if passphrase.trim().chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::access(
            "weak_passphrase",
            format!("a passphrase needs at least {MIN_PASSPHRASE_CHARS} characters"),
            format!("mật khẩu cần ít nhất {MIN_PASSPHRASE_CHARS} ký tự"),
        ));
    }
    Ok(())
}

impl Keyring {
    /// Reads the keyring at `path`, if there is one.
    pub fn load(path: &Path) -> Result<Option<Keyring>> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let doc: Doc = serde_json::from_slice(&bytes).map_err(|e| corrupt_keyring(&e.to_string()))?;
        if doc.format != FORMAT || doc.version != VERSION {
            return Err(corrupt_keyring("not a keyring of this version"));
        }
        if doc.users.is_empty() {
            return Err(corrupt_keyring("no user"));
        }
        Ok(Some(Keyring { path: path.to_path_buf(), doc }))
    }

    /// A new keyring for `file` with one user and a new file key (not yet saved).
    fn create(path: &Path, file: &str, name: &str, passphrase: &str) -> Result<(Keyring, FileKey)> {
        let key = FileKey::random();
        let mut ring = Keyring {
            path: path.to_path_buf(),
            doc: Doc { format: FORMAT.into(), version: VERSION, file: file.into(), users: Vec::new() },
        };
        ring.add(name, passphrase, &key)?;
        Ok((ring, key))
    }

    /// The users' names, in the order they were added.
    pub fn users(&self) -> Vec<String> {
        self.doc.users.iter().map(|u| u.name.clone()).collect()
    }

    fn find(&self, name: &str) -> Option<usize> {
        let wanted = name_key(name);
        self.doc.users.iter().position(|u| name_key(&u.name) == wanted)
    }

    /// Opens the file key with a user's passphrase.
    pub fn unlock(&self, credentials: &Credentials) -> Result<Unlocked> {
        let index = match &credentials.user {
            Some(name) => self.find(name).ok_or_else(|| {
                Error::access(
                    "unknown_user",
                    format!("no user `{name}` in this ledger (its users: {})", self.users().join(", ")),
                    format!("sổ không có người dùng `{name}` (người dùng của sổ: {})", self.users().join(", ")),
                )
            })?,
            None if self.doc.users.len() == 1 => 0,
            None => {
                return Err(Error::access(
                    "choose_user",
                    format!(
                        "this ledger has several users: say which with --user NAME or $SOBAUCU_USER ({})",
                        self.users().join(", ")
                    ),
                    format!(
                        "sổ có nhiều người dùng: hãy chọn bằng --user TÊN hoặc $SOBAUCU_USER ({})",
                        self.users().join(", ")
                    ),
                ));
            }
        };
        let entry = &self.doc.users[index];
        let secret = self.open_secret(entry, &credentials.passphrase)?;
        let boxed = BoxKey::from_secret(&secret);
        let info = file_key_info(&self.doc.file);
        let open = |hex: &str| -> Result<FileKey> {
            let sealed = sobaucu_protocol::from_hex(hex).ok_or_else(|| corrupt_keyring("file key"))?;
            let plain = Zeroizing::new(boxed.open(&info, &sealed).map_err(|_| corrupt_keyring("file key"))?);
            FileKey::from_slice(&plain)
        };
        let key = open(&entry.file_key)?;
        let next = entry.next_file_key.as_deref().map(open).transpose()?;
        Ok(Unlocked { user: entry.name.clone(), key, next })
    }

    fn open_secret(&self, entry: &Entry, passphrase: &str) -> Result<Zeroizing<[u8; 32]>> {
        let key = derive(passphrase, &entry.kdf)?;
        let bytes = sobaucu_protocol::from_hex(&entry.secret).ok_or_else(|| corrupt_keyring("user key"))?;
        if bytes.len() < 12 {
            return Err(corrupt_keyring("user key"));
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let cipher = ChaCha20Poly1305::new(key.as_ref().into());
        let aad = secret_aad(&entry.name, &entry.public);
        let plain = Zeroizing::new(
            cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: &aad }).map_err(|_| {
                Error::access(
                    "wrong_passphrase",
                    format!("wrong passphrase for `{}`: nothing was opened or changed", entry.name),
                    format!("sai mật khẩu của `{}`: chưa mở hay thay đổi gì", entry.name),
                )
            })?,
        );
        let array: [u8; 32] = plain.as_slice().try_into().map_err(|_| corrupt_keyring("user key"))?;
        Ok(Zeroizing::new(array))
    }

    fn seal_file_key(&self, public: &str, key: &FileKey) -> Result<String> {
        let public: [u8; 32] = array_from_hex(public, "a user's key").map_err(|_| corrupt_keyring("user key"))?;
        let sealed = BoxKey::seal_to(&public, &file_key_info(&self.doc.file), key.0.as_ref())
            .map_err(|_| corrupt_keyring("user key"))?;
        Ok(to_hex(&sealed))
    }

    /// Adds a user who opens `key` with `passphrase` (not yet saved).
    pub fn add(&mut self, name: &str, passphrase: &str, key: &FileKey) -> Result<()> {
        let name = text::clean(name);
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            return Err(Error::field(
                "name",
                "a user's name has 1 to 64 characters",
                "tên người dùng có từ 1 đến 64 ký tự",
            ));
        }
        if self.find(&name).is_some() {
            return Err(Error::input(
                format!("there is already a user `{name}`"),
                format!("đã có người dùng `{name}`"),
            ));
        }
        check_new_passphrase(passphrase)?;
        let mut secret = Zeroizing::new([0u8; 32]);
        getrandom::fill(secret.as_mut()).expect("the operating system's random source");
        let public = to_hex(&BoxKey::from_secret(&secret).public());
        let entry = self.wrap(&name, &public, &secret, passphrase, key, None)?;
        self.doc.users.push(entry);
        Ok(())
    }

    fn wrap(
        &self,
        name: &str,
        public: &str,
        secret: &[u8; 32],
        passphrase: &str,
        key: &FileKey,
        next: Option<&FileKey>,
    ) -> Result<Entry> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).expect("the operating system's random source");
        let kdf = Kdf { alg: "argon2id".into(), cost: new_cost(), salt: to_hex(&salt) };
        let wrapping = derive(passphrase, &kdf)?;
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).expect("the operating system's random source");
        let cipher = ChaCha20Poly1305::new(wrapping.as_ref().into());
        let aad = secret_aad(name, public);
        let ciphertext = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: secret, aad: &aad })
            .expect("encrypting in memory");
        let mut sealed_secret = nonce.to_vec();
        sealed_secret.extend_from_slice(&ciphertext);
        Ok(Entry {
            name: name.to_string(),
            public: public.to_string(),
            kdf,
            secret: to_hex(&sealed_secret),
            file_key: self.seal_file_key(public, key)?,
            next_file_key: next.map(|k| self.seal_file_key(public, k)).transpose()?,
        })
    }

    /// Removes a user (not yet saved; the file must then be re-keyed).
    pub fn remove(&mut self, name: &str) -> Result<String> {
        let index = self.find(name).ok_or_else(|| {
            Error::not_found(format!("no user `{name}` in this ledger"), format!("sổ không có người dùng `{name}`"))
        })?;
        if self.doc.users.len() == 1 {
            return Err(Error::input(
                "the last user of a ledger cannot be removed",
                "không thể xóa người dùng cuối cùng của sổ",
            ));
        }
        Ok(self.doc.users.remove(index).name)
    }

    /// Gives a user a new passphrase, with the user's current one (not yet saved).
    pub fn change_passphrase(&mut self, name: &str, old: &str, new: &str, key: &FileKey) -> Result<()> {
        check_new_passphrase(new)?;
        let index = self.find(name).ok_or_else(|| {
            Error::not_found(format!("no user `{name}` in this ledger"), format!("sổ không có người dùng `{name}`"))
        })?;
        let entry = self.doc.users[index].clone();
        let secret = self.open_secret(&entry, old)?;
        self.doc.users[index] = self.wrap(&entry.name, &entry.public, &secret, new, key, None)?;
        Ok(())
    }

    /// Seals `next` to every user beside the current key: the first step of a re-key.
    fn begin_rekey(&mut self, next: &FileKey) -> Result<()> {
        for i in 0..self.doc.users.len() {
            let sealed = self.seal_file_key(&self.doc.users[i].public, next)?;
            self.doc.users[i].next_file_key = Some(sealed);
        }
        Ok(())
    }

    /// Makes the next key the current one: the last step of a re-key.
    fn finish_rekey(&mut self) {
        for user in &mut self.doc.users {
            if let Some(next) = user.next_file_key.take() {
                user.file_key = next;
            }
        }
    }

    /// Writes the keyring whole and durably, readable by its owner only.
    pub fn save(&self) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(&self.doc).expect("a keyring serialises");
        crate::files::write_whole(&self.path, &bytes)?;
        owner_only(&self.path)?;
        Ok(())
    }
}

/// Restricts a file or folder to its owner (0600 / 0700); nothing to do where there are no
/// Unix permissions.
pub fn owner_only(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if path.is_dir() { 0o700 } else { 0o600 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

/// Creates a folder (and its parents) owner-only.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    if !dir.exists() {
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        }
        #[cfg(not(unix))]
        std::fs::create_dir_all(dir)?;
    }
    Ok(())
}

/// Whether the file at `path` is a plain (unencrypted) SQLite file.
pub fn is_plain(path: &Path) -> Result<bool> {
    let mut header = [0u8; 16];
    match std::fs::File::open(path) {
        Ok(mut f) => Ok(f.read_exact(&mut header).is_ok() && &header == PLAIN_HEADER),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Whether a file (encrypted or plain) or its keyring exists at `path`.
pub fn exists(path: &Path) -> bool {
    path.exists() || keyring_path(path).exists()
}

/// An open encrypted file.
pub struct Opened {
    pub conn: Connection,
    pub user: String,
    pub key: FileKey,
    pub keyring: Keyring,
    /// The file and its keyring were created by this open.
    pub created: bool,
    /// A plain file was encrypted by this open.
    pub migrated: bool,
}

/// Opens the encrypted file at `path` with `credentials`: creates it and its keyring (with
/// the user named, or `first_user`) when neither exists, encrypts a plain file found there
/// (keeping every record), completes a re-key a crash interrupted. A wrong or missing
/// passphrase changes nothing.
pub fn open(path: &Path, credentials: &Credentials, first_user: &str) -> Result<Opened> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let ring_path = keyring_path(path);
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match Keyring::load(&ring_path)? {
        Some(mut keyring) => {
            let unlocked = keyring.unlock(credentials)?;
            let mut migrated = false;
            if is_plain(path)? {
                // A crash between the keyring and the rename of an encryption: do it again.
                encrypt_plain(path, &unlocked.key, || Ok(()))?;
                migrated = true;
            }
            let (conn, key) = match connect(path, &unlocked.key) {
                Ok(conn) => (conn, unlocked.key),
                Err(first) => match &unlocked.next {
                    // A crash during a re-key, after the file took the next key.
                    Some(next) => {
                        let conn = connect(path, next).map_err(|_| first)?;
                        keyring.finish_rekey();
                        keyring.save()?;
                        (conn, next.clone())
                    }
                    None => return Err(first),
                },
            };
            if unlocked.next.is_some() && keyring.doc.users.iter().any(|u| u.next_file_key.is_some()) {
                // A crash before the file took the next key: forget it.
                for user in &mut keyring.doc.users {
                    user.next_file_key = None;
                }
                keyring.save()?;
            }
            Ok(Opened { conn, user: unlocked.user, key, keyring, created: false, migrated })
        }
        None => {
            let name = credentials.user.clone().unwrap_or_else(|| first_user.to_string());
            let (keyring, key) = Keyring::create(&ring_path, &file_name, &name, &credentials.passphrase)?;
            let migrated = is_plain(path)?;
            if migrated {
                encrypt_plain(path, &key, || keyring.save())?;
            } else if path.exists() {
                return Err(Error::input(
                    format!("{}: encrypted, but its keyring {} is missing", path.display(), ring_path.display()),
                    format!("{}: đã mã hóa nhưng thiếu tệp khóa {}", path.display(), ring_path.display()),
                ));
            } else {
                keyring.save()?;
            }
            let conn = connect(path, &key)?;
            let user = keyring.doc.users[0].name.clone();
            Ok(Opened { conn, user, key, keyring, created: !migrated, migrated })
        }
    }
}

/// Opens `path` with `key`, and checks the key opens it.
pub fn connect(path: &Path, key: &FileKey) -> Result<Connection> {
    let conn = Connection::open(path)?;
    // A wrong key is an answer here, not an event for SQLCipher's own log on the error stream.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&key.pragma("key", None))?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => {}
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
            return Err(Error::access(
                "wrong_key",
                format!("{}: the keyring's key does not open this file (a keyring of another ledger?)", path.display()),
                format!("{}: khóa trong tệp khóa không mở được tệp này (tệp khóa của sổ khác?)", path.display()),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    for file in [path.to_path_buf(), with_suffix(path, "-wal"), with_suffix(path, "-shm")] {
        if file.exists() {
            owner_only(&file)?;
        }
    }
    Ok(conn)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Encrypts the plain SQLite file at `path` with `key`: an encrypted copy is written beside
/// it, `before_rename` runs (the keyring is saved), and the copy replaces the plain file.
fn encrypt_plain(path: &Path, key: &FileKey, before_rename: impl FnOnce() -> Result<()>) -> Result<()> {
    let copy = with_suffix(path, ".encrypting");
    let _ = std::fs::remove_file(&copy);
    {
        let plain = Connection::open(path)?;
        // Fold the WAL into the file and drop it, so the plain WAL does not outlive the file.
        plain.pragma_update(None, "journal_mode", "DELETE")?;
        let version: i64 = plain.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        plain.execute("ATTACH DATABASE ?1 AS encrypted KEY ''", [copy.to_string_lossy()])?;
        plain.execute_batch(&key.pragma("key", Some("encrypted")))?;
        plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        plain.execute_batch(&format!("PRAGMA encrypted.user_version = {version}"))?;
        plain.execute_batch("DETACH DATABASE encrypted")?;
    }
    std::fs::File::open(&copy)?.sync_all()?;
    owner_only(&copy)?;
    before_rename()?;
    std::fs::rename(&copy, path)?;
    for stale in [with_suffix(path, "-wal"), with_suffix(path, "-shm"), with_suffix(path, "-journal")] {
        let _ = std::fs::remove_file(stale);
    }
    if let Some(folder) = path.parent().and_then(|dir| std::fs::File::open(dir).ok()) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// Re-keys the open file with a new file key, sealed to every user of `keyring`; crash-safe
/// (see the module's documentation). Other processes that have the file open must reopen it.
pub fn rekey(conn: &Connection, keyring: &mut Keyring) -> Result<FileKey> {
    let next = FileKey::random();
    keyring.begin_rekey(&next)?;
    keyring.save()?;
    // SQLCipher re-keys a file in rollback-journal mode, in one transaction.
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    let rekeyed = conn.execute_batch(&next.pragma("rekey", None));
    conn.pragma_update(None, "journal_mode", "WAL")?;
    rekeyed?;
    keyring.finish_rekey();
    keyring.save()?;
    Ok(next)
}

/// Writes an encrypted, consistent copy of the open file `conn` (whose key is `key`) to `out`
/// with SQLite's online backup, while other connections may keep writing.
pub fn backup_copy(conn: &Connection, key: &FileKey, out: &Path) -> Result<()> {
    let _ = std::fs::remove_file(out);
    let mut copy = Connection::open(out)?;
    copy.execute_batch(&key.pragma("key", None))?;
    {
        let backup = rusqlite::backup::Backup::new(conn, &mut copy)?;
        backup.run_to_completion(4096, std::time::Duration::ZERO, None)?;
    }
    copy.pragma_update(None, "journal_mode", "DELETE")?;
    drop(copy);
    owner_only(out)?;
    Ok(())
}

/// Reads a passphrase kept in a file (a hub's `--key-file`): its first line, without the line
/// break. A file other users may read or write is refused, as SSH refuses such a key.
pub fn read_secret_file(path: &Path) -> Result<Zeroizing<String>> {
    let mut file = std::fs::File::open(path).map_err(|e| {
        Error::input(format!("{}: {e}", path.display()), format!("{}: không đọc được tệp ({e})", path.display()))
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(Error::access(
                "key_file_open",
                format!("{}: other users may read this key file: `chmod 600 {}` first", path.display(), path.display()),
                format!(
                    "{}: người dùng khác đọc được tệp khóa này: hãy `chmod 600 {}` trước",
                    path.display(),
                    path.display()
                ),
            ));
        }
    }
    let mut text = Zeroizing::new(String::new());
    file.read_to_string(&mut text).map_err(|e| {
        Error::input(format!("{}: {e}", path.display()), format!("{}: không đọc được tệp ({e})", path.display()))
    })?;
    let trimmed = Zeroizing::new(text.trim_end_matches(['\n', '\r']).to_string());
    text.zeroize();
    Ok(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(user: Option<&str>, pass: &str) -> Credentials {
        Credentials::new(user, pass)
    }

    fn setup() -> tempfile::TempDir {
        use_cheap_kdf_for_tests();
        tempfile::tempdir().unwrap()
    }

    fn write_secret(conn: &Connection) {
        conn.execute_batch("CREATE TABLE t (name TEXT); INSERT INTO t VALUES ('Lò Thị Ún 079123456789');").unwrap();
    }

    fn contains(path: &Path, needle: &str) -> bool {
        let bytes = std::fs::read(path).unwrap_or_default();
        bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    }

    #[test]
    fn a_new_file_is_encrypted_and_opens_only_with_its_passphrase() {
        let dir = setup();
        let path = dir.path().join("db/ledger.sqlite");
        let opened = open(&path, &creds(Some("Lò Văn Chủ"), "mật khẩu dài"), "chair").unwrap();
        assert!(opened.created);
        assert_eq!(opened.user, "Lò Văn Chủ");
        write_secret(&opened.conn);
        drop(opened);
        assert!(!contains(&path, "079123456789"));
        assert!(!is_plain(&path).unwrap());
        // The same passphrase typed decomposed (NFD) opens it; the user's name in any case.
        let nfd: String = unicode_normalization::UnicodeNormalization::nfd("mật khẩu dài").collect();
        let again = open(&path, &creds(Some("lò văn chủ"), &nfd), "chair").unwrap();
        let name: String = again.conn.query_row("SELECT name FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(name, "Lò Thị Ún 079123456789");
        drop(again);
        let wrong = open(&path, &creds(None, "mật khẩu sai"), "chair").err().unwrap();
        assert_eq!(wrong.kind(), "wrong_passphrase");
        let unknown = open(&path, &creds(Some("ai đó"), "mật khẩu dài"), "chair").err().unwrap();
        assert_eq!(unknown.kind(), "unknown_user");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&keyring_path(&path)), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
        }
    }

    #[test]
    fn a_plain_file_is_encrypted_in_place_with_every_row() {
        let dir = setup();
        let path = dir.path().join("ledger.sqlite");
        {
            let plain = Connection::open(&path).unwrap();
            plain.pragma_update(None, "journal_mode", "WAL").unwrap();
            plain.pragma_update(None, "user_version", 7).unwrap();
            write_secret(&plain);
        }
        assert!(is_plain(&path).unwrap());
        let opened = open(&path, &creds(None, "passphrase 1"), "chair").unwrap();
        assert!(opened.migrated && !opened.created);
        let (name, version): (String, i64) = opened
            .conn
            .query_row("SELECT name, (SELECT user_version FROM pragma_user_version) FROM t", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((name.as_str(), version), ("Lò Thị Ún 079123456789", 7));
        drop(opened);
        assert!(!contains(&path, "079123456789"));
        assert!(!with_suffix(&path, ".encrypting").exists());
    }

    #[test]
    fn users_share_the_file_key_and_a_rekey_shuts_out_a_removed_one() {
        let dir = setup();
        let path = dir.path().join("ledger.sqlite");
        let mut chair = open(&path, &creds(Some("chair"), "chair's passphrase"), "chair").unwrap();
        write_secret(&chair.conn);
        chair.keyring.add("Hà Thị Thư", "secretary's passphrase", &chair.key.clone()).unwrap();
        chair.keyring.save().unwrap();
        let old_ring = std::fs::read(keyring_path(&path)).unwrap();
        let thu = open(&path, &creds(Some("Hà Thị Thư"), "secretary's passphrase"), "chair").unwrap();
        assert!(thu.key == chair.key);
        drop(thu);
        // Several users: one must be named.
        assert_eq!(open(&path, &creds(None, "chair's passphrase"), "x").err().unwrap().kind(), "choose_user");
        chair.keyring.remove("hà thị thư").unwrap();
        let new_key = rekey(&chair.conn, &mut chair.keyring).unwrap();
        assert!(new_key != chair.key);
        drop(chair);
        assert_eq!(
            open(&path, &creds(Some("Hà Thị Thư"), "secretary's passphrase"), "chair").err().unwrap().kind(),
            "unknown_user"
        );
        // With the old keyring kept aside, the removed user's key no longer opens the file.
        let aside = dir.path().join("aside.keys");
        std::fs::write(&aside, &old_ring).unwrap();
        let ring = Keyring::load(&aside).unwrap().unwrap();
        let old = ring.unlock(&creds(Some("Hà Thị Thư"), "secretary's passphrase")).unwrap();
        assert_eq!(connect(&path, &old.key).err().unwrap().kind(), "wrong_key");
        let back = open(&path, &creds(None, "chair's passphrase"), "chair").unwrap();
        let n: i64 = back.conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn a_rekey_interrupted_at_either_step_still_opens() {
        let dir = setup();
        let path = dir.path().join("ledger.sqlite");
        let mut first = open(&path, &creds(None, "passphrase 1"), "chair").unwrap();
        write_secret(&first.conn);
        // Crash after the keyring got the next key, before the file took it.
        let next = FileKey::random();
        first.keyring.begin_rekey(&next).unwrap();
        first.keyring.save().unwrap();
        drop(first);
        let second = open(&path, &creds(None, "passphrase 1"), "chair").unwrap();
        assert!(second.keyring.doc.users.iter().all(|u| u.next_file_key.is_none()));
        // Crash after the file took the next key, before the keyring dropped the old one.
        let mut second = second;
        let next = FileKey::random();
        second.keyring.begin_rekey(&next).unwrap();
        second.keyring.save().unwrap();
        second.conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        second.conn.execute_batch(&next.pragma("rekey", None)).unwrap();
        drop(second);
        let third = open(&path, &creds(None, "passphrase 1"), "chair").unwrap();
        assert!(third.key == next);
        let n: i64 = third.conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn a_passphrase_change_needs_the_old_one() {
        let dir = setup();
        let path = dir.path().join("ledger.sqlite");
        let mut opened = open(&path, &creds(None, "passphrase 1"), "chair").unwrap();
        let key = opened.key.clone();
        assert_eq!(
            opened.keyring.change_passphrase("chair", "not it at all", "passphrase 2", &key).err().unwrap().kind(),
            "wrong_passphrase"
        );
        assert_eq!(
            opened.keyring.change_passphrase("chair", "passphrase 1", "short", &key).err().unwrap().kind(),
            "weak_passphrase"
        );
        opened.keyring.change_passphrase("chair", "passphrase 1", "passphrase 2", &key).unwrap();
        opened.keyring.save().unwrap();
        drop(opened);
        assert!(open(&path, &creds(None, "passphrase 1"), "chair").is_err());
        assert!(open(&path, &creds(None, "passphrase 2"), "chair").is_ok());
    }
}
