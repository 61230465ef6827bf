//! Parse, don't validate: input (a form, a JSONL line, a CSV row) becomes a record's canonical
//! field values here, or a list of field errors. Then the rules that span fields or records:
//! sizes by law, age on election day, quorum, complaint deadlines.
//!
//! Messages name the field and the rule, never the person's data.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value};

use crate::error::FieldError;
use crate::ids::RecordId;
use crate::kinds::{BALLOT_LEVELS, Choice, FieldDef, FieldType, Kind, KindDef};
use crate::law::LawVersion;
use crate::text;
use crate::units::Scheme;

/// A record's field values in canonical form (see `ui/README.md`); empty fields are absent.
pub type Fields = BTreeMap<&'static str, Value>;

/// What the rules need to know about the ledger.
pub struct Context<'a> {
    pub law: LawVersion,
    pub scheme: Scheme,
    pub election: NaiveDate,
    /// The local date and time, for deadlines that run to the hour.
    pub now: chrono::NaiveDateTime,
    /// Finds another record's fields (for rules that look across records).
    pub lookup: &'a dyn Lookup,
    /// A conflict being settled: the value chosen is one the merge already holds, and the
    /// record may be known here only in part (another node's record, of which only some
    /// changes arrived), so fields it lacks and the rules across fields are not the
    /// settlement's to judge; only the settled value's own form is.
    pub settling: bool,
    /// The record being changed (None for a new one): rules that say "once" leave it out.
    pub record: Option<RecordId>,
}

/// Read access to other records, for references and cross-record rules.
pub trait Lookup {
    /// The live record with this id, if it is of one of `kinds`.
    fn find(&self, id: &RecordId, kinds: &[Kind]) -> crate::Result<Option<(Kind, Fields)>>;
    /// The ids of live records of `kinds` whose title is `title` (references typed by name).
    fn find_by_title(&self, kinds: &[Kind], title: &str) -> crate::Result<Vec<RecordId>>;
    /// The live records of `kind` whose fields hold exactly these values.
    fn matching(&self, kind: Kind, conditions: &[(&str, &str)]) -> crate::Result<Vec<(RecordId, Fields)>>;
}

const TEXT_MAX: usize = 500;
const LONG_TEXT_MAX: usize = 10_000;

/// The most characters a long text field holds: its own limit, or the usual one.
fn long_text_max(fd: &FieldDef) -> usize {
    if fd.max_chars > 0 { fd.max_chars } else { LONG_TEXT_MAX }
}

/// Applies `input` over `base` (the record's current fields, empty for a new record) and
/// returns the new canonical fields, or every field error found. Keys that are not fields of
/// the kind are errors; computed fields in the input are ignored (they are recomputed).
pub fn parse_fields(
    def: &KindDef,
    base: &Fields,
    input: &Map<String, Value>,
    ctx: &Context<'_>,
) -> Result<Fields, Vec<FieldError>> {
    let mut fields = base.clone();
    let mut errors = Vec::new();
    for (key, value) in input {
        let Some(fd) = def.field(key) else {
            errors.push(FieldError::new(
                key,
                format!("`{key}` is not a field of {}", def.name),
                format!("`{key}` không phải trường của {}", def.vi),
            ));
            continue;
        };
        if fd.computed {
            continue;
        }
        match parse_value(fd, value, ctx) {
            Ok(Some(v)) => {
                fields.insert(fd.name, v);
            }
            Ok(None) => {
                fields.remove(fd.name);
            }
            Err(e) => errors.push(e),
        }
    }
    for fd in def.fields {
        if fd.required
            && !ctx.settling
            && !fd.computed
            && !fields.contains_key(fd.name)
            && !errors.iter().any(|e| e.field == fd.name)
        {
            errors.push(FieldError::new(fd.name, "is required", "bắt buộc phải nhập"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    match rules(def.kind, &mut fields, ctx) {
        Err(e) if !ctx.settling => Err(e),
        _ => Ok(fields),
    }
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parses one field's input into its canonical value (`None`: empty).
pub fn parse_value(fd: &FieldDef, value: &Value, ctx: &Context<'_>) -> Result<Option<Value>, FieldError> {
    if is_blank(value) {
        return Ok(None);
    }
    let bad = |en: String, vi: String| FieldError::new(fd.name, en, vi);
    let wrong_type = || {
        bad(
            format!("expected {}, got {}", describe(&fd.ty), json_type(value)),
            format!("cần {}, nhận được {}", describe_vi(&fd.ty), json_type(value)),
        )
    };
    let parsed = match &fd.ty {
        FieldType::Text | FieldType::LongText => {
            let raw = as_text(value).ok_or_else(wrong_type)?;
            let (cleaned, max) = if matches!(fd.ty, FieldType::Text) {
                (text::clean(&raw), TEXT_MAX)
            } else {
                (clean_long(&raw), long_text_max(fd))
            };
            if cleaned.chars().count() > max {
                return Err(bad(format!("is longer than {max} characters"), format!("dài quá {max} ký tự")));
            }
            Value::String(cleaned)
        }
        FieldType::Int { min, max } => {
            let n = match value {
                Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
                Value::String(s) => parse_int(s),
                _ => None,
            }
            .ok_or_else(|| bad("is not a whole number".into(), "không phải số nguyên".into()))?;
            if n < *min || n > *max {
                return Err(bad(format!("must be between {min} and {max}"), format!("phải từ {min} đến {max}")));
            }
            Value::from(n)
        }
        FieldType::Date => {
            let raw = as_text(value).ok_or_else(wrong_type)?;
            let date = parse_date(&raw).ok_or_else(|| {
                bad(
                    "is not a date (use dd/mm/yyyy or YYYY-MM-DD)".into(),
                    "không phải ngày (nhập dd/mm/yyyy hoặc YYYY-MM-DD)".into(),
                )
            })?;
            Value::String(date.format("%Y-%m-%d").to_string())
        }
        FieldType::PartialDate => {
            let raw = as_text(value).ok_or_else(wrong_type)?;
            let partial = PartialDate::parse(&raw).ok_or_else(|| {
                bad(
                    "is not a date (use dd/mm/yyyy, mm/yyyy or yyyy)".into(),
                    "không phải ngày (nhập dd/mm/yyyy, mm/yyyy hoặc yyyy)".into(),
                )
            })?;
            Value::String(partial.to_string())
        }
        FieldType::Bool => Value::Bool(match value {
            Value::Bool(b) => *b,
            Value::Number(n) if n.as_i64() == Some(1) => true,
            Value::Number(n) if n.as_i64() == Some(0) => false,
            Value::String(s) => match text::fold(s).as_str() {
                "1" | "x" | "true" | "yes" | "co" | "dung" => true,
                "0" | "false" | "no" | "khong" | "sai" => false,
                _ => return Err(bad("is not yes or no".into(), "không phải có hoặc không".into())),
            },
            _ => return Err(wrong_type()),
        }),
        FieldType::Enum(choices) => {
            let raw = as_text(value).ok_or_else(wrong_type)?;
            let choice = match_choice(choices, &raw).ok_or_else(|| unknown_choice(fd, choices))?;
            Value::String(choice.value.to_string())
        }
        FieldType::Levels(choices) => {
            let items: Vec<String> = match value {
                Value::Array(items) => items.iter().filter_map(as_text).collect(),
                other => as_text(other).ok_or_else(wrong_type)?.split([',', ';', '+']).map(str::to_string).collect(),
            };
            let mut chosen = vec![false; choices.len()];
            for item in items.iter().filter(|i| !i.trim().is_empty()) {
                let choice = match_choice(choices, item).ok_or_else(|| unknown_choice(fd, choices))?;
                let index = choices.iter().position(|c| c.value == choice.value).expect("a listed choice");
                chosen[index] = true;
            }
            let joined: Vec<&str> = choices.iter().zip(&chosen).filter(|(_, on)| **on).map(|(c, _)| c.value).collect();
            if joined.is_empty() {
                return Ok(None);
            }
            Value::String(joined.join(","))
        }
        FieldType::Ref(kinds) => {
            let raw = text::clean(&as_text(value).ok_or_else(wrong_type)?);
            let id = match raw.parse::<RecordId>() {
                Ok(id) => id,
                Err(_) => {
                    let ids = ctx.lookup.find_by_title(kinds, &raw).map_err(|e| internal(fd, e))?;
                    match ids.as_slice() {
                        [one] => *one,
                        [] => return Err(missing_ref(fd, kinds)),
                        _ => {
                            return Err(bad(
                                "matches several records by name; give the record id".into(),
                                "trùng tên với nhiều bản ghi; hãy ghi mã bản ghi".into(),
                            ));
                        }
                    }
                }
            };
            if ctx.lookup.find(&id, kinds).map_err(|e| internal(fd, e))?.is_none() {
                return Err(missing_ref(fd, kinds));
            }
            Value::String(id.to_string())
        }
    };
    Ok(Some(parsed))
}

fn internal(fd: &FieldDef, e: crate::Error) -> FieldError {
    FieldError::new(fd.name, e.to_string(), e.message_vi())
}

fn missing_ref(fd: &FieldDef, kinds: &[Kind]) -> FieldError {
    let en: Vec<&str> = kinds.iter().map(|k| k.def().en).collect();
    let vi: Vec<&str> = kinds.iter().map(|k| k.def().vi).collect();
    FieldError::new(
        fd.name,
        format!("refers to no existing record ({})", en.join(" / ")),
        format!("không trỏ tới bản ghi nào đang có ({})", vi.join(" / ")),
    )
}

fn unknown_choice(fd: &FieldDef, choices: &[Choice]) -> FieldError {
    let values: Vec<&str> = choices.iter().map(|c| c.value).collect();
    FieldError::new(
        fd.name,
        format!("must be one of: {}", values.join(", ")),
        format!("phải là một trong: {}", values.join(", ")),
    )
}

fn match_choice<'c>(choices: &'c [Choice], raw: &str) -> Option<&'c Choice> {
    let raw = raw.trim();
    if let Some(c) = choices.iter().find(|c| c.value == raw) {
        return Some(c);
    }
    let folded = text::fold(raw);
    choices.iter().find(|c| text::fold(c.vi) == folded || text::fold(c.en) == folded || text::fold(c.value) == folded)
}

fn clean_long(raw: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let nfc: String = raw.nfc().collect();
    nfc.trim().replace("\r\n", "\n")
}

fn parse_int(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    // Thousands written the Vietnamese way (2.540) or the English way (2,540).
    let groups: Vec<&str> = s.split(['.', ',', ' ']).collect();
    if groups.len() > 1
        && groups[0].len() <= 3
        && !groups[0].is_empty()
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
    {
        return groups.concat().parse().ok();
    }
    None
}

/// Parses `YYYY-MM-DD`, `dd/mm/yyyy` (also with `-` or `.`, one-digit day or month).
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    match PartialDate::parse(raw)? {
        PartialDate::Day(d) => Some(d),
        _ => None,
    }
}

/// A date whose day, or day and month, may be unknown (birth dates on old records).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartialDate {
    Year(i32),
    Month(i32, u32),
    Day(NaiveDate),
}

impl PartialDate {
    pub fn parse(raw: &str) -> Option<PartialDate> {
        let raw = raw.trim();
        let parts: Vec<&str> = raw.split(['/', '-', '.']).map(str::trim).collect();
        if parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
            return None;
        }
        let year_ok = |y: i32| (1880..=2100).contains(&y);
        let parsed = match parts.as_slice() {
            [y] if y.len() == 4 => PartialDate::Year(y.parse().ok()?),
            [y, m] if y.len() == 4 && m.len() <= 2 => PartialDate::Month(y.parse().ok()?, m.parse().ok()?),
            [m, y] if y.len() == 4 && m.len() <= 2 => PartialDate::Month(y.parse().ok()?, m.parse().ok()?),
            [y, m, d] if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
                PartialDate::Day(NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?)
            }
            [d, m, y] if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
                PartialDate::Day(NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?)
            }
            _ => return None,
        };
        let ok = match parsed {
            PartialDate::Year(y) => year_ok(y),
            PartialDate::Month(y, m) => year_ok(y) && (1..=12).contains(&m),
            PartialDate::Day(d) => year_ok(d.year()),
        };
        ok.then_some(parsed)
    }

    /// The date the law counts from: an unknown day is the 1st, an unknown month January.
    pub fn earliest(self) -> NaiveDate {
        match self {
            PartialDate::Year(y) => NaiveDate::from_ymd_opt(y, 1, 1).expect("a valid year"),
            PartialDate::Month(y, m) => NaiveDate::from_ymd_opt(y, m, 1).expect("a valid month"),
            PartialDate::Day(d) => d,
        }
    }

    /// `dd/mm/yyyy`, `mm/yyyy` or `yyyy`, as printed on lists.
    pub fn display(self) -> String {
        match self {
            PartialDate::Year(y) => format!("{y:04}"),
            PartialDate::Month(y, m) => format!("{m:02}/{y:04}"),
            PartialDate::Day(d) => format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year()),
        }
    }
}

impl std::fmt::Display for PartialDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PartialDate::Year(y) => write!(f, "{y:04}"),
            PartialDate::Month(y, m) => write!(f, "{y:04}-{m:02}"),
            PartialDate::Day(d) => write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        }
    }
}

/// Whole years between `birth` and `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Whether someone born on `birth` is 18 by election day (Art 2; unknown day → the 1st,
/// unknown month → January).
pub fn of_voting_age(birth: PartialDate, election: NaiveDate) -> bool {
    age_on(birth.earliest(), election) >= 18
}

fn str_of<'f>(fields: &'f Fields, name: &str) -> Option<&'f str> {
    fields.get(name).and_then(Value::as_str)
}

fn int_of(fields: &Fields, name: &str) -> Option<i64> {
    fields.get(name).and_then(Value::as_i64)
}

fn date_of(fields: &Fields, name: &str) -> Option<NaiveDate> {
    str_of(fields, name).and_then(parse_date)
}

/// Whether the law's data says rule `id` refuses a local save (`assets/law.json`, `rules`).
fn refuses(ctx: &Context<'_>, id: &str) -> bool {
    ctx.law.rules().rule(id).is_some_and(|r| r.refuses_save)
}

fn size_rule(errors: &mut Vec<FieldError>, fields: &Fields, ctx: &Context<'_>, body: &str, level: &str) {
    let (Some(size), Some([min, max])) = (int_of(fields, "size"), ctx.law.rules().size_range(body, level)) else {
        return;
    };
    if !refuses(ctx, "body_size") {
        return;
    }
    if size < min || size > max {
        errors.push(FieldError::new(
            "size",
            format!("the {} law allows {min} to {max} members here", ctx.law.as_str()),
            format!("luật {} quy định từ {min} đến {max} thành viên", ctx.law.as_str()),
        ));
    }
}

fn level_rule(errors: &mut Vec<FieldError>, fields: &Fields, ctx: &Context<'_>, name: &str) {
    if ctx.scheme == Scheme::Y2025 && str_of(fields, name).is_some_and(|v| v.split(',').any(|l| l == "district")) {
        errors.push(FieldError::new(
            name,
            "there is no district council since 2025",
            "từ năm 2025 không còn HĐND cấp huyện",
        ));
    }
}

/// The rules of each kind that span fields or records; also fills computed fields.
fn rules(kind: Kind, fields: &mut Fields, ctx: &Context<'_>) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    match kind {
        Kind::Committee => {
            let level = str_of(fields, "level").unwrap_or_default().to_string();
            size_rule(&mut errors, fields, ctx, "committee", &level);
            if let Some(raw) = str_of(fields, "turnout_hours").map(str::to_string) {
                match parse_hours(&raw) {
                    Some(hours) => {
                        fields.insert("turnout_hours", Value::String(hours.join(", ")));
                    }
                    None => errors.push(FieldError::new(
                        "turnout_hours",
                        "write the hours as HH:MM separated by commas, e.g. 09:00, 11:00, 14:00",
                        "ghi các giờ dạng HH:MM, cách nhau bởi dấu phẩy, ví dụ 09:00, 11:00, 14:00",
                    )),
                }
            }
        }
        Kind::Board => {
            level_rule(&mut errors, fields, ctx, "level");
            let level = str_of(fields, "level").unwrap_or_default().to_string();
            size_rule(&mut errors, fields, ctx, "board", &level);
            if let Some(unit_id) = str_of(fields, "electoral_unit").and_then(|s| s.parse().ok())
                && let Ok(Some((_, unit))) = ctx.lookup.find(&unit_id, &[Kind::ElectoralUnit])
                && str_of(&unit, "level") != Some(level.as_str())
            {
                errors.push(FieldError::new(
                    "electoral_unit",
                    "the electoral unit is for another level of election",
                    "đơn vị bầu cử thuộc cấp bầu cử khác",
                ));
            }
        }
        Kind::Team => {
            let area_kind = str_of(fields, "polling_area")
                .and_then(|s| s.parse().ok())
                .and_then(|id| ctx.lookup.find(&id, &[Kind::PollingArea]).ok().flatten())
                .and_then(|(_, area)| str_of(&area, "area_type").map(str::to_string));
            let body_kind = if area_kind.as_deref() == Some("armed") { "armed" } else { "ordinary" };
            size_rule(&mut errors, fields, ctx, "team", body_kind);
        }
        Kind::ElectoralUnit => {
            level_rule(&mut errors, fields, ctx, "level");
            let max = if str_of(fields, "level") == Some("na") { 3 } else { 5 };
            if int_of(fields, "seats").is_some_and(|s| s > max) {
                errors.push(FieldError::new(
                    "seats",
                    format!("an electoral unit of this level elects at most {max} deputies"),
                    format!("đơn vị bầu cử cấp này bầu tối đa {max} đại biểu"),
                ));
            }
        }
        Kind::PollingArea => {
            let voters = int_of(fields, "voters");
            if str_of(fields, "area_type") == Some("ordinary") && voters.is_some_and(|v| v > 4000) {
                errors.push(FieldError::new(
                    "voters",
                    "a polling area has at most 4,000 voters (Art 11)",
                    "mỗi khu vực bỏ phiếu có không quá 4.000 cử tri (Điều 11)",
                ));
            }
            if str_of(fields, "area_type") == Some("hospital") && voters.is_some_and(|v| v < 50) {
                errors.push(FieldError::new(
                    "voters",
                    "a separate area for a hospital or care home needs at least 50 voters (Art 11)",
                    "khu vực bỏ phiếu riêng ở bệnh viện, cơ sở chăm sóc cần từ 50 cử tri (Điều 11)",
                ));
            }
        }
        Kind::Voter => {
            if let Some(birth) = str_of(fields, "birth_date").and_then(PartialDate::parse) {
                if birth.earliest() > ctx.election {
                    errors.push(FieldError::new("birth_date", "is after election day", "sau ngày bầu cử"));
                } else if !of_voting_age(birth, ctx.election) {
                    errors.push(FieldError::new(
                        "birth_date",
                        "is not 18 by election day",
                        "chưa đủ 18 tuổi tính đến ngày bầu cử",
                    ));
                }
            }
            level_rule(&mut errors, fields, ctx, "ballots");
            let temporary = fields.get("temporary_under_12m") == Some(&Value::Bool(true));
            let detained = str_of(fields, "polling_area")
                .and_then(|s| s.parse().ok())
                .and_then(|id| ctx.lookup.find(&id, &[Kind::PollingArea]).ok().flatten())
                .is_some_and(|(_, area)| str_of(&area, "area_type") == Some("detention"));
            if (temporary || detained)
                && refuses(ctx, "ballots")
                && let Some(ballots) = str_of(fields, "ballots")
                && let Some(message) = restricted_ballots(ctx.law, ballots, detained)
            {
                errors.push(message);
            }
            if let Some(id) = str_of(fields, "id_number")
                && (!(id.len() == 12 || id.len() == 9) || !id.bytes().all(|b| b.is_ascii_digit()))
            {
                errors.push(FieldError::new(
                    "id_number",
                    "must be 12 digits (citizen ID) or 9 (old ID card)",
                    "phải gồm 12 chữ số (CCCD) hoặc 9 chữ số (CMND)",
                ));
            }
        }
        Kind::Candidate => {
            level_rule(&mut errors, fields, ctx, "level");
            if let Some(birth) = date_of(fields, "birth_date")
                && age_on(birth, ctx.election) < 21
            {
                errors.push(FieldError::new(
                    "birth_date",
                    "a candidate must be 21 by election day",
                    "người ứng cử phải đủ 21 tuổi tính đến ngày bầu cử",
                ));
            }
            if let Some(unit_id) = str_of(fields, "electoral_unit").and_then(|s| s.parse().ok())
                && let Ok(Some((_, unit))) = ctx.lookup.find(&unit_id, &[Kind::ElectoralUnit])
                && str_of(&unit, "level") != str_of(fields, "level")
            {
                errors.push(FieldError::new(
                    "electoral_unit",
                    "the electoral unit is for another level of election",
                    "đơn vị bầu cử thuộc cấp bầu cử khác",
                ));
            }
            if fields.contains_key("listed_on") && str_of(fields, "status") != Some("official") {
                errors.push(FieldError::new(
                    "listed_on",
                    "only a candidate on the official list has a listing date",
                    "chỉ người có tên trong danh sách chính thức mới có ngày này",
                ));
            }
        }
        Kind::Consultation => {
            level_rule(&mut errors, fields, ctx, "level");
            let level = str_of(fields, "level").and_then(|l| BALLOT_LEVELS.iter().find(|c| c.value == l));
            if let (Some(round), Some(level)) = (str_of(fields, "round"), level) {
                let title = format!("Hiệp thương lần {round} – {}", level.vi);
                fields.insert("title", Value::String(title));
            }
        }
        Kind::VoterConference => {
            let convened = int_of(fields, "convened").unwrap_or(0);
            let present = int_of(fields, "present").unwrap_or(0);
            if present > convened {
                errors.push(FieldError::new(
                    "present",
                    "cannot exceed the voters convened",
                    "không thể nhiều hơn số cử tri được triệu tập",
                ));
            }
            let votes =
                int_of(fields, "confidence_for").unwrap_or(0) + int_of(fields, "confidence_against").unwrap_or(0);
            if votes > present {
                errors.push(FieldError::new(
                    "confidence_against",
                    "votes for and against cannot exceed the voters present",
                    "số tín nhiệm và không tín nhiệm không thể vượt số cử tri dự",
                ));
            }
            // The quorum depends on the residential area's voters (those convened stand in when
            // it is not given); the confidence on those present.
            let area_voters = int_of(fields, "area_voters").unwrap_or(convened);
            let rules = ctx.law.rules();
            fields.insert("quorum", Value::Bool(rules.quorum.reached(area_voters, convened, present)));
            if fields.contains_key("confidence_for") {
                let carried = rules.confidence.carried(present, int_of(fields, "confidence_for").unwrap_or(0));
                fields.insert("confidence_carried", Value::Bool(carried));
            }
        }
        Kind::Complaint => {
            let received = date_of(fields, "received_on");
            let status = str_of(fields, "status").unwrap_or_default().to_string();
            let anonymous = fields.get("anonymous") == Some(&Value::Bool(true));
            if anonymous && str_of(fields, "type") == Some("denunciation") && status != "not_processed" {
                errors.push(FieldError::new(
                    "status",
                    "an anonymous denunciation is not processed",
                    "tố cáo nặc danh không được xử lý",
                ));
            }
            if status == "resolved" && !fields.contains_key("resolved_on") {
                errors.push(FieldError::new(
                    "resolved_on",
                    "is required once the complaint is resolved",
                    "bắt buộc khi đã giải quyết",
                ));
            }
            if let (Some(r), Some(done)) = (received, date_of(fields, "resolved_on"))
                && done < r
            {
                errors.push(FieldError::new("resolved_on", "is before the date received", "trước ngày nhận"));
            }
            if let (Some(r), Some(subject)) = (received, str_of(fields, "subject"))
                && let Some(deadline) = complaint_deadline(ctx.law, ctx.election, r, subject)
            {
                fields.insert("deadline", Value::String(deadline.format("%Y-%m-%d").to_string()));
            }
        }
        Kind::ListChange => {
            // Changes are allowed until 24 hours before voting starts (07:00 on election day).
            let closes = (ctx.election - chrono::Duration::days(1)).and_hms_opt(7, 0, 0).expect("a valid time");
            if ctx.now >= closes {
                errors.push(FieldError::new(
                    "changed_on",
                    "the voter list cannot change from 24 hours before voting (07:00 the day before election day)",
                    "không được thay đổi danh sách cử tri trong vòng 24 giờ trước giờ bỏ phiếu (7 giờ ngày trước ngày bầu cử)",
                ));
            }
            match str_of(fields, "change") {
                Some("moved") if !fields.contains_key("to_polling_area") => errors.push(FieldError::new(
                    "to_polling_area",
                    "is required when moving a voter",
                    "bắt buộc khi chuyển khu vực bỏ phiếu",
                )),
                Some("votes_elsewhere") if !fields.contains_key("certificate_no") => errors.push(FieldError::new(
                    "certificate_no",
                    "is required: a voter votes elsewhere with a certificate",
                    "bắt buộc: cử tri đi bỏ phiếu nơi khác phải có giấy chứng nhận",
                )),
                _ => {}
            }
        }
        Kind::DuplicateDecision => {
            // Both voters exist: the references were checked when they were parsed.
            let (a, b) = (str_of(fields, "voter_a"), str_of(fields, "voter_b"));
            if a.is_some() && a == b {
                errors.push(FieldError::new(
                    "voter_b",
                    "must be another voter than the first",
                    "phải là cử tri khác với cử tri thứ nhất",
                ));
            }
            let removed = str_of(fields, "removed_voter");
            match str_of(fields, "decision") {
                Some("removed") => {
                    if removed.is_none() {
                        errors.push(FieldError::new(
                            "removed_voter",
                            "is required when a voter is removed",
                            "bắt buộc khi xóa tên một cử tri",
                        ));
                    } else if removed != a && removed != b {
                        errors.push(FieldError::new(
                            "removed_voter",
                            "must be one of the two voters",
                            "phải là một trong hai cử tri",
                        ));
                    }
                    if !fields.contains_key("reason") {
                        errors.push(FieldError::new(
                            "reason",
                            "is required when a voter is removed",
                            "bắt buộc khi xóa tên một cử tri",
                        ));
                    }
                }
                Some(_) if removed.is_some() => errors.push(FieldError::new(
                    "removed_voter",
                    "is only given when a voter is removed",
                    "chỉ ghi khi xóa tên một cử tri",
                )),
                _ => {}
            }
        }
        Kind::VoterCards => {
            if let (Some(printed), Some(delivered)) = (int_of(fields, "printed"), int_of(fields, "delivered"))
                && delivered > printed
            {
                errors.push(FieldError::new(
                    "delivered",
                    "cannot exceed the cards printed",
                    "không thể nhiều hơn số thẻ đã in",
                ));
            }
            if fields.contains_key("delivered_on") && !fields.contains_key("delivered") {
                errors.push(FieldError::new(
                    "delivered",
                    "is required with the date the cards were handed out",
                    "bắt buộc khi có ngày phát thẻ",
                ));
            }
        }
        Kind::Readiness => {
            if ctx.scheme == Scheme::Y2025 && int_of(fields, "ballots_district").is_some_and(|n| n > 0) {
                errors.push(FieldError::new(
                    "ballots_district",
                    "there is no district council since 2025",
                    "từ năm 2025 không còn HĐND cấp huyện",
                ));
            }
        }
        Kind::EarlyVoting => {
            if let Some(on) = date_of(fields, "voting_on")
                && on >= ctx.election
            {
                errors.push(FieldError::new(
                    "voting_on",
                    "early voting is before election day",
                    "bỏ phiếu sớm phải trước ngày bầu cử",
                ));
            }
            if let (Some(decided), Some(on)) = (date_of(fields, "decided_on"), date_of(fields, "voting_on"))
                && decided > on
            {
                errors.push(FieldError::new("decided_on", "is after the day it votes", "sau ngày bỏ phiếu sớm"));
            }
        }
        Kind::TurnoutReport => match str_of(fields, "reported_at").map(|raw| (raw.to_string(), parse_moment(raw))) {
            Some((_, Some(at))) => {
                let text = at.format("%Y-%m-%d %H:%M").to_string();
                fields.insert("reported_at", Value::String(text.clone()));
                if let Some(area) = str_of(fields, "polling_area").map(str::to_string) {
                    let others = ctx.lookup.matching(kind, &[("polling_area", &area), ("reported_at", &text)]);
                    if others.is_ok_and(|o| o.iter().any(|(id, _)| Some(*id) != ctx.record)) {
                        errors.push(FieldError::new(
                            "reported_at",
                            "this polling area has already reported at this time",
                            "khu vực bỏ phiếu này đã báo cáo vào thời điểm này",
                        ));
                    }
                }
            }
            Some((_, None)) => errors.push(FieldError::new(
                "reported_at",
                "is not a time: write dd/mm/yyyy hh:mm (or YYYY-MM-DD HH:MM)",
                "không phải thời điểm: ghi dd/mm/yyyy hh:mm",
            )),
            None => {}
        },
        Kind::CountMinutes => {
            level_rule(&mut errors, fields, ctx, "level");
            count_minutes_rules(&mut errors, fields, ctx);
        }
        Kind::CandidateVotes => {
            level_rule(&mut errors, fields, ctx, "level");
            candidate_votes_rules(&mut errors, fields, ctx);
        }
        Kind::UnitResult => {
            if let Some(on) = date_of(fields, "confirmed_on")
                && on < ctx.election
            {
                errors.push(FieldError::new(
                    "confirmed_on",
                    "the board confirms the result after election day",
                    "Ban bầu cử xác định kết quả sau ngày bầu cử",
                ));
            }
        }
        Kind::Member | Kind::Incident | Kind::Propaganda | Kind::Supervision | Kind::Figures => {}
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// What is wrong with `ballots` for a voter who votes only where they are (a temporary resident
/// of under 12 months, or someone in a detention polling area), if anything.
/// Reporting hours as an official writes them ("9:00, 11h, 14:00"): `HH:MM`, sorted, once each;
/// None when one is not an hour of the day.
pub fn parse_hours(raw: &str) -> Option<Vec<String>> {
    let mut hours = std::collections::BTreeSet::new();
    for part in raw.split([',', ';', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
        let part = part.trim_end_matches(['h', 'g']).replace(['h', 'g'], ":");
        let (h, m) = part.split_once(':').unwrap_or((part.as_str(), "00"));
        let (h, m): (u32, u32) = (h.parse().ok()?, if m.is_empty() { 0 } else { m.parse().ok()? });
        if h > 23 || m > 59 {
            return None;
        }
        hours.insert(format!("{h:02}:{m:02}"));
    }
    (!hours.is_empty()).then(|| hours.into_iter().collect())
}

/// A moment of election day: `YYYY-MM-DD HH:MM` or `dd/mm/yyyy hh:mm` (seconds allowed).
pub fn parse_moment(raw: &str) -> Option<chrono::NaiveDateTime> {
    let raw = raw.trim();
    [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ]
    .iter()
    .find_map(|f| chrono::NaiveDateTime::parse_from_str(raw, f).ok())
}

/// The figures a counting minutes can hold (Art 76): what cannot be is refused.
fn count_minutes_rules(errors: &mut Vec<FieldError>, fields: &Fields, ctx: &Context<'_>) {
    let n = |f: &str| int_of(fields, f);
    if let (Some(voted), Some(listed)) = (n("voted"), n("voters_listed"))
        && voted > listed
    {
        errors.push(FieldError::new(
            "voted",
            format!("cannot exceed the {listed} voters on the list"),
            format!("không thể nhiều hơn {listed} cử tri trong danh sách"),
        ));
    }
    if let (Some(received), Some(issued)) = (n("ballots_received"), n("ballots_issued"))
        && received > issued
    {
        errors.push(FieldError::new(
            "ballots_received",
            format!("cannot exceed the {issued} ballots issued"),
            format!("không thể nhiều hơn {issued} phiếu phát ra"),
        ));
    }
    if let (Some(valid), Some(invalid), Some(received)) = (n("valid"), n("invalid"), n("ballots_received"))
        && valid + invalid != received
    {
        errors.push(FieldError::new(
            "valid",
            format!("valid and invalid ballots ({valid} + {invalid}) must add up to the {received} received"),
            format!("phiếu hợp lệ và không hợp lệ ({valid} + {invalid}) phải bằng {received} phiếu thu vào"),
        ));
    }
    let (Some(area), Some(level)) = (str_of(fields, "polling_area"), str_of(fields, "level")) else { return };
    // A team reports each level once; a correction is the same minutes changed, with a reason.
    let others = ctx.lookup.matching(Kind::CountMinutes, &[("polling_area", area), ("level", level)]);
    if others.is_ok_and(|o| o.iter().any(|(id, _)| Some(*id) != ctx.record)) {
        errors.push(FieldError::new(
            "level",
            "this polling area's minutes of this level are already entered: correct them, with the reason",
            "đã có biên bản cấp này của khu vực bỏ phiếu: hãy sửa biên bản đó và ghi lý do",
        ));
    }
    if let Some(id) = ctx.record
        && let Ok(Some((_, before))) = ctx.lookup.find(&id, &[Kind::CountMinutes])
    {
        let figures = [
            "voters_listed",
            "voted",
            "ballots_issued",
            "ballots_received",
            "valid",
            "invalid",
            "level",
            "polling_area",
        ];
        let changed = figures.iter().any(|f| before.get(*f) != fields.get(*f));
        let reason_new = fields.get("correction_reason").is_some()
            && before.get("correction_reason") != fields.get("correction_reason");
        if changed && !reason_new {
            errors.push(FieldError::new(
                "correction_reason",
                "a correction of the minutes needs its reason (kept in the history)",
                "sửa biên bản cần ghi lý do (được lưu trong lịch sử)",
            ));
        }
    }
}

/// A candidate's votes in one polling area: at most the valid ballots of that level's minutes,
/// and the level's votes together at most valid × the unit's seats (each ballot chooses at most
/// as many candidates as there are seats).
fn candidate_votes_rules(errors: &mut Vec<FieldError>, fields: &Fields, ctx: &Context<'_>) {
    let (Some(area), Some(level)) = (str_of(fields, "polling_area"), str_of(fields, "level")) else { return };
    let votes = int_of(fields, "votes").unwrap_or(0);
    if let Some(candidate) = str_of(fields, "candidate")
        && let Ok(id) = candidate.parse::<RecordId>()
    {
        if let Ok(Some((_, c))) = ctx.lookup.find(&id, &[Kind::Candidate])
            && str_of(&c, "level").is_some_and(|l| l != level)
        {
            errors.push(FieldError::new(
                "candidate",
                "stands for another level of election",
                "ứng cử ở cấp bầu cử khác",
            ));
        }
        let same = ctx
            .lookup
            .matching(Kind::CandidateVotes, &[("polling_area", area), ("level", level), ("candidate", candidate)]);
        if same.is_ok_and(|o| o.iter().any(|(other, _)| Some(*other) != ctx.record)) {
            errors.push(FieldError::new(
                "candidate",
                "this candidate's votes in this polling area are already entered",
                "đã có số phiếu của người ứng cử này ở khu vực bỏ phiếu này",
            ));
        }
    }
    let minutes =
        ctx.lookup.matching(Kind::CountMinutes, &[("polling_area", area), ("level", level)]).unwrap_or_default();
    let Some((_, minutes)) = minutes.first() else {
        errors.push(FieldError::new(
            "polling_area",
            "enter this polling area's counting minutes of this level first",
            "hãy nhập biên bản kiểm phiếu cấp này của khu vực bỏ phiếu trước",
        ));
        return;
    };
    let valid = int_of(minutes, "valid").unwrap_or(0);
    if votes > valid {
        errors.push(FieldError::new(
            "votes",
            format!("cannot exceed the {valid} valid ballots of the minutes"),
            format!("không thể nhiều hơn {valid} phiếu hợp lệ của biên bản"),
        ));
        return;
    }
    let seats = area
        .parse::<RecordId>()
        .ok()
        .and_then(|id| ctx.lookup.find(&id, &[Kind::PollingArea]).ok().flatten())
        .and_then(|(_, a)| str_of(&a, &format!("electoral_unit_{level}")).and_then(|u| u.parse::<RecordId>().ok()))
        .and_then(|unit| ctx.lookup.find(&unit, &[Kind::ElectoralUnit]).ok().flatten())
        .and_then(|(_, u)| int_of(&u, "seats"));
    if let Some(seats) = seats {
        let others: i64 = ctx
            .lookup
            .matching(Kind::CandidateVotes, &[("polling_area", area), ("level", level)])
            .unwrap_or_default()
            .iter()
            .filter(|(id, _)| Some(*id) != ctx.record)
            .filter_map(|(_, f)| int_of(f, "votes"))
            .sum();
        if others + votes > valid * seats {
            errors.push(FieldError::new(
                "votes",
                format!("the level's votes ({}) would exceed {valid} valid ballots × {seats} seats", others + votes),
                format!(
                    "tổng số phiếu của cấp này ({}) vượt quá {valid} phiếu hợp lệ × {seats} đại biểu",
                    others + votes
                ),
            ));
        }
    }
}

pub fn restricted_ballots(law: crate::law::LawVersion, ballots: &str, detained: bool) -> Option<FieldError> {
    let rule = &law.rules().restricted_voters;
    if ballots.split(',').all(|l| rule.levels.iter().any(|a| a == l.trim())) {
        return None;
    }
    let names = |vi: bool| -> String {
        rule.levels
            .iter()
            .filter_map(|l| BALLOT_LEVELS.iter().find(|c| c.value == l))
            .map(|c| if vi { c.vi } else { c.en })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (who, who_vi) = if detained {
        ("someone in a detention polling area", "người ở khu vực bỏ phiếu tại cơ sở giam giữ")
    } else {
        ("a temporary resident of under 12 months", "cử tri tạm trú dưới 12 tháng")
    };
    Some(FieldError::new(
        "ballots",
        format!("{who} votes only for: {} (Art {}, {} law)", names(false), rule.art, law.as_str()),
        format!("{who_vi} chỉ bầu: {} (Điều {}, luật {})", names(true), rule.art, law.as_str()),
    ))
}

/// When a complaint must be answered, where the law says: a complaint about the voter list
/// within its days of being received; one about a candidate by the day complaints close.
/// Other complaints follow the law on complaints, not the election law: no deadline here.
pub fn complaint_deadline(
    law: crate::law::LawVersion,
    election: NaiveDate,
    received: NaiveDate,
    subject: &str,
) -> Option<NaiveDate> {
    let rules = law.rules();
    let rule = rules.complaints.get(subject)?;
    let mut deadline = rule.answer_days.map(|days| received + chrono::Duration::days(days));
    if let Some(close) = rule.closes_with.as_deref().and_then(|m| rules.milestone(m)) {
        let close = close.due(election).max(received);
        deadline = Some(deadline.map_or(close, |d| d.min(close)));
    }
    deadline
}

fn describe(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::Int { .. } => "a whole number",
        FieldType::Bool => "yes or no",
        FieldType::Levels(_) => "a list of levels",
        _ => "text",
    }
}

fn describe_vi(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::Int { .. } => "số nguyên",
        FieldType::Bool => "có hoặc không",
        FieldType::Levels(_) => "danh sách cấp bầu cử",
        _ => "chữ",
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Checks a value that arrived by sync against its field's type and range, strictly: the
/// canonical form a writer stores, nothing to parse or clean. Rules spanning records or
/// depending on the ledger's law version are not checked here: they never refuse a synced
/// change (nodes would disagree); the law checks report them instead.
pub fn check_synced_value(fd: &FieldDef, value: &Value) -> Result<(), String> {
    let fits = match (&fd.ty, value) {
        (_, Value::Null) => true,
        (FieldType::Text, Value::String(s)) => s.chars().count() <= TEXT_MAX && !s.contains('\0'),
        (FieldType::LongText, Value::String(s)) => s.chars().count() <= long_text_max(fd) && !s.contains('\0'),
        (FieldType::Int { min, max }, Value::Number(n)) => n.as_i64().is_some_and(|n| (*min..=*max).contains(&n)),
        (FieldType::Date, Value::String(s)) => {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok_and(|d| d.format("%Y-%m-%d").to_string() == *s)
        }
        (FieldType::PartialDate, Value::String(s)) => PartialDate::parse(s).is_some_and(|d| d.to_string() == *s),
        (FieldType::Bool, Value::Bool(_)) => true,
        (FieldType::Enum(choices), Value::String(s)) => choices.iter().any(|c| c.value == s),
        (FieldType::Levels(choices), Value::String(s)) => {
            let mut last = None;
            s.split(',').all(|item| {
                let at = choices.iter().position(|c| c.value == item);
                let in_order = at.is_some() && at > last;
                last = at;
                in_order
            })
        }
        (FieldType::Ref(_), Value::String(s)) => s.parse::<RecordId>().is_ok(),
        _ => false,
    };
    if fits {
        Ok(())
    } else {
        Err(format!("field `{}` holds a value that is not a valid {}", fd.name, describe(&fd.ty)))
    }
}
