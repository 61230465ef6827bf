//! The law's rules across records, checked over everything a ledger holds (`sobaucu check`,
//! the window's "Cần xử lý", the progress board's count per unit). Each rule, its article, its
//! severity and whether it also refuses a local save are data (`assets/law.json`, `rules`):
//! a rule that refuses a save is still checked here, because a change that arrives by sync is
//! never refused for a rule (nodes would disagree) and records may predate the rule.
//!
//! Every finding names the rule, the article, the record (kind, id, unit) and says what is
//! wrong without repeating a voter's personal data (a candidate's or an official's name, which
//! the lists publish, may appear).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::Result;
use crate::law::LawVersion;
use crate::store::{Db, NodeInfo};
use crate::text;

/// One violation or warning.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    pub rule: String,
    pub article: String,
    /// `error` or `warning`.
    pub severity: String,
    pub kind: String,
    /// The record (empty for a finding about a whole list, e.g. a target).
    pub id: String,
    pub unit: String,
    pub message: String,
    pub message_vi: String,
}

/// Errors and warnings per unit (the progress board's column).
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
}

struct Out {
    law: LawVersion,
    findings: Vec<Finding>,
}

impl Out {
    fn push(&mut self, rule: &str, kind: &str, id: &str, unit: &str, en: String, vi: String) {
        let def = self.law.rules().rule(rule);
        self.findings.push(Finding {
            rule: rule.to_string(),
            article: def.map(|d| d.art.clone()).unwrap_or_default(),
            severity: def.map(|d| d.severity.clone()).unwrap_or_else(|| "error".into()),
            kind: kind.to_string(),
            id: id.to_string(),
            unit: unit.to_string(),
            message: en,
            message_vi: vi,
        });
    }
}

fn date(s: Option<&str>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Every finding in the ledger, errors first, on `today`.
pub fn run(db: &Db<'_>, node: &NodeInfo, today: NaiveDate) -> Result<Vec<Finding>> {
    let law = node.law;
    let rules = law.rules();
    let mut out = Out { law, findings: Vec::new() };

    // Art 57.6, 58.3: an official list needs more candidates than seats.
    for r in db.check_rows("surplus")? {
        let (level, seats, name, official) = (
            r.text(0).unwrap_or_default(),
            r.int(1).unwrap_or(0),
            r.text(2).unwrap_or_default(),
            r.int(3).unwrap_or(0),
        );
        let least = rules.candidate_surplus.least(level, seats);
        if official > 0 && official < least {
            out.push(
                "candidate_surplus",
                "electoral_unit",
                &r.id,
                &r.unit,
                format!("{name}: {official} candidates on the official list for {seats} seats; at least {least}"),
                format!("{name}: danh sách chính thức có {official} người cho {seats} đại biểu; cần ít nhất {least}"),
            );
        }
    }

    // Voter conferences: quorum (Resolution 1186/2021) and confidence (Art 45, 54).
    for r in db.check_rows("conferences")? {
        let area = r.text(2).unwrap_or_default();
        let candidate = r.text(3).unwrap_or_default();
        if r.int(0) == Some(0) {
            out.push(
                "quorum",
                "voter_conference",
                &r.id,
                &r.unit,
                format!(
                    "the voter conference in {area} lacks its quorum ({} present of {} convened)",
                    r.int(4).unwrap_or(0),
                    r.int(5).unwrap_or(0)
                ),
                format!(
                    "hội nghị cử tri ở {area} không đủ số lượng ({} dự / {} triệu tập)",
                    r.int(4).unwrap_or(0),
                    r.int(5).unwrap_or(0)
                ),
            );
        }
        if r.int(1) == Some(0) {
            out.push(
                "confidence",
                "voter_conference",
                &r.id,
                &r.unit,
                format!("{candidate} did not carry the confidence of more than half of those present in {area}"),
                format!("{candidate} không được quá nửa cử tri dự hội nghị ở {area} tín nhiệm"),
            );
        }
    }

    // Bodies: size within the law's range, members no more than the range, one chair.
    for r in db.check_rows("bodies")? {
        let (body, level, size, name) =
            (r.text(0).unwrap_or_default(), r.text(1).unwrap_or_default(), r.int(2), r.text(3).unwrap_or_default());
        let (members, chairs) = (r.int(4).unwrap_or(0), r.int(5).unwrap_or(0));
        if let Some([min, max]) = rules.size_range(body, level) {
            if size.is_some_and(|s| s < min || s > max) {
                out.push(
                    "body_size",
                    body,
                    &r.id,
                    &r.unit,
                    format!("{name}: {} members; the law allows {min} to {max}", size.unwrap_or(0)),
                    format!("{name}: {} thành viên; luật quy định từ {min} đến {max}", size.unwrap_or(0)),
                );
            } else if members > max {
                out.push(
                    "body_size",
                    body,
                    &r.id,
                    &r.unit,
                    format!("{name}: {members} members recorded; the law allows at most {max}"),
                    format!("{name}: đã ghi {members} thành viên; luật quy định tối đa {max}"),
                );
            }
        }
        if members > 0 && chairs != 1 {
            out.push(
                "body_chair",
                body,
                &r.id,
                &r.unit,
                format!("{name}: {chairs} chairs among its members; a body has one"),
                format!("{name}: có {chairs} người đứng đầu; mỗi tổ chức có một"),
            );
        }
    }

    // Art 27: a candidate does not sit on the board or team where they stand (probable, by name).
    let mut seen = std::collections::HashSet::new();
    for r in db.check_rows("art27")? {
        let (candidate, member, body) =
            (r.text(0).unwrap_or_default(), r.text(1).unwrap_or_default(), r.text(3).unwrap_or_default());
        if !candidate.is_empty()
            && text::fold(candidate) == text::fold(member)
            && seen.insert((r.id.clone(), body.to_string()))
        {
            out.push(
                "art27",
                "candidate",
                &r.id,
                &r.unit,
                format!("{candidate} stands where a member of {body} has the same name: probably the same person"),
                format!("{candidate} ứng cử nơi có thành viên {body} cùng tên: có thể là cùng một người"),
            );
        }
    }

    // Art 29: voters who vote only where they are, for the levels the law allows; no district
    // council since 2025.
    let restricted = db.check_rows("voters_restricted")?;
    let seen: std::collections::HashSet<&str> = restricted.iter().map(|r| r.id.as_str()).collect();
    let district = match node.scheme {
        crate::units::Scheme::Y2025 => db.check_rows("voters_district")?,
        crate::units::Scheme::Y2021 => Vec::new(),
    };
    for r in restricted.iter().chain(district.iter().filter(|r| !seen.contains(r.id.as_str()))) {
        let ballots = r.text(0).unwrap_or_default();
        let detained = r.text(2) == Some("detention");
        let restricted = r.flag(1) || detained;
        let problem = if restricted {
            crate::validate::restricted_ballots(law, ballots, detained)
        } else if ballots.split(',').any(|l| l == "district") {
            Some(crate::error::FieldError::new(
                "ballots",
                "there is no district council since 2025",
                "từ năm 2025 không còn HĐND cấp huyện",
            ))
        } else {
            None
        };
        if let Some(e) = problem {
            out.push("ballots", "voter", &r.id, &r.unit, e.message, e.message_vi);
        }
    }

    // Art 35: dossiers received after the deadline.
    if let Some(due) = rules.milestone("nominations_due").map(|m| m.due(node.election_date)) {
        for r in db.check_rows("dossiers")? {
            if let Some(on) = date(r.text(0))
                && on > due
            {
                out.push(
                    "late_dossier",
                    "candidate",
                    &r.id,
                    &r.unit,
                    format!(
                        "{}: dossier received {} after the deadline {}",
                        r.text(1).unwrap_or_default(),
                        dmy(on),
                        dmy(due)
                    ),
                    format!("{}: hồ sơ nhận ngày {}, sau hạn {}", r.text(1).unwrap_or_default(), dmy(on), dmy(due)),
                );
            }
        }
    }

    // Art 33, 61: complaints filed within their window, answered by their deadline.
    for r in db.check_rows("complaints")? {
        let (subject, received, deadline, status) =
            (r.text(0).unwrap_or_default(), date(r.text(1)), date(r.text(2)), r.text(3));
        let closed = matches!(status, Some("resolved" | "transferred" | "not_processed"));
        if let (Some(deadline), false) = (deadline, closed)
            && deadline < today
        {
            out.push(
                "complaint_overdue",
                "complaint",
                &r.id,
                &r.unit,
                format!("a complaint about the {} is past its deadline {}", subject.replace('_', " "), dmy(deadline)),
                format!("khiếu nại quá hạn giải quyết ({})", dmy(deadline)),
            );
        }
        if let (Some(window), Some(received), Some(posted)) =
            (rules.complaints.get(subject).and_then(|c| c.file_within_days_of_posting), received, date(r.text(5)))
            && received > posted + chrono::Duration::days(window)
        {
            out.push(
                "complaint_window",
                "complaint",
                &r.id,
                &r.unit,
                format!(
                    "filed {} days after the voter list was posted ({}); the law allows {window}",
                    (received - posted).num_days(),
                    dmy(posted)
                ),
                format!(
                    "nộp sau {} ngày kể từ ngày niêm yết danh sách ({}); luật cho {window} ngày",
                    (received - posted).num_days(),
                    dmy(posted)
                ),
            );
        }
    }

    // Targets (warnings): women among each level's candidates, ethnic minorities among the NA's.
    let mut by_level: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for r in db.check_rows("candidates")? {
        let entry = by_level.entry(r.text(0).unwrap_or_default().to_string()).or_default();
        entry.0 += 1;
        if r.text(1) == Some("female") {
            entry.1 += 1;
        }
        if r.text(2).is_some_and(|e| text::fold(e) != "kinh") {
            entry.2 += 1;
        }
    }
    let unit = node.unit.to_string();
    for (level, (total, women, minority)) in &by_level {
        let label = crate::kinds::BALLOT_LEVELS.iter().find(|c| c.value == level);
        let (en, vi) = label.map(|c| (c.en, c.vi)).unwrap_or((level.as_str(), level.as_str()));
        if women * 100 < total * rules.targets.women_percent as usize {
            out.push(
                "women_target",
                "candidate",
                "",
                &unit,
                format!("{en}: {women} women among {total} candidates, under {}%", rules.targets.women_percent),
                format!("{vi}: {women} phụ nữ trong {total} người ứng cử, dưới {}%", rules.targets.women_percent),
            );
        }
        if level == "na" && minority * 100 < total * rules.targets.minority_na_percent as usize {
            out.push(
                "minority_target",
                "candidate",
                "",
                &unit,
                format!(
                    "{minority} of {total} NA candidates from ethnic minorities, under {}%",
                    rules.targets.minority_na_percent
                ),
                format!(
                    "{minority}/{total} người ứng cử ĐBQH là người dân tộc thiểu số, dưới {}%",
                    rules.targets.minority_na_percent
                ),
            );
        }
    }

    // Early voting (Art 71): a polling area voting earlier is ready by its own voting day, its
    // milestones counted back from that day (the timeline's entries for it).
    for (early, e) in crate::timeline::early_voting(db, node.law, None, today)? {
        let late = matches!(e.standing.status, crate::timeline::Status::Overdue | crate::timeline::Status::DoneLate);
        if late {
            let m = rules.milestone(&e.milestone);
            let (vi, en) = m.map_or((e.milestone.as_str(), e.milestone.as_str()), |m| (m.vi.as_str(), m.en.as_str()));
            let (area, votes_on) = (&early.area_name, dmy(early.votes_on));
            out.push(
                "early_voting",
                "early_voting",
                &early.early_voting,
                &early.unit,
                format!("{area} votes early on {votes_on}: \"{en}\" was due {}", dmy(e.due)),
                format!("{area} bỏ phiếu sớm ngày {votes_on}: \"{vi}\" phải xong trước {}", dmy(e.due)),
            );
        }
    }

    let mut findings = out.findings;
    findings.sort_by(|a, b| {
        (a.severity != "error", &a.rule, &a.unit, &a.id).cmp(&(b.severity != "error", &b.rule, &b.unit, &b.id))
    });
    Ok(findings)
}

/// What the voter conferences held on one candidate add up to, for the 3rd consultation
/// (Art 45, 54; Resolution 1186/2021): a conference without its quorum does not count.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CandidateConfidence {
    pub candidate: String,
    pub unit: String,
    pub full_name: String,
    pub level: String,
    pub electoral_unit: String,
    pub status: String,
    /// Every voter conference held on the candidate.
    pub conferences: i64,
    /// Conferences with their quorum where more than half of those present gave confidence.
    pub carried: i64,
    /// Conferences with their quorum where they did not.
    pub not_carried: i64,
    /// Conferences that lacked their quorum (to be held again).
    pub without_quorum: i64,
    /// `carried` (at least one valid conference, all carried), `not_carried` (a valid one did
    /// not), `pending` (no valid conference yet).
    pub verdict: String,
}

/// Every candidate (of `level`, if given) with the confidence of their voter conferences, in
/// the list's Vietnamese order by name.
pub fn confidence_by_candidate(db: &Db<'_>, level: Option<&str>) -> Result<Vec<CandidateConfidence>> {
    if let Some(level) = level
        && !crate::kinds::BALLOT_LEVELS.iter().any(|l| l.value == level)
    {
        return Err(crate::Error::input(
            format!("`{level}` is not a level (na, provincial, district, commune)"),
            format!("`{level}` không phải cấp bầu cử (na, provincial, district, commune)"),
        ));
    }
    let mut out: Vec<CandidateConfidence> = db
        .check_rows("candidate_confidence")?
        .into_iter()
        .filter(|r| level.is_none_or(|l| r.text(1) == Some(l)))
        .map(|r| {
            let (carried, not_carried) = (r.int(5).unwrap_or(0), r.int(6).unwrap_or(0));
            let verdict = if not_carried > 0 {
                "not_carried"
            } else if carried > 0 {
                "carried"
            } else {
                "pending"
            };
            CandidateConfidence {
                full_name: r.text(0).unwrap_or_default().to_string(),
                level: r.text(1).unwrap_or_default().to_string(),
                electoral_unit: r.text(2).unwrap_or_default().to_string(),
                status: r.text(3).unwrap_or_default().to_string(),
                conferences: r.int(4).unwrap_or(0),
                carried,
                not_carried,
                without_quorum: r.int(7).unwrap_or(0),
                verdict: verdict.to_string(),
                candidate: r.id,
                unit: r.unit,
            }
        })
        .collect();
    let rank = |level: &str| crate::kinds::BALLOT_LEVELS.iter().position(|l| l.value == level);
    out.sort_by_cached_key(|c| {
        (rank(&c.level), c.electoral_unit.clone(), crate::collate::person_key(&c.full_name), c.candidate.clone())
    });
    Ok(out)
}

/// Errors and warnings per unit, counted at the unit and at every unit above it in `catalogue`.
pub fn counts_by_unit(findings: &[Finding], catalogue: &crate::units::Catalogue) -> BTreeMap<String, Counts> {
    let mut out: BTreeMap<String, Counts> = BTreeMap::new();
    for f in findings {
        let Ok(mut code) = f.unit.parse::<crate::units::UnitCode>() else { continue };
        loop {
            let c = out.entry(code.to_string()).or_default();
            if f.severity == "error" {
                c.errors += 1;
            } else {
                c.warnings += 1;
            }
            match catalogue.unit(&code).and_then(|u| u.parent.clone()) {
                Some(parent) => code = parent,
                None => break,
            }
        }
    }
    out
}
