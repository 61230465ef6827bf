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
    /// The levels temporary residents of under 12 months and people in detention vote for.
    pub restricted_voters: RestrictedVoters,
    /// Complaint subject → its filing window and deadline, where the law gives them.
    pub complaints: BTreeMap<String, ComplaintRule>,
    pub quorum: QuorumRule,
    pub confidence: ConfidenceRule,
    pub candidate_surplus: SurplusRule,
    pub targets: Targets,
    /// The hours teams report turnout at on election day, unless the committee sets others.
    pub turnout_hours: TurnoutHours,
    /// How an electoral unit's result is determined (Art 78–80).
    pub results: ResultRules,
    /// What `check` reports (`crate::check`).
    pub rules: Vec<RuleDef>,
}

#[derive(Debug, Deserialize)]
pub struct TurnoutHours {
    pub source: String,
    pub hours: Vec<String>,
}

/// The rules that turn the teams' figures into an electoral unit's result.
#[derive(Debug, Deserialize)]
pub struct ResultRules {
    /// The election stands only when more than this share of the listed voters voted.
    pub stands: ShareRule,
    /// A candidate is elected only with more than this share of the valid ballots.
    pub wins: ShareRule,
    /// More such candidates than seats: those with the most votes.
    pub most_votes: ArticleOnly,
    /// A tie for the last seat: the older candidate.
    pub tie_older: ArticleOnly,
    /// Fewer elected than seats: a supplementary election (bầu cử thêm).
    pub supplementary: Redo,
    /// Too few voted: the election is held again (bầu cử lại).
    pub rerun: Redo,
}

#[derive(Debug, Deserialize)]
pub struct ShareRule {
    pub art: String,
    #[serde(alias = "more_than_percent_of_listed", alias = "more_than_percent_of_valid")]
    pub more_than_percent: i64,
}

impl ShareRule {
    /// Whether `part` is more than the rule's share of `whole`.
    pub fn met(&self, part: i64, whole: i64) -> bool {
        whole > 0 && part * 100 > whole * self.more_than_percent
    }
}

#[derive(Debug, Deserialize)]
pub struct ArticleOnly {
    pub art: String,
}

/// An election to hold again, within so many days of the first.
#[derive(Debug, Deserialize)]
pub struct Redo {
    pub art: String,
    pub within_days: i64,
    pub vi: String,
    pub en: String,
}

/// Who votes only where they are, and for which levels.
#[derive(Debug, Deserialize)]
pub struct RestrictedVoters {
    pub art: String,
    pub levels: Vec<String>,
}

/// When a complaint about one subject may be filed and must be answered.
#[derive(Debug, Deserialize)]
pub struct ComplaintRule {
    pub art: String,
    /// It may be filed within this many days of the voter list's posting.
    #[serde(default)]
    pub file_within_days_of_posting: Option<i64>,
    /// It must be answered within this many days of being received.
    #[serde(default)]
    pub answer_days: Option<i64>,
    /// It must be answered by this milestone's due day.
    #[serde(default)]
    pub closes_with: Option<String>,
}

/// The quorum of a voter conference, by the number of voters of its residential area.
#[derive(Debug, Deserialize)]
pub struct QuorumRule {
    pub source: String,
    pub small_area_below: i64,
    pub small_area_min_percent_of_convened: i64,
    pub large_area_min_present: i64,
}

impl QuorumRule {
    /// Whether a conference of a residential area of `area_voters` voters, with `convened`
    /// convened and `present` present, has its quorum.
    pub fn reached(&self, area_voters: i64, convened: i64, present: i64) -> bool {
        if area_voters < self.small_area_below {
            present * 100 >= convened * self.small_area_min_percent_of_convened
        } else {
            present >= self.large_area_min_present
        }
    }
}

/// How a candidate carries a voter conference.
#[derive(Debug, Deserialize)]
pub struct ConfidenceRule {
    pub art: String,
    pub more_than_percent_of_present: i64,
}

impl ConfidenceRule {
    pub fn carried(&self, present: i64, votes_for: i64) -> bool {
        present > 0 && votes_for * 100 > present * self.more_than_percent_of_present
    }
}

/// How many more candidates than seats an official list needs.
#[derive(Debug, Deserialize)]
pub struct SurplusRule {
    pub art: String,
    pub source: String,
    pub na_extra: i64,
    /// Seats of a council unit → the extra candidates it needs.
    pub council_extra_by_seats: BTreeMap<String, i64>,
}

impl SurplusRule {
    /// The least number of official candidates for a unit of `level` electing `seats`.
    pub fn least(&self, level: &str, seats: i64) -> i64 {
        let extra = if level == "na" {
            self.na_extra
        } else {
            self.council_extra_by_seats.get(&seats.to_string()).copied().unwrap_or(1)
        };
        seats + extra
    }
}

/// The shares the candidate lists aim at.
#[derive(Debug, Deserialize)]
pub struct Targets {
    pub source: String,
    pub women_percent: i64,
    pub minority_na_percent: i64,
}

/// One rule `check` reports: its id, article, severity, and whether it refuses a local save.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RuleDef {
    pub id: String,
    pub art: String,
    pub severity: String,
    pub refuses_save: bool,
    pub vi: String,
    pub en: String,
}

impl LawRules {
    /// The allowed size range of a body (`committee`, `board`, `team`) at a level.
    pub fn size_range(&self, body: &str, level: &str) -> Option<[i64; 2]> {
        self.sizes.get(body)?.get(level).copied()
    }

    pub fn milestone(&self, id: &str) -> Option<&Milestone> {
        self.milestones.iter().find(|m| m.id == id)
    }

    pub fn rule(&self, id: &str) -> Option<&RuleDef> {
        self.rules.iter().find(|r| r.id == id)
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
    /// `law` (the default) or `guidance` (then `source` names it).
    #[serde(default = "default_basis")]
    pub basis: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default)]
    pub evidence: Option<Evidence>,
    /// Done at each polling area, so a polling area that votes early (Art 71) has it counted
    /// back from its own voting day.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub per_polling_area: bool,
}

fn default_basis() -> String {
    "law".to_string()
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
    /// `all`: every live record of `kind` has a `date_field`; done on the latest.
    /// `each`: for every live record of `for_each` in the unit, a live record of `kind` whose
    /// `ref_field` names it; done on the latest of their earliest `date_field`.
    /// `no_open`: no live matching record is still open; done on the last `date_field`.
    #[serde(default = "default_rule")]
    pub rule: String,
    pub kind: String,
    pub date_field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_each: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_field: Option<String>,
    /// Field → a value, or a list of values any of which matches.
    #[serde(default, rename = "where")]
    pub filter: BTreeMap<String, serde_json::Value>,
    /// Rule `each`: which records of `for_each` need one (field → value or values; all when
    /// empty), e.g. only the council's electoral units.
    #[serde(default)]
    pub for_each_where: BTreeMap<String, serde_json::Value>,
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
