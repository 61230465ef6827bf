//! The SQL that a ledger's file and a hub's store share (the change log, the trust rules, the
//! sync link: [`crate::log`], [`crate::trust`], [`crate::link`]), over either database a store
//! may live in: SQLite (every ledger, and a hub by default) or PostgreSQL (a hub that outgrew
//! one machine's file). The SQL is written once, in the dialect both accept (`ON CONFLICT`
//! rather than `INSERT OR IGNORE`, `RETURNING` rather than `last_insert_rowid()`, `CASE`
//! rather than the two-argument `max`, `CAST(.. AS BIGINT)`); the few statements that differ
//! ask [`Sql::dialect`]. Parameters are `?1`, `?2`, … as SQLite writes them (a PostgreSQL
//! backend renumbers them `$1`, `$2`, …). Integers are 64-bit on both sides.
//!
//! The PostgreSQL backend lives in the hub's crate (this crate does no network work); the
//! SQLite one is here.

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};

use crate::error::{Error, Result};

/// Which SQL a backend speaks where the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A value in or out of the database.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Cell {
    #[default]
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<i64> for Cell {
    fn from(v: i64) -> Cell {
        Cell::Int(v)
    }
}
impl From<u64> for Cell {
    fn from(v: u64) -> Cell {
        Cell::Int(v.min(i64::MAX as u64) as i64)
    }
}
impl From<u32> for Cell {
    fn from(v: u32) -> Cell {
        Cell::Int(v as i64)
    }
}
impl From<u8> for Cell {
    fn from(v: u8) -> Cell {
        Cell::Int(v as i64)
    }
}
impl From<usize> for Cell {
    fn from(v: usize) -> Cell {
        Cell::Int(v.min(i64::MAX as usize) as i64)
    }
}
impl From<bool> for Cell {
    fn from(v: bool) -> Cell {
        Cell::Int(v as i64)
    }
}
impl From<&str> for Cell {
    fn from(v: &str) -> Cell {
        Cell::Text(v.to_string())
    }
}
impl From<String> for Cell {
    fn from(v: String) -> Cell {
        Cell::Text(v)
    }
}
impl From<&String> for Cell {
    fn from(v: &String) -> Cell {
        Cell::Text(v.clone())
    }
}
impl From<Vec<u8>> for Cell {
    fn from(v: Vec<u8>) -> Cell {
        Cell::Blob(v)
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map_or(Cell::Null, Into::into)
    }
}

/// The arguments of a statement: `args![a, b]`.
#[macro_export]
macro_rules! args {
    ($($v:expr),* $(,)?) => { &[$($crate::db::Cell::from($v)),*][..] };
}

fn bad_column(i: usize, wanted: &str) -> Error {
    Error::input(
        format!("the database holds something unexpected in column {i} (wanted {wanted})"),
        format!("cơ sở dữ liệu chứa giá trị không đúng ở cột {i} (cần {wanted})"),
    )
}

/// A row read.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Cell>);

impl Row {
    pub fn cell(&self, i: usize) -> &Cell {
        self.0.get(i).unwrap_or(&Cell::Null)
    }
    pub fn take(&mut self, i: usize) -> Cell {
        self.0.get_mut(i).map(std::mem::take).unwrap_or(Cell::Null)
    }
    pub fn i64(&self, i: usize) -> Result<i64> {
        self.opt_i64(i)?.ok_or_else(|| bad_column(i, "a number"))
    }
    pub fn u64(&self, i: usize) -> Result<u64> {
        Ok(self.i64(i)?.max(0) as u64)
    }
    pub fn opt_i64(&self, i: usize) -> Result<Option<i64>> {
        match self.cell(i) {
            Cell::Null => Ok(None),
            Cell::Int(v) => Ok(Some(*v)),
            Cell::Text(t) => t.parse().map(Some).map_err(|_| bad_column(i, "a number")),
            Cell::Blob(_) => Err(bad_column(i, "a number")),
        }
    }
    pub fn text(&self, i: usize) -> Result<String> {
        self.opt_text(i)?.ok_or_else(|| bad_column(i, "a text"))
    }
    pub fn opt_text(&self, i: usize) -> Result<Option<String>> {
        match self.cell(i) {
            Cell::Null => Ok(None),
            Cell::Text(t) => Ok(Some(t.clone())),
            Cell::Int(v) => Ok(Some(v.to_string())),
            Cell::Blob(b) => String::from_utf8(b.clone()).map(Some).map_err(|_| bad_column(i, "a text")),
        }
    }
    pub fn blob(&self, i: usize) -> Result<Vec<u8>> {
        self.opt_blob(i)?.ok_or_else(|| bad_column(i, "bytes"))
    }
    pub fn opt_blob(&self, i: usize) -> Result<Option<Vec<u8>>> {
        match self.cell(i) {
            Cell::Null => Ok(None),
            Cell::Blob(b) => Ok(Some(b.clone())),
            Cell::Text(t) => Ok(Some(t.as_bytes().to_vec())),
            Cell::Int(_) => Err(bad_column(i, "bytes")),
        }
    }
}

/// A database a store's shared SQL runs on (the trait a store's backend implements).
pub trait Sql {
    fn dialect(&self) -> Dialect;
    /// Runs one statement; the number of rows it changed.
    fn exec(&self, sql: &str, args: &[Cell]) -> Result<usize>;
    /// Runs one statement and reads every row it gives.
    fn rows(&self, sql: &str, args: &[Cell]) -> Result<Vec<Row>>;
    /// Runs statements without arguments (a migration).
    fn batch(&self, sql: &str) -> Result<()>;
    /// Whether a transaction is open on this connection.
    fn in_transaction(&self) -> bool;
    /// Opens a transaction: a writing one takes the store's write lock at once (writers take
    /// turns, so the log's positions are given in the order they become visible); a reading
    /// one sees one moment of the store throughout.
    fn begin(&self, write: bool) -> Result<()>;
    fn commit(&self) -> Result<()>;
    fn rollback(&self) -> Result<()>;
    /// A payload (a change's fields, bases and author) as it is stored: as it is where the
    /// whole file is encrypted (SQLite through SQLCipher), sealed with the store's own key
    /// where the database is another's to read (PostgreSQL). `context` binds the sealed value
    /// to its place (it cannot be moved to another row).
    fn seal(&self, _context: &str, clear: Option<String>) -> Result<Cell> {
        Ok(clear.into())
    }
    /// What [`Sql::seal`] stored.
    fn unseal(&self, _context: &str, stored: Cell) -> Result<Option<String>> {
        Ok(match stored {
            Cell::Null => None,
            Cell::Text(t) => Some(t),
            Cell::Int(v) => Some(v.to_string()),
            Cell::Blob(b) => Some(String::from_utf8(b).map_err(|_| bad_column(0, "a text"))?),
        })
    }

    /// The first row a statement gives, if any.
    fn row(&self, sql: &str, args: &[Cell]) -> Result<Option<Row>> {
        Ok(self.rows(sql, args)?.into_iter().next())
    }
    /// The number in the first column of the first row (None: no row, or NULL).
    fn number(&self, sql: &str, args: &[Cell]) -> Result<Option<i64>> {
        match self.row(sql, args)? {
            Some(r) => r.opt_i64(0),
            None => Ok(None),
        }
    }
}

/// A transaction on a [`Sql`] database, rolled back when dropped without [`Tx::commit`]. Inside a
/// transaction already open (a ledger's own), it is part of that one.
pub struct Tx<'a> {
    db: &'a dyn Sql,
    own: bool,
    done: bool,
}

impl<'a> Tx<'a> {
    pub fn write(db: &'a dyn Sql) -> Result<Tx<'a>> {
        Tx::begin(db, true)
    }
    pub fn read(db: &'a dyn Sql) -> Result<Tx<'a>> {
        Tx::begin(db, false)
    }
    fn begin(db: &'a dyn Sql, write: bool) -> Result<Tx<'a>> {
        let own = !db.in_transaction();
        if own {
            db.begin(write)?;
        }
        Ok(Tx { db, own, done: false })
    }
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        if self.own { self.db.commit() } else { Ok(()) }
    }
}

impl<'a> std::ops::Deref for Tx<'a> {
    type Target = dyn Sql + 'a;
    fn deref(&self) -> &(dyn Sql + 'a) {
        self.db
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.own && !self.done {
            let _ = self.db.rollback();
        }
    }
}

impl ToSql for Cell {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Cell::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Cell::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Cell::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            Cell::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

fn sqlite_row(r: &rusqlite::Row<'_>, n: usize) -> rusqlite::Result<Row> {
    let mut cells = Vec::with_capacity(n);
    for i in 0..n {
        cells.push(match r.get_ref(i)? {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(v) => Cell::Int(v),
            ValueRef::Real(v) => Cell::Int(v as i64),
            ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
        });
    }
    Ok(Row(cells))
}

impl Sql for Connection {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
    fn exec(&self, sql: &str, args: &[Cell]) -> Result<usize> {
        Ok(self.prepare_cached(sql)?.execute(rusqlite::params_from_iter(args))?)
    }
    fn rows(&self, sql: &str, args: &[Cell]) -> Result<Vec<Row>> {
        let mut stmt = self.prepare_cached(sql)?;
        let n = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(sqlite_row(r, n)?);
        }
        Ok(out)
    }
    fn batch(&self, sql: &str) -> Result<()> {
        Ok(self.execute_batch(sql)?)
    }
    fn in_transaction(&self) -> bool {
        !self.is_autocommit()
    }
    fn begin(&self, write: bool) -> Result<()> {
        Ok(self.execute_batch(if write { "BEGIN IMMEDIATE" } else { "BEGIN DEFERRED" })?)
    }
    fn commit(&self) -> Result<()> {
        Ok(self.execute_batch("COMMIT")?)
    }
    fn rollback(&self) -> Result<()> {
        Ok(self.execute_batch("ROLLBACK")?)
    }
}

macro_rules! sqlite_db_through_deref {
    ($t:ty) => {
        impl Sql for $t {
            fn dialect(&self) -> Dialect {
                Dialect::Sqlite
            }
            fn exec(&self, sql: &str, args: &[Cell]) -> Result<usize> {
                <Connection as Sql>::exec(self, sql, args)
            }
            fn rows(&self, sql: &str, args: &[Cell]) -> Result<Vec<Row>> {
                <Connection as Sql>::rows(self, sql, args)
            }
            fn batch(&self, sql: &str) -> Result<()> {
                <Connection as Sql>::batch(self, sql)
            }
            fn in_transaction(&self) -> bool {
                true
            }
            fn begin(&self, write: bool) -> Result<()> {
                <Connection as Sql>::begin(self, write)
            }
            fn commit(&self) -> Result<()> {
                <Connection as Sql>::commit(self)
            }
            fn rollback(&self) -> Result<()> {
                <Connection as Sql>::rollback(self)
            }
        }
    };
}
sqlite_db_through_deref!(rusqlite::Transaction<'_>);
sqlite_db_through_deref!(rusqlite::Savepoint<'_>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transaction_dropped_without_commit_changes_nothing() {
        let conn = Connection::open_in_memory().unwrap();
        conn.batch("CREATE TABLE t (a INTEGER)").unwrap();
        {
            let tx = Tx::write(&conn).unwrap();
            tx.exec("INSERT INTO t (a) VALUES (?1)", args![1i64]).unwrap();
        }
        assert_eq!(conn.number("SELECT count(*) FROM t", &[]).unwrap(), Some(0));
        let tx = Tx::write(&conn).unwrap();
        tx.exec("INSERT INTO t (a) VALUES (?1)", args![2i64]).unwrap();
        // A transaction inside one already open is part of it.
        let inner = Tx::read(&*tx).unwrap();
        assert_eq!(inner.number("SELECT max(a) FROM t", &[]).unwrap(), Some(2));
        inner.commit().unwrap();
        tx.commit().unwrap();
        assert_eq!(conn.number("SELECT count(*) FROM t", &[]).unwrap(), Some(1));
    }
}
