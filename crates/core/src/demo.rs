//! The demo ledger: a real Lai Châu commune (Xã Mường Kim, 2025 units) filled with generated
//! records, so a newcomer sees a working ledger at once. Election day is the first Sunday 31 to
//! 37 days ahead of today, so on every day of the year the timeline shows work done, work done
//! late (the boards), work overdue (the voter list, due at D−40, not yet posted) and work to
//! come; a test checks this for every day of a year under both law versions' deadlines.
//! Generation is deterministic (a fixed seed): the same day gives the same ledger.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde_json::{Map, Value, json};

use crate::error::Result;
use crate::kinds::Kind;
use crate::store::{InitOptions, NodeInfo, Put, Store, Writer};
use crate::units::{Scheme, UnitCode};

/// The demo commune: Xã Mường Kim, Lai Châu (2025 code 03637).
pub const DEMO_UNIT: &str = "03637";

/// A small deterministic generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

struct Ethnic {
    name: &'static str,
    families: &'static [&'static str],
    male_middle: &'static [&'static str],
    female_middle: &'static [&'static str],
    male: &'static [&'static str],
    female: &'static [&'static str],
}

const PEOPLES: &[(u64, Ethnic)] = &[
    (
        40,
        Ethnic {
            name: "Mông",
            families: &["Giàng", "Sùng", "Vàng", "Lý", "Thào", "Lầu", "Mùa", "Hờ", "Tráng", "Chang"],
            male_middle: &["A", "Páo", "Seo", "Văn"],
            female_middle: &["Thị", "Mỷ", "Thị"],
            male: &["Páo", "Chứ", "Sử", "Dính", "Pó", "Sính", "Chá", "Sềnh", "Lử", "Tủa", "Vư", "Nhà"],
            female: &["Mỷ", "Mua", "Dợ", "Sua", "Chở", "Pằng", "Mái", "Xúa", "Dung", "Chi"],
        },
    ),
    (
        30,
        Ethnic {
            name: "Thái",
            families: &["Lò", "Lường", "Tòng", "Quàng", "Cà", "Điêu", "Hoàng", "Lù"],
            male_middle: &["Văn"],
            female_middle: &["Thị"],
            male: &["Pọm", "Ơn", "Khăm", "Xiêng", "Panh", "Quyết", "Thoan", "Ún", "Hặc", "Bun"],
            female: &["Ỏn", "Ín", "Xuân", "Hoa", "Thiêm", "Ưởng", "Pâng", "Ngọc", "Ẻn", "Mai"],
        },
    ),
    (
        12,
        Ethnic {
            name: "Dao",
            families: &["Tẩn", "Phùn", "Chảo", "Lý", "Triệu", "Đặng"],
            male_middle: &["Láo", "Văn", "Vần"],
            female_middle: &["Mý", "Thị", "Mùi"],
            male: &["Lở", "Sành", "Chản", "Phù", "Quẩy", "Tả"],
            female: &["Mẩy", "Chiêu", "Lai", "Xuân", "Pham"],
        },
    ),
    (
        18,
        Ethnic {
            name: "Kinh",
            families: &["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Đinh"],
            male_middle: &["Văn", "Đức", "Minh", "Quang", "Hữu"],
            female_middle: &["Thị", "Thu", "Ngọc", "Thanh"],
            male: &["An", "Bình", "Cường", "Dũng", "Đạt", "Hùng", "Khánh", "Long", "Tuấn", "Sơn"],
            female: &["Hà", "Hương", "Lan", "Đào", "Nga", "Oanh", "Phương", "Thảo", "Yến", "Hằng"],
        },
    ),
];

pub const VILLAGES: &[&str] = &[
    "Bản Mường Kim",
    "Bản Nà Khương",
    "Bản Hát Nam",
    "Bản Che Bó",
    "Bản Phiêng Ngản",
    "Bản Nậm Củm",
    "Bản Ngọc Lại",
    "Bản Mường",
    "Bản Nà Ún",
    "Bản Phiêng Phát",
    "Bản Nà Có",
    "Bản Hua Nà",
];

pub const OCCUPATIONS: &[&str] =
    &["Làm nông", "Làm nông", "Làm nông", "Giáo viên", "Buôn bán", "Công nhân", "Học sinh", "Cán bộ"];

/// A generated person: full name (NFC), sex and ethnicity.
pub fn person(rng: &mut Rng) -> (String, &'static str, &'static str) {
    let roll = rng.below(100);
    let mut acc = 0;
    let people = PEOPLES
        .iter()
        .find(|(share, _)| {
            acc += share;
            roll < acc
        })
        .map(|(_, e)| e)
        .unwrap_or(&PEOPLES[0].1);
    let female = rng.below(2) == 0;
    let family = rng.pick(people.families);
    let (middle, given) = if female {
        (rng.pick(people.female_middle), rng.pick(people.female))
    } else {
        (rng.pick(people.male_middle), rng.pick(people.male))
    };
    (format!("{family} {middle} {given}"), if female { "female" } else { "male" }, people.name)
}

fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn date(d: NaiveDate) -> Value {
    Value::String(d.format("%Y-%m-%d").to_string())
}

fn put(w: &mut Writer<'_>, kind: Kind, value: Value) -> Result<String> {
    Ok(w.put(kind, Put::Create(None), None, &obj(value))?.id.to_string())
}

/// How many days ahead of today the demo's election day is at least: with a Sunday at most six
/// days later, the voter list (due 40 days before) is overdue by 3 to 9 days, while every record
/// the demo dates before election day (the latest, the 2nd consultation, at D−41) lies in the past.
pub const ELECTION_AT_LEAST_DAYS_AHEAD: i64 = 31;

/// The election day of a demo made on `today`: the first Sunday at least
/// [`ELECTION_AT_LEAST_DAYS_AHEAD`] days ahead.
pub fn election_for(today: NaiveDate) -> NaiveDate {
    let mut d = today + Duration::days(ELECTION_AT_LEAST_DAYS_AHEAD);
    while d.weekday() != Weekday::Sun {
        d += Duration::days(1);
    }
    d
}

/// Creates the demo ledger in `store` (which must be empty) with `voters` generated voters.
pub fn create(store: &mut Store, today: NaiveDate, voters: usize) -> Result<NodeInfo> {
    let election = election_for(today);
    let node = store.init(InitOptions {
        unit: DEMO_UNIT.parse::<UnitCode>()?,
        scheme: Scheme::Y2025,
        election_date: election,
        law: None,
    })?;
    let due = |days: i64| election - Duration::days(days);
    // Sizes within what the law in force on that election day allows.
    let rules = node.law.rules();
    let committee_size = rules.size_range("committee", "commune").map_or(11, |[lo, hi]| (lo + 2).min(hi));
    let board_size = rules.size_range("board", "commune").map_or(11, |[lo, hi]| (lo + 2).min(hi));
    let mut rng = Rng::new(0x5EED_2026);
    store.write(|w| {
        let committee_id = put(w, Kind::Committee, json!({"name": "Ủy ban bầu cử xã Mường Kim", "level": "commune",
            "formed_on": date(due(106)), "decision_no": "15/QĐ-UBND", "size": committee_size}))?;
        let mut units = Vec::new();
        for n in 1..=4 {
            units.push(put(w, Kind::ElectoralUnit, json!({"level": "commune", "number": n,
                "name": format!("Đơn vị bầu cử số {n}"), "seats": if n == 4 { 4 } else { 5 },
                "area": format!("{}, {}, {}", VILLAGES[(n - 1) * 3], VILLAGES[(n - 1) * 3 + 1], VILLAGES[(n - 1) * 3 + 2]),
                "published_on": date(due(82))}))?);
        }
        // The boards were formed four days late: the timeline shows it.
        for (n, unit) in units.iter().enumerate() {
            put(w, Kind::Board, json!({"name": format!("Ban bầu cử số {}", n + 1), "level": "commune",
                "electoral_unit": unit, "formed_on": date(due(66)), "size": board_size}))?;
        }
        let mut areas = Vec::new();
        for n in 1..=8usize {
            let villages = format!("{}, {}", VILLAGES[(n - 1) % 12], VILLAGES[(n + 3) % 12]);
            areas.push(put(w, Kind::PollingArea, json!({"number": n, "name": format!("Khu vực bỏ phiếu số {n}"),
                "area_type": "ordinary", "voters": voters / 8 + 1, "residential_areas": villages,
                "location": format!("Nhà văn hóa {}", VILLAGES[(n - 1) % 12])}))?);
        }
        for (n, area) in areas.iter().enumerate() {
            put(w, Kind::Team, json!({"name": format!("Tổ bầu cử số {}", n + 1), "polling_area": area,
                "formed_on": date(due(44)), "size": 11 + (n % 3) as i64}))?;
        }
        let members = ["chair", "vice_chair", "secretary", "member", "member", "member", "member", "member", "member", "member", "member"];
        for role in members {
            let (name, _, _) = person(&mut rng);
            put(w, Kind::Member, json!({"full_name": name, "body": committee_id, "role": role,
                "affiliation": rng.pick(&["UBND xã", "MTTQ xã", "Đảng ủy xã", "Công an xã", "Hội Phụ nữ xã"])}))?;
        }
        for i in 0..voters {
            let (name, sex, ethnicity) = person(&mut rng);
            // Born 19 to 84 years before the election: every one of them of age.
            let year = election.year() - 84 + rng.below(66) as i32;
            let birth = match rng.below(20) {
                0 => format!("{year}"),
                1 => format!("{year}-{:02}", 1 + rng.below(12)),
                _ => format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28)),
            };
            let area = i * areas.len() / voters.max(1);
            let village = VILLAGES[(area + i % 2 * 4) % 12];
            put(w, Kind::Voter, json!({"full_name": name, "birth_date": birth, "sex": sex, "ethnicity": ethnicity,
                "occupation": rng.pick(OCCUPATIONS), "permanent_residence": format!("{village}, xã Mường Kim"),
                "polling_area": areas[area], "ballots": "na,provincial,commune",
                "household": format!("Hộ {}", i / 4 + 1)}))?;
        }
        let mut candidates = Vec::new();
        for n in 0..24 {
            let (name, sex, ethnicity) = person(&mut rng);
            let unit = &units[n % units.len()];
            let year = 1965 + rng.below(35) as i32;
            candidates.push(put(w, Kind::Candidate, json!({"full_name": name, "level": "commune", "electoral_unit": unit,
                "nomination": if n == 7 { "self" } else { "nominated" }, "birth_date": format!("{year}-0{}-1{}", 1 + n % 9, n % 10),
                "sex": sex, "ethnicity": ethnicity, "hometown": "Xã Mường Kim, tỉnh Lai Châu",
                "residence": format!("{}, xã Mường Kim", VILLAGES[n % 12]), "religion": "Không",
                "education": "12/12", "occupation": "Cán bộ", "position": rng.pick(&["Trưởng bản", "Bí thư chi bộ", "Chủ tịch Hội Nông dân", "Giáo viên"]),
                "workplace": "Xã Mường Kim", "incumbent": n % 3 == 0, "dossier_received_on": date(due(50 + (n % 6) as i64)),
                "status": "preliminary"}))?);
        }
        put(w, Kind::Consultation, json!({"round": "1", "level": "commune", "held_on": date(due(96)),
            "participants": 45, "outcome": "Thống nhất cơ cấu, thành phần, số lượng người được giới thiệu ứng cử đại biểu HĐND xã."}))?;
        put(w, Kind::Consultation, json!({"round": "2", "level": "commune", "held_on": date(due(41)),
            "participants": 52, "candidates_agreed": 24, "outcome": "Lập danh sách sơ bộ 24 người ứng cử."}))?;
        for (n, candidate) in candidates.iter().enumerate().take(10) {
            let convened = 60 + rng.below(80) as i64;
            // The last conference, in a village of 150 voters, lacks its quorum (55 present).
            let (area_voters, present) = if n == 9 { (150, 50) } else { (convened + 20, convened * 3 / 4) };
            put(w, Kind::VoterConference, json!({"candidate": candidate, "residential_area": VILLAGES[n % 12],
                "held_on": date(today - Duration::days((n % 2) as i64)), "area_voters": area_voters,
                "convened": convened.max(present), "present": present,
                "confidence_for": present - 2, "confidence_against": 1}))?;
        }
        put(w, Kind::Complaint, json!({"received_on": date(today - Duration::days(3)), "type": "complaint", "subject": "voter_list",
            "summary": "Đề nghị bổ sung tên cử tri mới chuyển đến bản Nà Khương", "handler": "UBND xã", "status": "processing"}))?;
        // One past the 5 days the law gives (Art 33): the dashboard's "Cần xử lý" shows it.
        put(w, Kind::Complaint, json!({"received_on": date(today - Duration::days(8)), "type": "complaint", "subject": "voter_list",
            "summary": "Khiếu nại ghi sai năm sinh trong danh sách cử tri", "handler": "UBND xã", "status": "processing"}))?;
        put(w, Kind::Complaint, json!({"received_on": date(today - Duration::days(12)), "type": "petition", "subject": "organisation",
            "summary": "Đề nghị dời địa điểm bỏ phiếu khu vực số 3 gần hơn", "handler": "Ủy ban bầu cử xã",
            "status": "resolved", "resolved_on": date(today - Duration::days(6)), "resolution": "Đã bố trí điểm bỏ phiếu phụ tại nhà văn hóa bản."}))?;
        put(w, Kind::Incident, json!({"occurred_on": date(today - Duration::days(9)), "place": "Bản Che Bó",
            "summary": "Mất điện tại điểm niêm yết trong hai ngày", "severity": "minor", "follow_up": "Đã bố trí đèn dự phòng."}))?;
        for (n, activity) in ["Phát thanh lưu động bằng tiếng Mông và tiếng Thái", "Treo băng rôn, khẩu hiệu tại trung tâm xã",
            "Hội nghị tuyên truyền Luật Bầu cử cho trưởng bản", "Tuyên truyền tại chợ phiên"].iter().enumerate() {
            put(w, Kind::Propaganda, json!({"held_on": date(today - Duration::days(30 - 7 * n as i64)), "activity": activity,
                "place": VILLAGES[n * 2], "audience": 120 + 40 * n, "organiser": "Ban Văn hóa xã"}))?;
        }
        put(w, Kind::Supervision, json!({"visited_on": date(today - Duration::days(15)), "supervisor": "Ban Thường trực MTTQ tỉnh",
            "place": "UBND xã Mường Kim", "findings": "Công tác chuẩn bị đúng tiến độ; cần đẩy nhanh rà soát danh sách cử tri."}))?;
        Ok(())
    })?;
    Ok(node)
}
