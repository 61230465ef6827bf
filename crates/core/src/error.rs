//! The core's one error type. Every message says what went wrong and where (file, line, field,
//! record id) and never repeats a voter's personal data. Each error carries an English message
//! and a Vietnamese one; the adapters map [`Error::kind`] to their own payloads.

use serde::Serialize;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem with one field of one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    pub message_vi: String,
}

impl FieldError {
    pub fn new(field: &str, en: impl Into<String>, vi: impl Into<String>) -> Self {
        FieldError { field: field.to_string(), message: en.into(), message_vi: vi.into() }
    }
}

/// Where in an input file a problem sits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub file: String,
    /// 1-based line (CSV, JSONL) or spreadsheet row.
    pub line: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}", join_fields(.0))]
    Validation(Vec<FieldError>),
    #[error("{en}")]
    NotFound { en: String, vi: String },
    #[error("{en}")]
    Scope { en: String, vi: String },
    #[error("{en}")]
    Input { en: String, vi: String },
    #[error("{}:{}: {}", .place.file, .place.line, .inner)]
    At { place: Place, inner: Box<Error> },
    #[error("no ledger in {0}: run `sobaucu --data DIR init` first")]
    NotInitialized(String),
    #[error("a ledger already exists in {0}")]
    AlreadyInitialized(String),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    /// An error of a database other than SQLite (a hub's PostgreSQL).
    #[error("database error: {0}")]
    Database(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A change from another node refused by the trust rules (`kind` names the rule, as in the
    /// sync protocol's refusals).
    #[error("{en}")]
    Refused { kind: &'static str, en: String, vi: String },
    /// Who may open or do what: a wrong or missing passphrase, an unknown user, an action the
    /// user's role does not allow (`kind` names which).
    #[error("{en}")]
    Access { kind: &'static str, en: String, vi: String },
    /// Not a failure: a previewed import, rolled back on purpose, carrying what it found.
    #[error("preview only: nothing was written")]
    Preview(Box<crate::transfer::ImportSummary>),
}

impl From<sobaucu_protocol::ProtocolError> for Error {
    fn from(e: sobaucu_protocol::ProtocolError) -> Self {
        Error::input(e.to_string(), format!("dữ liệu đồng bộ không hợp lệ: {e}"))
    }
}

fn join_fields(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("field `{}`: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
}

impl Error {
    pub fn input(en: impl Into<String>, vi: impl Into<String>) -> Self {
        Error::Input { en: en.into(), vi: vi.into() }
    }
    pub fn not_found(en: impl Into<String>, vi: impl Into<String>) -> Self {
        Error::NotFound { en: en.into(), vi: vi.into() }
    }
    pub fn scope(en: impl Into<String>, vi: impl Into<String>) -> Self {
        Error::Scope { en: en.into(), vi: vi.into() }
    }
    pub fn refused(kind: &'static str, en: impl Into<String>, vi: impl Into<String>) -> Self {
        Error::Refused { kind, en: en.into(), vi: vi.into() }
    }
    pub fn access(kind: &'static str, en: impl Into<String>, vi: impl Into<String>) -> Self {
        Error::Access { kind, en: en.into(), vi: vi.into() }
    }
    pub fn field(field: &str, en: impl Into<String>, vi: impl Into<String>) -> Self {
        Error::Validation(vec![FieldError::new(field, en, vi)])
    }

    /// Places this error at a line of a file (imports).
    pub fn at(self, file: &str, line: usize) -> Self {
        Error::At { place: Place { file: file.to_string(), line }, inner: Box::new(self) }
    }

    /// A short machine-readable name for the kind of error, used by the adapters.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Validation(_) => "validation",
            Error::NotFound { .. } => "not_found",
            Error::Scope { .. } => "scope",
            Error::Input { .. } => "input",
            Error::At { inner, .. } => inner.kind(),
            Error::NotInitialized(_) => "not_initialized",
            Error::AlreadyInitialized(_) => "already_initialized",
            Error::Sql(_) | Error::Database(_) | Error::Io(_) => "internal",
            Error::Preview(_) => "preview",
            Error::Refused { kind, .. } | Error::Access { kind, .. } => kind,
        }
    }

    /// The field errors of a validation error (also through a file place).
    pub fn fields(&self) -> &[FieldError] {
        match self {
            Error::Validation(fields) => fields,
            Error::At { inner, .. } => inner.fields(),
            _ => &[],
        }
    }

    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Error::Validation(errors) => {
                errors.iter().map(|e| format!("trường `{}`: {}", e.field, e.message_vi)).collect::<Vec<_>>().join("; ")
            }
            Error::NotFound { vi, .. }
            | Error::Scope { vi, .. }
            | Error::Input { vi, .. }
            | Error::Refused { vi, .. }
            | Error::Access { vi, .. } => vi.clone(),
            Error::At { place, inner } => {
                format!("{}, dòng {}: {}", place.file, place.line, inner.message_vi())
            }
            Error::NotInitialized(dir) => {
                format!("Chưa có sổ trong {dir}: hãy chạy `sobaucu --data DIR init` trước")
            }
            Error::AlreadyInitialized(dir) => format!("Đã có sổ trong {dir}"),
            Error::Sql(e) => format!("Lỗi cơ sở dữ liệu: {e}"),
            Error::Database(e) => format!("Lỗi cơ sở dữ liệu: {e}"),
            Error::Io(e) => format!("Lỗi tệp: {e}"),
            Error::Preview(_) => "chỉ xem trước: chưa ghi gì".to_string(),
        }
    }
}
