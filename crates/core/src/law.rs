//! The law as data: for each version of the election law, its milestones (days counted back
//! from election day), the sizes of the bodies it forms and the days to answer a complaint.
//! Read from the shipped `assets/law.json`; nothing here is a constant of the law.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Error;

const LAW_JSON: &str = include_str!("../../../assets/law.json");

/// Which text of the election law a node's deadlines follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LawVersion {
    /// Law No. 85/2015/QH13 as first passed (the 2021 election).
    #[serde(rename = "2015")]
    Y2015,
    /// As amended by Law No. 83/2025/QH15, in force from 1 July 2025 (the 2026 election).
    #[serde(rename = "2025")]
    Y2025,
}

impl LawVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            LawVersion::Y2015 => "2015",
            LawVersion::Y2025 => "2025",
        }
    }

    /// The version in force on an election date.
    pub fn in_force_on(election: NaiveDate) -> LawVersion {
        if election >= NaiveDate::from_ymd_opt(2025, 7, 1).expect("a valid date") {
            LawVersion::Y2025
        } else {
            LawVersion::Y2015
        }
    }

    /// This version's rules.
    pub fn rules(self) -> &'static LawRules {
        let all = all_versions();
        &all[self.as_str()]
    }
}

impl FromStr for LawVersion {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "2015" => Ok(LawVersion::Y2015),
            "2025" => Ok(LawVersion::Y2025),
            _ => Err(Error::input(
                format!("unknown law version `{s}`: use 2015 or 2025"),
                format!("không có phiên bản luật `{s}`: dùng 2015 hoặc 2025"),
            )),
        }
    }
}

/// The rules of one law version.
#[derive(Debug, Deserialize)]
pub struct LawRules {
    pub title: String,
    pub title_en: String,
    pub milestones: Vec<Milestone>,
    /// Body → level (or polling-area kind for teams) → [min, max] members.
    pub sizes: BTreeMap<String, BTreeMap<String, [i64; 2]>>,
    /// Complaint subject → days to answer.
    pub complaint_days: BTreeMap<String, i64>,
}

impl LawRules {
    /// The allowed size range of a body (`committee`, `board`, `team`) at a level.
    pub fn size_range(&self, body: &str, level: &str) -> Option<[i64; 2]> {
        self.sizes.get(body)?.get(level).copied()
    }

    pub fn milestone(&self, id: &str) -> Option<&Milestone> {
        self.milestones.iter().find(|m| m.id == id)
    }
}

/// One milestone of the legal timeline.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Milestone {
    pub id: String,
    /// Days before election day (negative: after it).
    pub days_before: i64,
    pub art: String,
    pub vi: String,
    pub en: String,
    #[serde(default)]
    pub evidence: Option<Evidence>,
}

impl Milestone {
    pub fn due(&self, election: NaiveDate) -> NaiveDate {
        election - chrono::Duration::days(self.days_before)
    }
}

/// Which records show a milestone done in a unit.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Evidence {
    /// `exists` (the default): a live record of `kind` matching `where`, dated by `date_field`.
    /// `no_open`: no live matching record is still open; done on the last `date_field`.
    #[serde(default = "default_rule")]
    pub rule: String,
    pub kind: String,
    pub date_field: String,
    /// Field → a value, or a list of values any of which matches.
    #[serde(default, rename = "where")]
    pub filter: BTreeMap<String, serde_json::Value>,
    /// The levels of unit that hold the milestone themselves (all when empty). A unit of
    /// another level is done when every unit below it that holds it is done.
    #[serde(default)]
    pub levels: Vec<crate::units::Level>,
}

impl Evidence {
    /// Whether units of `level` hold the milestone themselves.
    pub fn held_at(&self, level: crate::units::Level) -> bool {
        self.levels.is_empty() || self.levels.contains(&level)
    }
}

fn default_rule() -> String {
    "exists".to_string()
}

fn all_versions() -> &'static BTreeMap<String, LawRules> {
    #[derive(Deserialize)]
    struct File {
        versions: BTreeMap<String, LawRules>,
    }
    static RULES: OnceLock<BTreeMap<String, LawRules>> = OnceLock::new();
    RULES.get_or_init(|| serde_json::from_str::<File>(LAW_JSON).expect("assets/law.json is valid").versions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_versions_load_and_differ_where_the_law_changed() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
        let old = LawVersion::Y2015.rules();
        let new = LawVersion::Y2025.rules();
        assert_eq!(old.milestone("consultation_3").unwrap().due(d), NaiveDate::from_ymd_opt(2026, 2, 8).unwrap());
        assert_eq!(new.milestone("consultation_3").unwrap().due(d), NaiveDate::from_ymd_opt(2026, 2, 20).unwrap());
        assert_eq!(old.size_range("committee", "commune"), Some([9, 11]));
        assert_eq!(new.size_range("committee", "commune"), Some([9, 17]));
        assert_eq!(LawVersion::in_force_on(d), LawVersion::Y2025);
        assert_eq!(LawVersion::in_force_on(NaiveDate::from_ymd_opt(2021, 5, 23).unwrap()), LawVersion::Y2015);
        for rules in [old, new] {
            for m in &rules.milestones {
                if let Some(e) = &m.evidence {
                    let kind = crate::kinds::Kind::parse(&e.kind).expect("evidence names a kind");
                    assert!(kind.def().field(&e.date_field).is_some(), "{}: {}", m.id, e.date_field);
                }
            }
        }
    }
}
