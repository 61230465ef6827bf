//! The official administrative units, both schemes, as shipped in `assets/`: 2021 (province →
//! district → commune) and 2025 (province → commune). The hierarchy is data: a node merges
//! whatever sits below its unit, whichever scheme it runs on.
//!
//! A unit is named by its official code at its official width, leading zeros kept: province 2
//! digits (`12`), district 3 (`106`), commune 5 (`03637`). The width tells the level. Above the
//! provinces, in both schemes, is the country: code `0`, one digit (the National Election
//! Council's view, with a national hub and ledger).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::text;

/// The country's code, the root of both schemes.
pub const COUNTRY: &str = "0";

const UNITS_2021: &str = include_str!("../../../assets/admin-units-2021.csv");
const UNITS_2025: &str = include_str!("../../../assets/admin-units-2025.csv");

/// Which list of administrative units a node runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scheme {
    #[serde(rename = "2021")]
    Y2021,
    #[serde(rename = "2025")]
    Y2025,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Y2021 => "2021",
            Scheme::Y2025 => "2025",
        }
    }
}

impl FromStr for Scheme {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "2021" => Ok(Scheme::Y2021),
            "2025" => Ok(Scheme::Y2025),
            _ => Err(Error::input(
                format!("unknown scheme `{s}`: use 2021 or 2025"),
                format!("không có hệ đơn vị `{s}`: dùng 2021 hoặc 2025"),
            )),
        }
    }
}

/// The tier of an administrative unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Country,
    Province,
    District,
    Commune,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Country => "country",
            Level::Province => "province",
            Level::District => "district",
            Level::Commune => "commune",
        }
    }
    fn width(self) -> usize {
        match self {
            Level::Country => 1,
            Level::Province => 2,
            Level::District => 3,
            Level::Commune => 5,
        }
    }
}

/// An official unit code, kept at its official width.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct UnitCode(String);

impl UnitCode {
    fn from_number(level: Level, number: u32) -> UnitCode {
        UnitCode(format!("{:0width$}", number, width = level.width()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The level the code's width names.
    pub fn level(&self) -> Level {
        match self.0.len() {
            1 => Level::Country,
            2 => Level::Province,
            3 => Level::District,
            _ => Level::Commune,
        }
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for UnitCode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        if (s == COUNTRY || matches!(s.len(), 2 | 3 | 5)) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(UnitCode(s.to_string()))
        } else {
            let shown: String = s.chars().take(20).collect();
            Err(Error::input(
                format!(
                    "`{shown}` is not a unit code: the country is 0, a province has 2 digits (12), a district 3 (106), a commune 5 (03637)"
                ),
                format!(
                    "`{shown}` không phải mã đơn vị: cả nước là 0, tỉnh 2 chữ số (12), huyện 3 chữ số (106), xã 5 chữ số (03637)"
                ),
            ))
        }
    }
}

impl From<UnitCode> for String {
    fn from(code: UnitCode) -> String {
        code.0
    }
}

impl TryFrom<String> for UnitCode {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Error> {
        s.parse()
    }
}

/// One administrative unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    pub code: UnitCode,
    pub name: String,
    pub level: Level,
    /// The official type: tỉnh, thành phố, huyện, quận, thị xã, xã, phường, thị trấn, đặc khu.
    #[serde(rename = "type")]
    pub unit_type: String,
    pub parent: Option<UnitCode>,
    /// "Xã Mường Kim, Huyện Than Uyên, Tỉnh Lai Châu".
    pub path: String,
}

/// All units of one scheme, with their parent links.
pub struct Catalogue {
    pub scheme: Scheme,
    units: Vec<Unit>,
    by_code: HashMap<UnitCode, usize>,
    children: HashMap<Option<UnitCode>, Vec<usize>>,
    /// Folded paths for search, made on the first search (most runs never search).
    folded_paths: OnceLock<Vec<String>>,
}

impl Catalogue {
    /// The catalogue of a scheme, parsed once from the shipped CSV.
    pub fn get(scheme: Scheme) -> &'static Catalogue {
        static C2021: OnceLock<Catalogue> = OnceLock::new();
        static C2025: OnceLock<Catalogue> = OnceLock::new();
        match scheme {
            Scheme::Y2021 => C2021.get_or_init(|| Catalogue::parse(scheme, UNITS_2021)),
            Scheme::Y2025 => C2025.get_or_init(|| Catalogue::parse(scheme, UNITS_2025)),
        }
    }

    fn parse(scheme: Scheme, csv_text: &str) -> Catalogue {
        let mut units: Vec<Unit> = Vec::new();
        let mut by_code = HashMap::new();
        let mut add = |units: &mut Vec<Unit>, unit: Unit| {
            if !by_code.contains_key(&unit.code) {
                by_code.insert(unit.code.clone(), units.len());
                units.push(unit);
            }
        };
        let country = UnitCode(COUNTRY.to_string());
        add(
            &mut units,
            Unit {
                code: country.clone(),
                name: "Cả nước".into(),
                level: Level::Country,
                unit_type: "quốc gia".into(),
                parent: None,
                path: "Cả nước".into(),
            },
        );
        for line in csv_text.lines().skip(1).filter(|l| !l.is_empty()) {
            let cols: Vec<&str> = line.split(',').collect();
            let number = |i: usize| cols[i].trim().parse::<u32>().expect("shipped unit codes are numbers");
            let province = UnitCode::from_number(Level::Province, number(0));
            let province_name = province_display_name(cols[1]);
            add(
                &mut units,
                Unit {
                    code: province.clone(),
                    unit_type: unit_type_of(&province_name, ""),
                    path: province_name.clone(),
                    name: province_name.clone(),
                    level: Level::Province,
                    parent: Some(country.clone()),
                },
            );
            let (parent, parent_path) = if scheme == Scheme::Y2021 {
                let district = UnitCode::from_number(Level::District, number(2));
                let name = text::clean(cols[3]);
                let path = format!("{name}, {province_name}");
                add(
                    &mut units,
                    Unit {
                        code: district.clone(),
                        unit_type: unit_type_of(&name, cols[4]),
                        name,
                        level: Level::District,
                        parent: Some(province),
                        path: path.clone(),
                    },
                );
                (district, path)
            } else {
                (province, province_name.clone())
            };
            let (code_col, name_col, type_col) = if scheme == Scheme::Y2021 { (5, 6, 7) } else { (2, 3, 4) };
            let name = text::clean(cols[name_col]);
            add(
                &mut units,
                Unit {
                    code: UnitCode::from_number(Level::Commune, number(code_col)),
                    unit_type: unit_type_of(&name, cols[type_col]),
                    path: format!("{name}, {parent_path}"),
                    name,
                    level: Level::Commune,
                    parent: Some(parent),
                },
            );
        }
        let mut children: HashMap<Option<UnitCode>, Vec<usize>> = HashMap::new();
        for (i, unit) in units.iter().enumerate() {
            children.entry(unit.parent.clone()).or_default().push(i);
        }
        for list in children.values_mut() {
            list.sort_by(|a, b| units[*a].code.cmp(&units[*b].code));
        }
        Catalogue { scheme, units, by_code, children, folded_paths: OnceLock::new() }
    }

    pub fn unit(&self, code: &UnitCode) -> Option<&Unit> {
        self.by_code.get(code).map(|&i| &self.units[i])
    }

    /// The unit of a code, or an error that says the code does not exist in this scheme.
    pub fn require(&self, code: &UnitCode) -> Result<&Unit, Error> {
        self.unit(code).ok_or_else(|| {
            Error::not_found(
                format!("unit code {code} does not exist in the {} list of units", self.scheme.as_str()),
                format!("mã đơn vị {code} không có trong danh mục {}", self.scheme.as_str()),
            )
        })
    }

    /// The units directly below `parent` (the country when `parent` is None), by code.
    pub fn children(&self, parent: Option<&UnitCode>) -> Vec<&Unit> {
        self.children
            .get(&parent.cloned())
            .map(|list| list.iter().map(|&i| &self.units[i]).collect())
            .unwrap_or_default()
    }

    /// `code` and every unit below it.
    pub fn subtree(&self, code: &UnitCode) -> Vec<&Unit> {
        let mut out = Vec::new();
        let mut stack = vec![code.clone()];
        while let Some(next) = stack.pop() {
            if let Some(unit) = self.unit(&next) {
                out.push(unit);
                for child in self.children(Some(&next)) {
                    stack.push(child.code.clone());
                }
            }
        }
        out
    }

    /// Whether `code` is `ancestor` or lies below it.
    pub fn is_within(&self, code: &UnitCode, ancestor: &UnitCode) -> bool {
        let mut current = Some(code.clone());
        while let Some(c) = current {
            if &c == ancestor {
                return true;
            }
            current = self.unit(&c).and_then(|u| u.parent.clone());
        }
        false
    }

    /// The unit at `level` above (or at) `code`, if the scheme has that level.
    pub fn ancestor_at(&self, code: &UnitCode, level: Level) -> Option<&Unit> {
        let mut current = self.unit(code);
        while let Some(unit) = current {
            if unit.level == level {
                return Some(unit);
            }
            current = unit.parent.as_ref().and_then(|p| self.unit(p));
        }
        None
    }

    /// Units whose name or path contains every word of `query`, marks ignored; communes first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Unit> {
        let words: Vec<String> = text::fold(query).split(' ').map(str::to_string).collect();
        if words.iter().all(|w| w.is_empty()) {
            return Vec::new();
        }
        let digits = query.trim();
        let folded = self.folded_paths.get_or_init(|| self.units.iter().map(|u| text::fold(&u.path)).collect());
        let mut hits: Vec<(u8, &Unit)> = Vec::new();
        for (i, unit) in self.units.iter().enumerate() {
            let by_code = unit.code.as_str() == digits;
            if by_code || words.iter().all(|w| folded[i].contains(w.as_str())) {
                let rank = if by_code {
                    0
                } else if text::fold(&unit.name).contains(&words[0]) {
                    1
                } else {
                    2
                };
                hits.push((rank, unit));
            }
        }
        hits.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.level.cmp(&a.1.level)).then(a.1.code.cmp(&b.1.code)));
        hits.into_iter().take(limit).map(|(_, u)| u).collect()
    }
}

fn province_display_name(raw: &str) -> String {
    let name = text::clean(raw);
    if name.starts_with("Tỉnh ") || name.starts_with("Thành phố ") { name } else { format!("Tỉnh {name}") }
}

/// The official type of a unit: the CSV's column when present, else the name's prefix.
fn unit_type_of(name: &str, given: &str) -> String {
    let given = given.trim();
    if !given.is_empty() {
        return given.to_string();
    }
    let lower = name.to_lowercase();
    for prefix in ["thành phố", "thị xã", "thị trấn", "đặc khu", "tỉnh", "huyện", "quận", "phường", "xã"]
    {
        if lower.starts_with(prefix) {
            return prefix.to_string();
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lai_chau_counts_match_the_official_lists() {
        let c2021 = Catalogue::get(Scheme::Y2021);
        let lai_chau: UnitCode = "12".parse().unwrap();
        let districts = c2021.children(Some(&lai_chau));
        assert_eq!(districts.len(), 8);
        let communes = c2021.subtree(&lai_chau).iter().filter(|u| u.level == Level::Commune).count();
        assert_eq!(communes, 106);
        let c2025 = Catalogue::get(Scheme::Y2025);
        assert_eq!(c2025.children(Some(&lai_chau)).len(), 38);
        assert_eq!(c2025.unit(&lai_chau).unwrap().name, "Tỉnh Lai Châu");
    }

    #[test]
    fn codes_keep_their_width() {
        let c = Catalogue::get(Scheme::Y2021);
        let commune = c.unit(&"03388".parse().unwrap()).unwrap();
        assert_eq!(commune.name, "Phường Quyết Tiến");
        assert_eq!(commune.parent.as_ref().unwrap().as_str(), "105");
        assert_eq!(commune.path, "Phường Quyết Tiến, Thành phố Lai Châu, Tỉnh Lai Châu");
        assert!("3388".parse::<UnitCode>().is_err());
        assert!(c.unit(&"106".parse().unwrap()).is_some());
        assert!(c.is_within(&"03388".parse().unwrap(), &"12".parse().unwrap()));
        assert!(!c.is_within(&"03388".parse().unwrap(), &"01".parse().unwrap()));
    }

    #[test]
    fn search_ignores_marks() {
        let c = Catalogue::get(Scheme::Y2025);
        let hits = c.search("muong kim", 10);
        assert!(hits.iter().any(|u| u.name == "Xã Mường Kim"));
    }
}
