//! The column-wise encoding of a list of changes. All record ids travel together, all clocks
//! together, and each field's values together, so zstd sees runs of alike data: a voter list
//! costs about what its fields cost as CSV. Integers are varints; ids, sequence numbers and
//! clocks are deltas; node ids and strings go through per-batch dictionaries. Chain heads (64
//! bytes) and withheld changes (a 32-byte digest) are sparse columns of their own.
//!
//! The decoder trusts nothing: every count is checked against [`Limits`] and against the bytes
//! left before anything is allocated for it, every sequence number, counter and clock against
//! the range a ledger can store, and it never panics.

use std::collections::HashMap;

use crate::{Change, Limits, NodeId, ProtocolError, Value, Withheld};

/// The largest sequence number, record counter or clock a ledger stores (SQLite's INTEGER).
pub const MAX_NUMBER: u64 = i64::MAX as u64;

/// Appends `n` as a LEB128 varint.
pub fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

/// A reader over a byte slice that reports where it ran out.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn left(&self) -> usize {
        self.bytes.len() - self.pos
    }

    pub fn varint(&mut self) -> Result<u64, ProtocolError> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.pos).ok_or(ProtocolError::Truncated(self.pos))?;
            self.pos += 1;
            if shift == 63 && byte > 1 {
                break;
            }
            n |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(ProtocolError::Corrupt(format!("a number at byte {} is too long", self.pos)))
    }

    pub fn take(&mut self, len: usize) -> Result<&'a [u8], ProtocolError> {
        let end =
            self.pos.checked_add(len).filter(|&e| e <= self.bytes.len()).ok_or(ProtocolError::Truncated(self.pos))?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    pub fn u64_le(&mut self) -> Result<u64, ProtocolError> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }

    /// A count of items, each of which takes at least `min_bytes` bytes, at most `max`.
    pub fn count(&mut self, max: usize, min_bytes: usize, what: &str) -> Result<usize, ProtocolError> {
        let at = self.pos;
        let n = self.varint()?;
        if n > max as u64 {
            return Err(ProtocolError::OverLimit(format!("{n} {what} at byte {at}")));
        }
        let n = n as usize;
        if n.saturating_mul(min_bytes) > self.left() {
            return Err(ProtocolError::Corrupt(format!("a count of {n} {what} at byte {at} exceeds the data")));
        }
        Ok(n)
    }

    /// A UTF-8 string of at most `max` bytes.
    pub fn string(&mut self, max: usize) -> Result<String, ProtocolError> {
        let len = self.count(max, 1, "bytes of text")?;
        let at = self.pos;
        String::from_utf8(self.take(len)?.to_vec())
            .map_err(|_| ProtocolError::Corrupt(format!("text at byte {at} is not UTF-8")))
    }

    pub fn is_done(&self) -> bool {
        self.pos == self.bytes.len()
    }
}

/// A dictionary that numbers distinct items in order of first use.
struct Dict<T: std::hash::Hash + Eq + Clone> {
    items: Vec<T>,
    index: HashMap<T, u64>,
}

impl<T: std::hash::Hash + Eq + Clone> Dict<T> {
    fn new() -> Self {
        Dict { items: Vec::new(), index: HashMap::new() }
    }
    fn id(&mut self, item: &T) -> u64 {
        if let Some(&i) = self.index.get(item) {
            return i;
        }
        let i = self.items.len() as u64;
        self.items.push(item.clone());
        self.index.insert(item.clone(), i);
        i
    }
}

const TAG_NULL: u8 = 0;
const TAG_FALSE: u8 = 1;
const TAG_TRUE: u8 = 2;
const TAG_INT: u8 = 3;
const TAG_TEXT: u8 = 4;

fn put_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.push(TAG_NULL),
        Value::Bool(false) => out.push(TAG_FALSE),
        Value::Bool(true) => out.push(TAG_TRUE),
        Value::Int(i) => {
            out.push(TAG_INT);
            put_varint(out, zigzag(*i));
        }
        Value::Text(s) => {
            out.push(TAG_TEXT);
            put_varint(out, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
    }
}

fn read_value(r: &mut Reader<'_>, limits: &Limits) -> Result<Value, ProtocolError> {
    let at = r.pos;
    match r.take(1)?[0] {
        TAG_NULL => Ok(Value::Null),
        TAG_FALSE => Ok(Value::Bool(false)),
        TAG_TRUE => Ok(Value::Bool(true)),
        TAG_INT => Ok(Value::Int(unzigzag(r.varint()?))),
        TAG_TEXT => Ok(Value::Text(r.string(limits.max_text)?)),
        other => Err(ProtocolError::Corrupt(format!("unknown value tag {other} at byte {at}"))),
    }
}

/// Encodes changes column by column (uncompressed).
pub fn encode(changes: &[Change]) -> Vec<u8> {
    let mut nodes: Dict<u64> = Dict::new();
    let mut strings: Dict<String> = Dict::new();
    let n = changes.len();
    let mut origin_col = Vec::with_capacity(n);
    let mut seq_col = Vec::with_capacity(n * 2);
    let mut rec_node_col = Vec::with_capacity(n);
    let mut counter_col = Vec::with_capacity(n * 2);
    let mut kind_col = Vec::with_capacity(n);
    let mut unit_col = Vec::with_capacity(n);
    let mut hlc_col = Vec::with_capacity(n * 4);
    let mut names_col = Vec::with_capacity(n * 8);
    let mut bases_col = Vec::with_capacity(n);
    let mut heads_col = Vec::new();
    let mut withheld_col = Vec::new();
    // Authors as runs: (length, string index + 1, or 0 for none); one official typing a whole
    // batch costs three bytes.
    let mut authors_col = Vec::new();
    let mut runs: Vec<(u64, u64)> = Vec::new();
    let (mut heads, mut withheld) = (0u64, 0u64);
    let (mut last_head, mut last_withheld) = (0usize, 0usize);
    // Each field name's values, in the order of the changes.
    let mut values: Vec<Vec<u8>> = Vec::new();
    let mut last_seq: HashMap<u64, u64> = HashMap::new();
    let mut last_counter: HashMap<u64, u64> = HashMap::new();
    let mut last_hlc: u64 = 0;
    // Bases are mostly the creation clocks of older records: each is written as the difference
    // from the previous base, which is smaller than the difference from the change's own clock.
    let mut last_base: u64 = 0;
    for (i, c) in changes.iter().enumerate() {
        put_varint(&mut origin_col, nodes.id(&c.origin.0));
        let prev = last_seq.insert(c.origin.0, c.seq).unwrap_or(0);
        put_varint(&mut seq_col, zigzag(c.seq.wrapping_sub(prev) as i64));
        put_varint(&mut rec_node_col, nodes.id(&c.record_node.0));
        let prev = last_counter.insert(c.record_node.0, c.record_counter).unwrap_or(0);
        put_varint(&mut counter_col, zigzag(c.record_counter.wrapping_sub(prev) as i64));
        put_varint(&mut kind_col, strings.id(&c.kind));
        put_varint(&mut unit_col, strings.id(&c.unit));
        put_varint(&mut hlc_col, zigzag(c.hlc.wrapping_sub(last_hlc) as i64));
        last_hlc = c.hlc;
        put_varint(&mut names_col, c.fields.len() as u64);
        for (name, value) in &c.fields {
            let id = strings.id(name) as usize;
            if values.len() <= id {
                values.resize(id + 1, Vec::new());
            }
            put_value(&mut values[id], value);
            put_varint(&mut names_col, id as u64);
        }
        // A field's bases: clocks (tag 0, then the difference from the previous clock) and
        // references to the changes they are the clocks of (tag: the node's index + 1, then
        // the sequence number).
        let mut names: Vec<&String> = c.bases.iter().map(|(n, _)| n).collect();
        names.extend(c.base_refs.iter().map(|(n, _)| n).filter(|n| !c.bases.iter().any(|(b, _)| b == *n)));
        put_varint(&mut bases_col, names.len() as u64);
        for name in names {
            let clocks = c.bases.iter().find(|(n, _)| n == name).map(|(_, c)| c.as_slice()).unwrap_or_default();
            let refs = c.base_refs.iter().find(|(n, _)| n == name).map(|(_, r)| r.as_slice()).unwrap_or_default();
            put_varint(&mut bases_col, strings.id(name));
            put_varint(&mut bases_col, (clocks.len() + refs.len()) as u64);
            for clock in clocks {
                put_varint(&mut bases_col, 0);
                put_varint(&mut bases_col, zigzag(clock.wrapping_sub(last_base) as i64));
                last_base = *clock;
            }
            for (origin, seq) in refs {
                if *seq == 0 && *origin == c.record_node {
                    // The change that created the record.
                    put_varint(&mut bases_col, 1);
                } else {
                    put_varint(&mut bases_col, nodes.id(&origin.0) + 2);
                    put_varint(&mut bases_col, *seq);
                }
            }
        }
        let author = c.author.as_ref().map(|a| strings.id(a) + 1).unwrap_or(0);
        match runs.last_mut() {
            Some((length, last)) if *last == author => *length += 1,
            _ => runs.push((1, author)),
        }
        if let Some(signature) = &c.head {
            put_varint(&mut heads_col, (i - last_head) as u64);
            heads_col.extend_from_slice(signature);
            last_head = i;
            heads += 1;
        }
        if let Some(w) = &c.withheld {
            put_varint(&mut withheld_col, (i - last_withheld) as u64);
            withheld_col.extend_from_slice(&w.digest);
            put_varint(&mut withheld_col, strings.id(&w.reason));
            last_withheld = i;
            withheld += 1;
        }
    }
    let mut out = Vec::new();
    put_varint(&mut out, n as u64);
    put_varint(&mut out, nodes.items.len() as u64);
    for node in &nodes.items {
        out.extend_from_slice(&node.to_le_bytes());
    }
    put_varint(&mut out, strings.items.len() as u64);
    for s in &strings.items {
        put_varint(&mut out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }
    let mut heads_column = Vec::with_capacity(heads_col.len() + 2);
    put_varint(&mut heads_column, heads);
    heads_column.extend_from_slice(&heads_col);
    put_varint(&mut authors_col, runs.len() as u64);
    for (length, author) in runs {
        put_varint(&mut authors_col, length);
        put_varint(&mut authors_col, author);
    }
    let mut withheld_column = Vec::with_capacity(withheld_col.len() + 2);
    put_varint(&mut withheld_column, withheld);
    withheld_column.extend_from_slice(&withheld_col);
    for column in [
        &origin_col,
        &seq_col,
        &rec_node_col,
        &counter_col,
        &kind_col,
        &unit_col,
        &hlc_col,
        &names_col,
        &bases_col,
        &heads_column,
        &withheld_column,
        &authors_col,
    ] {
        put_varint(&mut out, column.len() as u64);
        out.extend_from_slice(column);
    }
    values.resize(strings.items.len(), Vec::new());
    for column in &values {
        put_varint(&mut out, column.len() as u64);
        out.extend_from_slice(column);
    }
    out
}

fn in_range(n: u64, what: &str, min: u64) -> Result<u64, ProtocolError> {
    if n < min || n > MAX_NUMBER {
        return Err(ProtocolError::Corrupt(format!("{what} {n} is out of range")));
    }
    Ok(n)
}

/// Decodes what [`encode`] wrote, within `limits`; any inconsistency is an error, never a panic.
pub fn decode<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Vec<Change>, ProtocolError> {
    let mut r = Reader::new(bytes);
    // Every change takes at least one byte in each of its nine fixed columns.
    let n = r.count(limits.max_changes, 9, "changes")?;
    let node_count = r.count(usize::MAX, 8, "node ids")?;
    let mut nodes = Vec::with_capacity(node_count);
    for _ in 0..node_count {
        nodes.push(r.u64_le()?);
    }
    let string_count = r.count(usize::MAX, 1, "strings")?;
    let mut strings = Vec::with_capacity(string_count.min(4096));
    for _ in 0..string_count {
        strings.push(r.string(limits.max_text)?);
    }
    let column = |r: &mut Reader<'a>| -> Result<Reader<'a>, ProtocolError> {
        let len = r.count(usize::MAX, 1, "column bytes")?;
        Ok(Reader::new(r.take(len)?))
    };
    let mut origin_c = column(&mut r)?;
    let mut seq_c = column(&mut r)?;
    let mut rec_node_c = column(&mut r)?;
    let mut counter_c = column(&mut r)?;
    let mut kind_c = column(&mut r)?;
    let mut unit_c = column(&mut r)?;
    let mut hlc_c = column(&mut r)?;
    let mut names_c = column(&mut r)?;
    let mut bases_c = column(&mut r)?;
    let mut heads_c = column(&mut r)?;
    let mut withheld_c = column(&mut r)?;
    let mut authors_c = column(&mut r)?;
    let mut values = Vec::with_capacity(string_count.min(4096));
    for _ in 0..string_count {
        values.push(column(&mut r)?);
    }
    if !r.is_done() {
        return Err(ProtocolError::Corrupt("bytes left after the last column".into()));
    }
    let node = |i: u64| {
        nodes
            .get(i as usize)
            .copied()
            .map(NodeId)
            .ok_or_else(|| ProtocolError::Corrupt(format!("node index {i} out of range")))
    };
    let string = |i: u64| {
        strings.get(i as usize).cloned().ok_or_else(|| ProtocolError::Corrupt(format!("string index {i} out of range")))
    };
    let mut out = Vec::with_capacity(n.min(4096));
    let mut last_seq: HashMap<u64, u64> = HashMap::new();
    let mut last_counter: HashMap<u64, u64> = HashMap::new();
    let mut last_hlc: u64 = 0;
    let mut last_base: u64 = 0;
    for _ in 0..n {
        let origin = node(origin_c.varint()?)?;
        let seq = last_seq.get(&origin.0).copied().unwrap_or(0).wrapping_add(unzigzag(seq_c.varint()?) as u64);
        last_seq.insert(origin.0, seq);
        let record_node = node(rec_node_c.varint()?)?;
        let record_counter =
            last_counter.get(&record_node.0).copied().unwrap_or(0).wrapping_add(unzigzag(counter_c.varint()?) as u64);
        last_counter.insert(record_node.0, record_counter);
        let kind = string(kind_c.varint()?)?;
        let unit = string(unit_c.varint()?)?;
        let hlc = last_hlc.wrapping_add(unzigzag(hlc_c.varint()?) as u64);
        last_hlc = hlc;
        let field_count = names_c.count(limits.max_fields, 1, "fields")?;
        let mut fields = Vec::with_capacity(field_count);
        for _ in 0..field_count {
            let id = names_c.varint()?;
            let name = string(id)?;
            let column =
                values.get_mut(id as usize).ok_or_else(|| ProtocolError::Corrupt("value column missing".into()))?;
            fields.push((name, read_value(column, limits)?));
        }
        let base_count = bases_c.count(limits.max_fields, 2, "bases")?;
        let mut bases = Vec::with_capacity(base_count);
        let mut base_refs = Vec::new();
        for _ in 0..base_count {
            let name = string(bases_c.varint()?)?;
            let clock_count = bases_c.count(limits.max_clocks, 1, "clocks")?;
            let mut clocks = Vec::with_capacity(clock_count);
            let mut refs = Vec::new();
            for _ in 0..clock_count {
                match bases_c.varint()? {
                    0 => {
                        last_base = last_base.wrapping_add(unzigzag(bases_c.varint()?) as u64);
                        clocks.push(in_range(last_base, "a base clock", 0)?);
                    }
                    1 => refs.push((record_node, 0)),
                    tag => {
                        let origin = node(tag - 2)?;
                        refs.push((origin, in_range(bases_c.varint()?, "a base's sequence number", 1)?));
                    }
                }
            }
            if !clocks.is_empty() || refs.is_empty() {
                bases.push((name.clone(), clocks));
            }
            if !refs.is_empty() {
                base_refs.push((name, refs));
            }
        }
        out.push(Change {
            origin,
            seq: in_range(seq, "a sequence number", 1)?,
            record_node,
            record_counter: in_range(record_counter, "a record counter", 1)?,
            kind,
            unit,
            // 0 is no clock (the base of a field never set): no change carries it.
            hlc: in_range(hlc, "a clock", 1)?,
            fields,
            bases,
            withheld: None,
            base_refs,
            head: None,
            author: None,
        });
    }
    let run_count = authors_c.count(n, 2, "runs of authors")?;
    let mut at = 0usize;
    for _ in 0..run_count {
        let length = authors_c.varint()? as usize;
        let author = match authors_c.varint()? {
            0 => None,
            i => Some(string(i - 1)?),
        };
        let end = at
            .checked_add(length)
            .filter(|&e| e <= n && length > 0)
            .ok_or_else(|| ProtocolError::Corrupt("a run of authors goes past the last change".into()))?;
        for change in &mut out[at..end] {
            change.author = author.clone();
        }
        at = end;
    }
    if run_count > 0 && at != n {
        return Err(ProtocolError::Corrupt("the runs of authors do not cover every change".into()));
    }
    let head_count = heads_c.count(n, 65, "chain heads")?;
    let mut at = 0usize;
    for _ in 0..head_count {
        at = at.saturating_add(heads_c.varint()? as usize);
        let signature: [u8; 64] = heads_c.take(64)?.try_into().expect("64 bytes");
        let change = out.get_mut(at).ok_or_else(|| ProtocolError::Corrupt("a chain head names no change".into()))?;
        change.head = Some(signature);
    }
    let withheld_count = withheld_c.count(n, 34, "withheld changes")?;
    let mut at = 0usize;
    for _ in 0..withheld_count {
        at = at.saturating_add(withheld_c.varint()? as usize);
        let digest: [u8; 32] = withheld_c.take(32)?.try_into().expect("32 bytes");
        let reason = string(withheld_c.varint()?)?;
        let change =
            out.get_mut(at).ok_or_else(|| ProtocolError::Corrupt("a withheld change names no change".into()))?;
        if !change.fields.is_empty() || !change.bases.is_empty() || !change.base_refs.is_empty() {
            return Err(ProtocolError::Corrupt("a withheld change carries fields".into()));
        }
        change.withheld = Some(Withheld { digest, reason });
    }
    let fixed = [
        &origin_c,
        &seq_c,
        &rec_node_c,
        &counter_c,
        &kind_c,
        &unit_c,
        &hlc_c,
        &names_c,
        &bases_c,
        &heads_c,
        &withheld_c,
        &authors_c,
    ];
    if fixed.into_iter().chain(values.iter()).any(|c| !c.is_done()) {
        return Err(ProtocolError::Corrupt("a column holds more than its changes".into()));
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Int),
            "[a-zA-Zà-ỹĐđ0-9 ,.-]{0,30}".prop_map(Value::Text),
        ]
    }

    pub(crate) fn change() -> impl Strategy<Value = Change> {
        (
            (0u64..4, 1u64..10_000, 0u64..4, 1u64..100_000),
            prop::sample::select(vec!["voter", "candidate", "polling_area"]),
            prop::sample::select(vec!["03637", "106", "12"]),
            1..=MAX_NUMBER,
            prop::collection::vec((prop::sample::select(vec!["full_name", "sex", "ballots", "unit"]), value()), 0..5),
            prop::collection::vec(
                (prop::sample::select(vec!["full_name", "sex"]), prop::collection::vec(0..=MAX_NUMBER, 0..3)),
                0..2,
            ),
            (any::<bool>(), any::<bool>(), any::<[u8; 32]>()),
            prop::collection::vec(
                (
                    prop::sample::select(vec!["occupation", "place"]),
                    prop::collection::vec((0u64..3, 1u64..100_000), 1..3),
                ),
                0..2,
            ),
        )
            .prop_map(|((o, seq, rn, rc), kind, unit, hlc, fields, bases, (head, withheld, bytes), refs)| {
                let mut c = Change {
                    origin: NodeId(0xabc0 + o),
                    seq,
                    record_node: NodeId(0xabc0 + rn),
                    record_counter: rc,
                    kind: kind.to_string(),
                    unit: unit.to_string(),
                    hlc,
                    fields: fields.into_iter().map(|(n, v)| (n.to_string(), v)).collect(),
                    bases: {
                        let mut out: Vec<(String, Vec<u64>)> = Vec::new();
                        for (n, c) in bases {
                            if !out.iter().any(|(o, _)| o == n) {
                                out.push((n.to_string(), c));
                            }
                        }
                        out
                    },
                    withheld: None,
                    author: (o % 3 != 0).then(|| ["Lò Văn Chủ", "Hà Thị Thư"][(o % 2) as usize].to_string()),
                    base_refs: {
                        let mut out: Vec<(String, Vec<(NodeId, u64)>)> = Vec::new();
                        for (name, list) in refs {
                            if !out.iter().any(|(n, _)| n == name) {
                                out.push((
                                    name.to_string(),
                                    list.into_iter().map(|(o, s)| (NodeId(0xbee0 + o), s)).collect(),
                                ));
                            }
                        }
                        // A reference to the record's creation.
                        if rn == 1 && !out.is_empty() {
                            out[0].1.push((NodeId(0xabc0 + rn), 0));
                        }
                        out
                    },
                    head: head.then(|| {
                        let mut s = [0u8; 64];
                        s[..32].copy_from_slice(&bytes);
                        s
                    }),
                };
                if withheld {
                    c.fields.clear();
                    c.bases.clear();
                    c.base_refs.clear();
                    c.author = None;
                    c.withheld = Some(Withheld { digest: bytes, reason: "foreign_record".into() });
                }
                c
            })
    }

    proptest! {
        #[test]
        fn encoding_round_trips(changes in prop::collection::vec(change(), 0..40)) {
            let bytes = encode(&changes);
            prop_assert_eq!(decode(&bytes, &Limits::default()).unwrap(), changes);
        }

        #[test]
        fn damaged_bytes_are_refused_or_decoded_never_a_panic(changes in prop::collection::vec(change(), 1..10), cut in 0usize..400, flip in 0usize..400) {
            let mut bytes = encode(&changes);
            let cut = cut % bytes.len();
            let _ = decode(&bytes[..cut], &Limits::default());
            let flip = flip % bytes.len();
            bytes[flip] ^= 0x5a;
            let _ = decode(&bytes, &Limits::default());
        }

        #[test]
        fn raw_bytes_are_refused_or_decoded_never_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
            let _ = decode(&bytes, &Limits::default());
        }
    }

    fn one(name: &str) -> Change {
        Change {
            origin: NodeId(1),
            seq: 1,
            record_node: NodeId(1),
            record_counter: 1,
            kind: "voter".into(),
            unit: "03637".into(),
            hlc: 9,
            fields: vec![("full_name".into(), Value::Text(name.into()))],
            bases: vec![],
            withheld: None,
            base_refs: Vec::new(),
            head: None,
            author: Some("Lò Văn Chủ".into()),
        }
    }

    #[test]
    fn a_run_of_changes_by_one_author_costs_bytes_a_batch_not_a_change() {
        let batch: Vec<Change> = (1..=100).map(|i| Change { seq: i, record_counter: i, ..one("A") }).collect();
        let anonymous: Vec<Change> = batch.iter().cloned().map(|c| Change { author: None, ..c }).collect();
        let (with, without) = (encode(&batch), encode(&anonymous));
        assert_eq!(decode(&with, &Limits::default()).unwrap(), batch);
        assert!(with.len() <= without.len() + 16, "{} vs {}", with.len(), without.len());
    }

    #[test]
    fn a_reference_to_the_records_creation_takes_one_byte_and_round_trips() {
        let edit = Change {
            base_refs: vec![("place".into(), vec![(NodeId(1), 0)])],
            fields: vec![("place".into(), Value::Text("Bản Hon".into()))],
            ..one("A")
        };
        let with_ref = encode(std::slice::from_ref(&edit));
        assert_eq!(decode(&with_ref, &Limits::default()).unwrap(), vec![edit.clone()]);
        let with_clock = encode(&[Change { base_refs: vec![], bases: vec![("place".into(), vec![1 << 50])], ..edit }]);
        assert!(with_ref.len() + 5 <= with_clock.len(), "{} vs {}", with_ref.len(), with_clock.len());
    }

    #[test]
    fn a_truncated_batch_says_so() {
        let bytes = encode(&[one("Lò Thị Ỏn")]);
        assert!(matches!(
            decode(&bytes[..bytes.len() - 3], &Limits::default()),
            Err(ProtocolError::Truncated(_) | ProtocolError::Corrupt(_))
        ));
    }

    #[test]
    fn counts_beyond_the_limits_are_refused_before_anything_is_allocated() {
        // A count of a billion changes in a few bytes.
        let mut bomb = Vec::new();
        put_varint(&mut bomb, 1_000_000_000);
        bomb.extend_from_slice(&[0; 16]);
        assert!(matches!(decode(&bomb, &Limits::default()), Err(ProtocolError::OverLimit(_))));
        let limits = Limits { max_text: 4, ..Limits::default() };
        assert!(matches!(decode(&encode(&[one("Lò Thị Ỏn")]), &limits), Err(ProtocolError::OverLimit(_))));
        let many: Vec<Change> = (1..=10).map(|i| Change { seq: i, ..one("A") }).collect();
        let limits = Limits { max_changes: 5, ..Limits::default() };
        assert!(matches!(decode(&encode(&many), &limits), Err(ProtocolError::OverLimit(_))));
    }

    #[test]
    fn numbers_a_ledger_cannot_store_are_refused() {
        for bad in [
            Change { hlc: u64::MAX, ..one("A") },
            Change { seq: 0, ..one("A") },
            Change { record_counter: 1 << 63, ..one("A") },
        ] {
            assert!(matches!(decode(&encode(&[bad]), &Limits::default()), Err(ProtocolError::Corrupt(_))));
        }
    }
}
