//! The one description of every record kind: its fields, their types, Vietnamese and English
//! labels, which are required, which are personal data. The desktop forms and lists, the CSV,
//! XLSX and JSONL import and export, validation and the README's field reference are all
//! driven by these tables; nothing else lists a kind's fields.
//!
//! Rules that span fields or records (sizes by law, quorum, age on election day) live in
//! [`crate::validate`], next to the parsing of each field.

use serde::Serialize;

/// The kinds of record a ledger keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Committee,
    Board,
    Team,
    Member,
    ElectoralUnit,
    PollingArea,
    Voter,
    Candidate,
    Consultation,
    VoterConference,
    Complaint,
    Incident,
    Propaganda,
    Supervision,
    ListChange,
    DuplicateDecision,
    VoterCards,
    Readiness,
    EarlyVoting,
    TurnoutReport,
    CountMinutes,
    CandidateVotes,
    UnitResult,
    Figures,
}

impl Kind {
    pub const ALL: [Kind; 24] = [
        Kind::Committee,
        Kind::Board,
        Kind::Team,
        Kind::Member,
        Kind::ElectoralUnit,
        Kind::PollingArea,
        Kind::Voter,
        Kind::Candidate,
        Kind::Consultation,
        Kind::VoterConference,
        Kind::Complaint,
        Kind::Incident,
        Kind::Propaganda,
        Kind::Supervision,
        Kind::ListChange,
        Kind::DuplicateDecision,
        Kind::VoterCards,
        Kind::Readiness,
        Kind::EarlyVoting,
        Kind::TurnoutReport,
        Kind::CountMinutes,
        Kind::CandidateVotes,
        Kind::UnitResult,
        Kind::Figures,
    ];

    pub fn def(self) -> &'static KindDef {
        KINDS.iter().find(|d| d.kind == self).expect("every kind is described")
    }

    /// The kind's name in files and on the wire, also its table's name.
    pub fn as_str(self) -> &'static str {
        self.def().name
    }

    pub fn parse(name: &str) -> Option<Kind> {
        KINDS.iter().find(|d| d.name == name).map(|d| d.kind)
    }

    /// The sync stream the kind's changes travel and are chained in
    /// (`sobaucu_protocol::chain`): 0 the ordinary records; 1 is kept for election day's
    /// records and 2 for the figures a national ledger pulls alone.
    pub fn stream(self) -> u8 {
        match self {
            Kind::TurnoutReport | Kind::CountMinutes | Kind::CandidateVotes | Kind::UnitResult => STREAM_ELECTION_DAY,
            Kind::Figures => STREAM_FIGURES,
            _ => STREAM_MAIN,
        }
    }

    /// Parses a kind name, or says which names exist.
    pub fn require(name: &str) -> crate::Result<Kind> {
        Kind::parse(name).ok_or_else(|| {
            let names: Vec<&str> = KINDS.iter().map(|d| d.name).collect();
            let shown: String = name.chars().take(40).collect();
            crate::Error::input(
                format!("unknown kind `{shown}`; the kinds are: {}", names.join(", ")),
                format!("không có loại bản ghi `{shown}`; các loại: {}", names.join(", ")),
            )
        })
    }
}

/// One choice of an enumerated field.
#[derive(Debug, Serialize)]
pub struct Choice {
    pub value: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
}

/// What a field holds. The stored and exchanged form of each is documented in `ui/README.md`.
#[derive(Debug)]
pub enum FieldType {
    Text,
    LongText,
    Int {
        min: i64,
        max: i64,
    },
    /// A full date, `YYYY-MM-DD`.
    Date,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (a birth date whose day or month is unknown).
    PartialDate,
    Bool,
    Enum(&'static [Choice]),
    /// A set of ballot levels, stored as their values joined by commas in the choices' order.
    Levels(&'static [Choice]),
    /// The id of a record of one of these kinds.
    Ref(&'static [Kind]),
}

impl FieldType {
    pub fn name(&self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::LongText => "longtext",
            FieldType::Int { .. } => "int",
            FieldType::Date => "date",
            FieldType::PartialDate => "partial_date",
            FieldType::Bool => "bool",
            FieldType::Enum(_) => "enum",
            FieldType::Levels(_) => "levels",
            FieldType::Ref(_) => "ref",
        }
    }

    /// The SQLite column type that stores it.
    pub fn sql_type(&self) -> &'static str {
        match self {
            FieldType::Int { .. } | FieldType::Bool => "INTEGER",
            _ => "TEXT",
        }
    }

    pub fn choices(&self) -> &'static [Choice] {
        match self {
            FieldType::Enum(c) | FieldType::Levels(c) => c,
            _ => &[],
        }
    }
}

/// One field of a record kind.
#[derive(Debug)]
pub struct FieldDef {
    pub name: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
    pub ty: FieldType,
    pub required: bool,
    /// Computed by the core from other fields; never taken from input.
    pub computed: bool,
    /// Personal data (Decree 13/2023): never in logs or error messages.
    pub personal: bool,
    /// Part of the folded text that search matches.
    pub search: bool,
    pub hint_vi: &'static str,
    pub hint_en: &'static str,
    /// Other headers officials' spreadsheets use for this field, folded (no marks, lower case,
    /// punctuation as spaces): "ngay thang nam sinh" for the birth date.
    pub aliases: &'static [&'static str],
    /// The most characters a long text holds (0: the usual limit).
    pub max_chars: usize,
}

const fn field(name: &'static str, vi: &'static str, en: &'static str, ty: FieldType) -> FieldDef {
    FieldDef {
        name,
        vi,
        en,
        ty,
        required: false,
        computed: false,
        personal: false,
        search: false,
        hint_vi: "",
        hint_en: "",
        aliases: &[],
        max_chars: 0,
    }
}

impl FieldDef {
    const fn req(mut self) -> Self {
        self.required = true;
        self
    }
    const fn personal(mut self) -> Self {
        self.personal = true;
        self
    }
    const fn search(mut self) -> Self {
        self.search = true;
        self
    }
    const fn max_chars(mut self, max: usize) -> Self {
        self.max_chars = max;
        self
    }
    const fn computed(mut self) -> Self {
        self.computed = true;
        self
    }
    const fn aka(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }
    const fn hint(mut self, vi: &'static str, en: &'static str) -> Self {
        self.hint_vi = vi;
        self.hint_en = en;
        self
    }
}

/// The stream of ordinary records.
pub const STREAM_MAIN: u8 = 0;

/// The stream of election day's records (turnout, counting minutes, votes, results): a chain
/// of their own, so a sync sends them ahead of everything else waiting ([`crate::link`]).
pub const STREAM_ELECTION_DAY: u8 = 1;

/// The stream of the figures each ledger publishes of its scope ([`crate::figures`]): the one
/// stream a national ledger pulls.
pub const STREAM_FIGURES: u8 = 2;

/// The stream of a kind by its name on the wire, or None for a kind this program does not know.
pub fn stream_of(name: &str) -> Option<u8> {
    Kind::parse(name).map(Kind::stream)
}

/// One record kind.
#[derive(Debug)]
pub struct KindDef {
    pub kind: Kind,
    pub name: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
    pub group: &'static str,
    /// The field people know a record by (shown for references).
    pub title_field: &'static str,
    /// The fields a list shows, in order.
    pub list_fields: &'static [&'static str],
    pub fields: &'static [FieldDef],
}

impl KindDef {
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// Headers of officials' spreadsheets that hold no field and are passed over on import (the
/// row number; in 2026 the voter-card number is the row number), folded.
pub const IGNORED_HEADERS: &[&str] = &["stt", "so thu tu", "tt", "so tt", "so the cu tri", "ky nhan", "chu ky"];

/// A group of kinds in the sidebar, by stage of the preparation.
#[derive(Debug, Serialize)]
pub struct Group {
    pub id: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
}

/// The group of kinds the core writes itself (a ledger's published figures): listed in no
/// menu and taken by no import.
pub const SYSTEM_GROUP: &str = "system";

pub const GROUPS: &[Group] = &[
    Group { id: "organisation", vi: "Tổ chức bầu cử", en: "Organisation" },
    Group { id: "lists", vi: "Đơn vị, khu vực, cử tri", en: "Units, areas, voters" },
    Group { id: "candidates", vi: "Người ứng cử", en: "Candidates" },
    Group { id: "conferences", vi: "Hội nghị", en: "Conferences" },
    Group { id: "follow_up", vi: "Khiếu nại và tình hình", en: "Complaints and reports" },
    Group { id: "voting", vi: "Chuẩn bị ngày bầu cử", en: "Getting ready for voting day" },
    Group { id: "election_day", vi: "Ngày bầu cử và kết quả", en: "Election day and results" },
];

pub const BALLOT_LEVELS: &[Choice] = &[
    Choice { value: "na", vi: "Quốc hội", en: "National Assembly" },
    Choice { value: "provincial", vi: "HĐND tỉnh", en: "Provincial council" },
    Choice { value: "district", vi: "HĐND huyện", en: "District council" },
    Choice { value: "commune", vi: "HĐND xã", en: "Commune council" },
];

const ADMIN_LEVELS: &[Choice] = &[
    Choice { value: "province", vi: "Tỉnh", en: "Province" },
    Choice { value: "district", vi: "Huyện", en: "District" },
    Choice { value: "commune", vi: "Xã", en: "Commune" },
];

const SEX: &[Choice] =
    &[Choice { value: "male", vi: "Nam", en: "Male" }, Choice { value: "female", vi: "Nữ", en: "Female" }];

const ROLES: &[Choice] = &[
    Choice { value: "chair", vi: "Chủ tịch / Trưởng ban / Tổ trưởng", en: "Chair" },
    Choice { value: "vice_chair", vi: "Phó Chủ tịch / Phó Trưởng ban / Tổ phó", en: "Vice-chair" },
    Choice { value: "secretary", vi: "Thư ký", en: "Secretary" },
    Choice { value: "member", vi: "Ủy viên / Thành viên", en: "Member" },
];

pub const POLLING_AREA_KINDS: &[Choice] = &[
    Choice { value: "ordinary", vi: "Thông thường", en: "Ordinary" },
    Choice { value: "armed", vi: "Đơn vị vũ trang nhân dân", en: "Armed-forces unit" },
    Choice { value: "hospital", vi: "Bệnh viện, cơ sở chăm sóc", en: "Hospital or care home" },
    Choice { value: "detention", vi: "Cơ sở giam giữ", en: "Detention centre" },
];

const NOMINATION: &[Choice] = &[
    Choice { value: "nominated", vi: "Được giới thiệu", en: "Nominated" },
    Choice { value: "self", vi: "Tự ứng cử", en: "Self-nominated" },
];

const CANDIDATE_STATUS: &[Choice] = &[
    Choice { value: "registered", vi: "Đã nộp hồ sơ", en: "Dossier filed" },
    Choice { value: "preliminary", vi: "Danh sách sơ bộ (HT lần 2)", en: "Preliminary list (2nd consultation)" },
    Choice { value: "qualified", vi: "Đủ tiêu chuẩn (HT lần 3)", en: "Qualified (3rd consultation)" },
    Choice { value: "official", vi: "Danh sách chính thức", en: "Official list" },
    Choice { value: "withdrawn", vi: "Rút / không được giới thiệu", en: "Withdrawn or not retained" },
];

const ROUNDS: &[Choice] = &[
    Choice { value: "1", vi: "Lần thứ nhất", en: "First" },
    Choice { value: "2", vi: "Lần thứ hai", en: "Second" },
    Choice { value: "3", vi: "Lần thứ ba", en: "Third" },
];

const COMPLAINT_TYPES: &[Choice] = &[
    Choice { value: "complaint", vi: "Khiếu nại", en: "Complaint" },
    Choice { value: "denunciation", vi: "Tố cáo", en: "Denunciation" },
    Choice { value: "petition", vi: "Kiến nghị", en: "Petition" },
];

pub const COMPLAINT_SUBJECTS: &[Choice] = &[
    Choice { value: "voter_list", vi: "Danh sách cử tri", en: "Voter list" },
    Choice { value: "candidate", vi: "Người ứng cử", en: "Candidate" },
    Choice { value: "organisation", vi: "Tổ chức bầu cử", en: "Organisation of the election" },
    Choice { value: "other", vi: "Khác", en: "Other" },
];

pub const COMPLAINT_STATUS: &[Choice] = &[
    Choice { value: "received", vi: "Đã tiếp nhận", en: "Received" },
    Choice { value: "processing", vi: "Đang giải quyết", en: "Being handled" },
    Choice { value: "resolved", vi: "Đã giải quyết", en: "Resolved" },
    Choice { value: "transferred", vi: "Đã chuyển cơ quan có thẩm quyền", en: "Transferred" },
    Choice { value: "not_processed", vi: "Không xử lý (nặc danh)", en: "Not processed (anonymous)" },
];

pub const LIST_STATUS: &[Choice] = &[
    Choice { value: "listed", vi: "Có tên trong danh sách", en: "Listed" },
    Choice { value: "removed", vi: "Đã xóa tên", en: "Removed" },
    Choice { value: "votes_elsewhere", vi: "Bỏ phiếu nơi khác", en: "Votes elsewhere" },
];

pub const LIST_CHANGES: &[Choice] = &[
    Choice { value: "added", vi: "Bổ sung vào danh sách", en: "Added to the list" },
    Choice { value: "removed", vi: "Xóa tên khỏi danh sách", en: "Removed from the list" },
    Choice { value: "moved", vi: "Chuyển khu vực bỏ phiếu", en: "Moved to another polling area" },
    Choice {
        value: "votes_elsewhere",
        vi: "Đi bỏ phiếu nơi khác (có giấy chứng nhận)",
        en: "Votes elsewhere (certificate)",
    },
];

/// What was decided about a voter listed in two communes (see [`crate::duplicates`]).
pub const DUPLICATE_DECISIONS: &[Choice] = &[
    Choice { value: "keep_both", vi: "Giữ cả hai (hai người khác nhau)", en: "Keep both (different people)" },
    Choice { value: "removed", vi: "Xóa tên khỏi một danh sách", en: "Removed from one list" },
];

const SEVERITY: &[Choice] = &[
    Choice { value: "minor", vi: "Nhỏ", en: "Minor" },
    Choice { value: "serious", vi: "Nghiêm trọng", en: "Serious" },
];

const DATE_HINT_VI: &str = "dd/mm/yyyy";
const DATE_HINT_EN: &str = "dd/mm/yyyy";

pub static KINDS: &[KindDef] = &[
    KindDef {
        kind: Kind::Committee,
        name: "committee",
        vi: "Ủy ban bầu cử",
        en: "Election committees",
        group: "organisation",
        title_field: "name",
        list_fields: &["name", "level", "formed_on", "size"],
        fields: &[
            field("name", "Tên", "Name", FieldType::Text).req().search(),
            field("level", "Cấp", "Level", FieldType::Enum(ADMIN_LEVELS)).req(),
            field("formed_on", "Ngày thành lập", "Formed on", FieldType::Date).req().hint(DATE_HINT_VI, DATE_HINT_EN),
            field("decision_no", "Số quyết định", "Decision no.", FieldType::Text).search(),
            field("size", "Số thành viên", "Members", FieldType::Int { min: 1, max: 99 })
                .hint("Theo luật: xã 9–11 (2015) / 9–17 (2025)", "By law: commune 9–11 (2015) / 9–17 (2025)"),
            field("turnout_hours", "Giờ báo cáo số cử tri đi bầu", "Turnout reporting hours", FieldType::Text).hint(
                "Ngày bầu cử, các Tổ bầu cử báo cáo vào các giờ này, ví dụ 09:00, 11:00, 14:00, 16:00, 19:00",
                "On election day the teams report at these hours, e.g. 09:00, 11:00, 14:00, 16:00, 19:00",
            ),
        ],
    },
    KindDef {
        kind: Kind::Board,
        name: "board",
        vi: "Ban bầu cử",
        en: "Election boards",
        group: "organisation",
        title_field: "name",
        list_fields: &["name", "level", "electoral_unit", "formed_on", "size"],
        fields: &[
            field("name", "Tên", "Name", FieldType::Text).req().search(),
            field("level", "Cấp bầu cử", "Election of", FieldType::Enum(BALLOT_LEVELS)).req(),
            field("electoral_unit", "Đơn vị bầu cử", "Electoral unit", FieldType::Ref(&[Kind::ElectoralUnit])),
            field("formed_on", "Ngày thành lập", "Formed on", FieldType::Date).req().hint(DATE_HINT_VI, DATE_HINT_EN),
            field("decision_no", "Số quyết định", "Decision no.", FieldType::Text).search(),
            field("size", "Số thành viên", "Members", FieldType::Int { min: 1, max: 99 }),
        ],
    },
    KindDef {
        kind: Kind::Team,
        name: "team",
        vi: "Tổ bầu cử",
        en: "Election teams",
        group: "organisation",
        title_field: "name",
        list_fields: &["name", "polling_area", "formed_on", "size"],
        fields: &[
            field("name", "Tên", "Name", FieldType::Text).req().search(),
            field("polling_area", "Khu vực bỏ phiếu", "Polling area", FieldType::Ref(&[Kind::PollingArea])).req(),
            field("formed_on", "Ngày thành lập", "Formed on", FieldType::Date).req().hint(DATE_HINT_VI, DATE_HINT_EN),
            field("decision_no", "Số quyết định", "Decision no.", FieldType::Text).search(),
            field("size", "Số thành viên", "Members", FieldType::Int { min: 1, max: 99 })
                .hint("11–21; khu vực vũ trang 5–9", "11–21; armed-forces area 5–9"),
        ],
    },
    KindDef {
        kind: Kind::Member,
        name: "member",
        vi: "Thành viên tổ chức",
        en: "Members",
        group: "organisation",
        title_field: "full_name",
        list_fields: &["full_name", "role", "body", "affiliation"],
        fields: &[
            field("full_name", "Họ và tên", "Full name", FieldType::Text).req().personal().search(),
            field("body", "Thuộc tổ chức", "Body", FieldType::Ref(&[Kind::Committee, Kind::Board, Kind::Team])).req(),
            field("role", "Chức danh", "Role", FieldType::Enum(ROLES)).req(),
            field("affiliation", "Cơ quan, chức vụ", "Affiliation", FieldType::Text).search(),
            field("phone", "Điện thoại", "Phone", FieldType::Text).personal(),
        ],
    },
    KindDef {
        kind: Kind::ElectoralUnit,
        name: "electoral_unit",
        vi: "Đơn vị bầu cử",
        en: "Electoral units",
        group: "lists",
        title_field: "name",
        list_fields: &["number", "name", "level", "seats", "published_on"],
        fields: &[
            field("level", "Cấp bầu cử", "Election of", FieldType::Enum(BALLOT_LEVELS)).req(),
            field("number", "Số", "Number", FieldType::Int { min: 1, max: 999 }).req(),
            field("name", "Tên", "Name", FieldType::Text).req().search(),
            field("seats", "Số đại biểu được bầu", "Seats", FieldType::Int { min: 1, max: 5 })
                .req()
                .hint("Quốc hội tối đa 3; HĐND tối đa 5", "At most 3 for the NA, 5 for a council"),
            field("area", "Địa bàn", "Area covered", FieldType::LongText).search(),
            field("published_on", "Ngày công bố", "Published on", FieldType::Date).hint(DATE_HINT_VI, DATE_HINT_EN),
        ],
    },
    KindDef {
        kind: Kind::PollingArea,
        name: "polling_area",
        vi: "Khu vực bỏ phiếu",
        en: "Polling areas",
        group: "lists",
        title_field: "name",
        list_fields: &["number", "name", "area_type", "voters", "list_posted_on"],
        fields: &[
            field("number", "Số", "Number", FieldType::Int { min: 1, max: 9999 }).req(),
            field("name", "Tên", "Name", FieldType::Text).req().search(),
            field("area_type", "Loại khu vực", "Type of area", FieldType::Enum(POLLING_AREA_KINDS)).req(),
            field("voters", "Số cử tri dự kiến", "Expected voters", FieldType::Int { min: 0, max: 100_000 })
                .hint("300–4.000; dưới 300 ở miền núi, biên giới", "300–4,000; fewer in mountain or border areas"),
            field("residential_areas", "Thôn, bản, tổ dân phố", "Residential areas", FieldType::LongText).search(),
            field("location", "Địa điểm bỏ phiếu", "Polling station", FieldType::Text).search(),
            field("list_posted_on", "Ngày niêm yết danh sách cử tri", "Voter list posted on", FieldType::Date)
                .hint(DATE_HINT_VI, DATE_HINT_EN),
            field(
                "candidates_posted_on",
                "Ngày niêm yết danh sách ứng cử",
                "Candidate list posted on",
                FieldType::Date,
            )
            .hint(DATE_HINT_VI, DATE_HINT_EN),
            field(
                "electoral_unit_na",
                "Đơn vị bầu cử ĐBQH",
                "NA electoral unit",
                FieldType::Ref(&[Kind::ElectoralUnit]),
            ),
            field(
                "electoral_unit_provincial",
                "Đơn vị bầu cử HĐND tỉnh",
                "Provincial council electoral unit",
                FieldType::Ref(&[Kind::ElectoralUnit]),
            ),
            field(
                "electoral_unit_district",
                "Đơn vị bầu cử HĐND huyện",
                "District council electoral unit",
                FieldType::Ref(&[Kind::ElectoralUnit]),
            ),
            field(
                "electoral_unit_commune",
                "Đơn vị bầu cử HĐND xã",
                "Commune council electoral unit",
                FieldType::Ref(&[Kind::ElectoralUnit]),
            ),
        ],
    },
    KindDef {
        kind: Kind::Voter,
        name: "voter",
        vi: "Cử tri",
        en: "Voters",
        group: "lists",
        title_field: "full_name",
        list_fields: &["full_name", "birth_date", "sex", "ethnicity", "permanent_residence", "polling_area"],
        fields: &[
            field("full_name", "Họ và tên", "Full name", FieldType::Text).req().personal().search().aka(&[
                "ho ten",
                "ho va ten cu tri",
                "ten cu tri",
                "ho ten cu tri",
                "name",
            ]),
            field("birth_date", "Ngày sinh", "Date of birth", FieldType::PartialDate)
                .aka(&[
                    "ngay thang nam sinh",
                    "ngay thang nam sinh cua cu tri",
                    "nam sinh",
                    "sinh ngay",
                    "dob",
                    "birth date",
                ])
                .req()
                .personal()
                .search()
                .hint("dd/mm/yyyy, mm/yyyy hoặc yyyy", "dd/mm/yyyy, mm/yyyy or yyyy"),
            field("sex", "Giới tính", "Sex", FieldType::Enum(SEX)).req().personal().aka(&["gioi", "nam nu", "gender"]),
            field("ethnicity", "Dân tộc", "Ethnicity", FieldType::Text).personal().aka(&["dt"]),
            field("occupation", "Nghề nghiệp", "Occupation", FieldType::Text).aka(&["nghe", "nghe nghiep hien nay"]),
            field("permanent_residence", "Nơi thường trú", "Permanent residence", FieldType::Text)
                .personal()
                .search()
                .aka(&["thuong tru", "dia chi thuong tru", "noi dang ky thuong tru", "noi o", "dia chi"]),
            field("temporary_residence", "Nơi tạm trú", "Temporary residence", FieldType::Text)
                .personal()
                .search()
                .aka(&["tam tru", "dia chi tam tru", "noi dang ky tam tru"]),
            field(
                "temporary_under_12m",
                "Tạm trú dưới 12 tháng",
                "Temporary resident under 12 months",
                FieldType::Bool,
            )
            .hint(
                "Chỉ bầu ĐBQH, HĐND tỉnh (và HĐND huyện theo luật 2015)",
                "Votes only for the NA, the provincial council (and the district council under the 2015 law)",
            ),
            field("household", "Hộ gia đình", "Household", FieldType::Text).personal().aka(&["ho", "so ho", "ho so"]),
            field("household_head", "Chủ hộ", "Head of household", FieldType::Bool)
                .aka(&["chu ho", "la chu ho"])
                .hint("Danh sách 2026 ghi chủ hộ trước trong mỗi hộ", "2026 lists put the head of household first"),
            field("village", "Thôn, bản, tổ dân phố", "Village", FieldType::Text).search().aka(&[
                "thon",
                "ban",
                "thon ban",
                "to dan pho",
                "thon xom",
            ]),
            field("id_number", "Số định danh", "ID number", FieldType::Text)
                .personal()
                .aka(&["so dinh danh ca nhan", "cccd", "so cccd", "cmnd", "so cmnd", "cmnd cccd", "so can cuoc"])
                .hint("12 chữ số (CCCD) hoặc 9 (CMND)", "12 digits (citizen ID) or 9 (old ID card)"),
            field("polling_area", "Khu vực bỏ phiếu", "Polling area", FieldType::Ref(&[Kind::PollingArea]))
                .req()
                .aka(&["kvbp", "khu vuc"]),
            field("ballots", "Bầu cử", "Ballots", FieldType::Levels(BALLOT_LEVELS))
                .req()
                .aka(&["cap bau cu", "bau cu dai bieu"]),
            field("remarks", "Ghi chú", "Remarks", FieldType::Text).aka(&["ghi chu khac"]),
            field("list_status", "Tình trạng trong danh sách", "On the list", FieldType::Enum(LIST_STATUS))
                .hint("Thay đổi bằng mục Thay đổi danh sách cử tri", "Changed through a voter-list change"),
        ],
    },
    KindDef {
        kind: Kind::Candidate,
        name: "candidate",
        vi: "Người ứng cử",
        en: "Candidates",
        group: "candidates",
        title_field: "full_name",
        list_fields: &["full_name", "level", "electoral_unit", "nomination", "status"],
        fields: &[
            field("full_name", "Họ và tên", "Full name", FieldType::Text).req().personal().search(),
            field("level", "Ứng cử đại biểu", "Standing for", FieldType::Enum(BALLOT_LEVELS)).req(),
            field("electoral_unit", "Đơn vị bầu cử", "Electoral unit", FieldType::Ref(&[Kind::ElectoralUnit])),
            field("nomination", "Hình thức", "Nomination", FieldType::Enum(NOMINATION)).req(),
            field("birth_date", "Ngày sinh", "Date of birth", FieldType::Date)
                .req()
                .personal()
                .hint(DATE_HINT_VI, DATE_HINT_EN),
            field("sex", "Giới tính", "Sex", FieldType::Enum(SEX)).req(),
            field("hometown", "Quê quán", "Hometown", FieldType::Text),
            field("residence", "Nơi ở hiện nay", "Residence", FieldType::Text).personal(),
            field("ethnicity", "Dân tộc", "Ethnicity", FieldType::Text),
            field("religion", "Tôn giáo", "Religion", FieldType::Text),
            field("education", "Trình độ", "Education", FieldType::Text),
            field("occupation", "Nghề nghiệp", "Occupation", FieldType::Text),
            field("position", "Chức vụ", "Position", FieldType::Text).search(),
            field("workplace", "Nơi công tác", "Workplace", FieldType::Text).search(),
            field("incumbent", "Đang là đại biểu (tái cử)", "Sitting deputy (re-election)", FieldType::Bool),
            field("dossier_received_on", "Ngày nhận hồ sơ", "Dossier received on", FieldType::Date)
                .hint(DATE_HINT_VI, DATE_HINT_EN),
            field("status", "Tình trạng", "Status", FieldType::Enum(CANDIDATE_STATUS)).req(),
            field("listed_on", "Ngày vào danh sách chính thức", "Official list on", FieldType::Date)
                .hint(DATE_HINT_VI, DATE_HINT_EN),
        ],
    },
    KindDef {
        kind: Kind::Consultation,
        name: "consultation",
        vi: "Hội nghị hiệp thương",
        en: "Consultative conferences",
        group: "conferences",
        title_field: "title",
        list_fields: &["round", "level", "held_on", "participants", "candidates_agreed"],
        fields: &[
            field("title", "Tên hội nghị", "Title", FieldType::Text).computed().search(),
            field("round", "Lần", "Round", FieldType::Enum(ROUNDS)).req(),
            field("level", "Hiệp thương bầu cử", "For the election of", FieldType::Enum(BALLOT_LEVELS)).req(),
            field("held_on", "Ngày tổ chức", "Held on", FieldType::Date).req().hint(DATE_HINT_VI, DATE_HINT_EN),
            field("participants", "Số người dự", "Participants", FieldType::Int { min: 0, max: 10_000 }),
            field(
                "candidates_agreed",
                "Số người được thống nhất",
                "Candidates agreed",
                FieldType::Int { min: 0, max: 10_000 },
            ),
            field("outcome", "Kết quả", "Outcome", FieldType::LongText).search(),
        ],
    },
    KindDef {
        kind: Kind::VoterConference,
        name: "voter_conference",
        vi: "Hội nghị cử tri",
        en: "Voter conferences",
        group: "conferences",
        title_field: "residential_area",
        list_fields: &[
            "candidate",
            "residential_area",
            "held_on",
            "convened",
            "present",
            "quorum",
            "confidence_carried",
        ],
        fields: &[
            field("candidate", "Người ứng cử", "Candidate", FieldType::Ref(&[Kind::Candidate])).req(),
            field("residential_area", "Khu dân cư (thôn, bản, tổ dân phố)", "Residential area", FieldType::Text)
                .req()
                .search(),
            field("held_on", "Ngày tổ chức", "Held on", FieldType::Date).req().hint(DATE_HINT_VI, DATE_HINT_EN),
            field("convened", "Số cử tri được triệu tập", "Voters convened", FieldType::Int { min: 1, max: 100_000 })
                .req(),
            field("present", "Số cử tri tham dự", "Voters present", FieldType::Int { min: 0, max: 100_000 }).req(),
            field("confidence_for", "Số tín nhiệm", "Confidence: for", FieldType::Int { min: 0, max: 100_000 }),
            field(
                "confidence_against",
                "Số không tín nhiệm",
                "Confidence: against",
                FieldType::Int { min: 0, max: 100_000 },
            ),
            field(
                "area_voters",
                "Số cử tri của khu dân cư",
                "Voters of the residential area",
                FieldType::Int { min: 1, max: 100_000 },
            )
            .hint(
                "Quyết định số người phải dự (NQ 1186/2021); để trống thì lấy số được triệu tập",
                "Sets the quorum (Resolution 1186/2021); the voters convened when empty",
            ),
            field("quorum", "Đủ số lượng", "Quorum reached", FieldType::Bool).computed().hint(
                "Khu dân cư dưới 100 cử tri: ≥ 50% số được triệu tập dự; từ 100: ≥ 55 người",
                "Area under 100 voters: ≥ 50% of those convened present; else ≥ 55",
            ),
            field("confidence_carried", "Được quá nửa tín nhiệm", "Confidence carried", FieldType::Bool)
                .computed()
                .hint("Quá 50% cử tri dự hội nghị tín nhiệm", "More than half of those present"),
            field("opinions", "Ý kiến cử tri", "Opinions", FieldType::LongText),
        ],
    },
    KindDef {
        kind: Kind::Complaint,
        name: "complaint",
        vi: "Khiếu nại, tố cáo",
        en: "Complaints and denunciations",
        group: "follow_up",
        title_field: "summary",
        list_fields: &["received_on", "type", "subject", "summary", "deadline", "status"],
        fields: &[
            field("received_on", "Ngày nhận", "Received on", FieldType::Date).req().hint(DATE_HINT_VI, DATE_HINT_EN),
            field("type", "Loại", "Type", FieldType::Enum(COMPLAINT_TYPES)).req(),
            field("subject", "Về việc", "About", FieldType::Enum(COMPLAINT_SUBJECTS)).req(),
            field("summary", "Tóm tắt nội dung", "Summary", FieldType::Text).req().search(),
            field("anonymous", "Nặc danh", "Anonymous", FieldType::Bool)
                .hint("Tố cáo nặc danh không được xử lý", "Anonymous denunciations are not processed"),
            field("handler", "Người, cơ quan xử lý", "Handled by", FieldType::Text).search(),
            field("deadline", "Hạn giải quyết", "Deadline", FieldType::Date).computed(),
            field("status", "Tình trạng", "Status", FieldType::Enum(COMPLAINT_STATUS)).req(),
            field("resolved_on", "Ngày giải quyết", "Resolved on", FieldType::Date).hint(DATE_HINT_VI, DATE_HINT_EN),
            field("resolution", "Kết quả giải quyết", "Resolution", FieldType::LongText),
        ],
    },
    KindDef {
        kind: Kind::Incident,
        name: "incident",
        vi: "An ninh trật tự",
        en: "Security incidents",
        group: "follow_up",
        title_field: "summary",
        list_fields: &["occurred_on", "place", "summary", "severity"],
        fields: &[
            field("occurred_on", "Ngày xảy ra", "Occurred on", FieldType::Date).req().hint(DATE_HINT_VI, DATE_HINT_EN),
            field("place", "Địa điểm", "Place", FieldType::Text).req().search(),
            field("summary", "Sự việc", "What happened", FieldType::Text).req().search(),
            field("severity", "Mức độ", "Severity", FieldType::Enum(SEVERITY)),
            field("people", "Người liên quan", "People involved", FieldType::Text).personal(),
            field("follow_up", "Biện pháp xử lý", "Follow-up", FieldType::LongText),
        ],
    },
    KindDef {
        kind: Kind::Propaganda,
        name: "propaganda",
        vi: "Tuyên truyền",
        en: "Propaganda activities",
        group: "follow_up",
        title_field: "activity",
        list_fields: &["held_on", "activity", "place", "audience"],
        fields: &[
            field("held_on", "Ngày", "Date", FieldType::Date).req().hint(DATE_HINT_VI, DATE_HINT_EN),
            field("activity", "Hoạt động", "Activity", FieldType::Text).req().search(),
            field("place", "Địa điểm", "Place", FieldType::Text).search(),
            field(
                "audience",
                "Số người được tuyên truyền",
                "People reached",
                FieldType::Int { min: 0, max: 1_000_000 },
            ),
            field("organiser", "Đơn vị thực hiện", "Organised by", FieldType::Text).search(),
            field("notes", "Ghi chú", "Notes", FieldType::LongText),
        ],
    },
    KindDef {
        kind: Kind::Supervision,
        name: "supervision",
        vi: "Giám sát, kiểm tra",
        en: "Supervision visits",
        group: "follow_up",
        title_field: "supervisor",
        list_fields: &["visited_on", "supervisor", "place", "findings"],
        fields: &[
            field("visited_on", "Ngày", "Date", FieldType::Date).req().hint(DATE_HINT_VI, DATE_HINT_EN),
            field("supervisor", "Đoàn giám sát", "Supervised by", FieldType::Text).req().search(),
            field("place", "Nơi được giám sát", "Place visited", FieldType::Text).search(),
            field("findings", "Nội dung, kết quả", "Findings", FieldType::LongText).search(),
            field("follow_up", "Kiến nghị, khắc phục", "Recommendations", FieldType::LongText),
        ],
    },
    KindDef {
        kind: Kind::ListChange,
        name: "list_change",
        vi: "Thay đổi danh sách cử tri",
        en: "Voter-list changes",
        group: "lists",
        title_field: "reason",
        list_fields: &["changed_on", "voter", "change", "reason", "to_polling_area"],
        fields: &[
            field("voter", "Cử tri", "Voter", FieldType::Ref(&[Kind::Voter])).req(),
            field("change", "Thay đổi", "Change", FieldType::Enum(LIST_CHANGES)).req(),
            field("changed_on", "Ngày", "Date", FieldType::Date).req().hint(DATE_HINT_VI, DATE_HINT_EN),
            field("reason", "Lý do", "Reason", FieldType::Text).req().search(),
            field("to_polling_area", "Chuyển đến khu vực", "To polling area", FieldType::Ref(&[Kind::PollingArea])),
            field("certificate_no", "Số giấy chứng nhận", "Certificate no.", FieldType::Text)
                .hint("Giấy chứng nhận đi bầu cử ở nơi khác", "Certificate to vote elsewhere"),
        ],
    },
    KindDef {
        kind: Kind::DuplicateDecision,
        name: "duplicate_decision",
        vi: "Sổ quyết định về cử tri trùng",
        en: "Duplicate-voter decisions",
        group: "lists",
        title_field: "decision",
        list_fields: &["decided_on", "voter_a", "voter_b", "decision", "removed_voter", "reason"],
        fields: &[
            field("voter_a", "Cử tri thứ nhất", "First voter", FieldType::Ref(&[Kind::Voter])).req(),
            field("voter_b", "Cử tri thứ hai", "Second voter", FieldType::Ref(&[Kind::Voter])).req(),
            field("decision", "Quyết định", "Decision", FieldType::Enum(DUPLICATE_DECISIONS)).req(),
            field("removed_voter", "Cử tri bị xóa tên", "Voter removed", FieldType::Ref(&[Kind::Voter]))
                .hint("Một trong hai cử tri, khi xóa tên", "One of the two voters, when removing"),
            field("reason", "Lý do", "Reason", FieldType::Text)
                .search()
                .hint("Bắt buộc khi xóa tên", "Required when removing"),
            field("decided_on", "Ngày quyết định", "Decided on", FieldType::Date)
                .req()
                .hint(DATE_HINT_VI, DATE_HINT_EN),
        ],
    },
    KindDef {
        kind: Kind::VoterCards,
        name: "voter_cards",
        vi: "Thẻ cử tri",
        en: "Voter cards",
        group: "voting",
        title_field: "polling_area",
        list_fields: &["polling_area", "printed", "printed_on", "delivered", "delivered_on"],
        fields: &[
            field("polling_area", "Khu vực bỏ phiếu", "Polling area", FieldType::Ref(&[Kind::PollingArea])).req(),
            field("printed", "Số thẻ đã in", "Cards printed", FieldType::Int { min: 0, max: 100_000 }).req(),
            field("printed_on", "Ngày in", "Printed on", FieldType::Date).hint(DATE_HINT_VI, DATE_HINT_EN),
            field("delivered", "Số thẻ đã phát", "Cards handed out", FieldType::Int { min: 0, max: 100_000 }),
            field("delivered_on", "Ngày phát xong", "Handed out by", FieldType::Date).hint(
                "Theo luật 2025, số thẻ là số thứ tự trong danh sách cử tri (Mẫu 33)",
                "Under the 2025 law, a card's number is the voter's row on the list (Mẫu 33)",
            ),
            field("notes", "Ghi chú", "Notes", FieldType::LongText),
        ],
    },
    KindDef {
        kind: Kind::Readiness,
        name: "readiness",
        vi: "Chuẩn bị phòng bỏ phiếu",
        en: "Polling-station readiness",
        group: "voting",
        title_field: "polling_area",
        list_fields: &["polling_area", "checked_on", "boxes_main", "boxes_mobile", "seal", "notice_posted_on"],
        fields: &[
            field("polling_area", "Khu vực bỏ phiếu", "Polling area", FieldType::Ref(&[Kind::PollingArea])).req(),
            field("checked_on", "Ngày kiểm tra", "Checked on", FieldType::Date).req().hint(DATE_HINT_VI, DATE_HINT_EN),
            field(
                "ballots_na",
                "Phiếu bầu ĐBQH đã nhận",
                "NA ballots received",
                FieldType::Int { min: 0, max: 100_000 },
            ),
            field(
                "ballots_provincial",
                "Phiếu bầu HĐND tỉnh đã nhận",
                "Provincial ballots received",
                FieldType::Int { min: 0, max: 100_000 },
            ),
            field(
                "ballots_district",
                "Phiếu bầu HĐND huyện đã nhận",
                "District ballots received",
                FieldType::Int { min: 0, max: 100_000 },
            ),
            field(
                "ballots_commune",
                "Phiếu bầu HĐND xã đã nhận",
                "Commune ballots received",
                FieldType::Int { min: 0, max: 100_000 },
            ),
            field("boxes_main", "Hòm phiếu chính", "Main ballot boxes", FieldType::Int { min: 0, max: 100 }),
            field("boxes_mobile", "Hòm phiếu phụ", "Mobile ballot boxes", FieldType::Int { min: 0, max: 100 }),
            field("seal", "Đã có con dấu của Tổ bầu cử", "The team's seal received", FieldType::Bool),
            field(
                "notice_posted_on",
                "Ngày thông báo thời gian, địa điểm bỏ phiếu",
                "Voting time and place announced on",
                FieldType::Date,
            )
            .hint("Chậm nhất 10 ngày trước ngày bầu cử (Điều 70)", "At the latest 10 days before (Art 70)"),
            field("lists_posted", "Đã niêm yết danh sách cử tri, người ứng cử", "Lists posted", FieldType::Bool),
            field("notes", "Ghi chú", "Notes", FieldType::LongText),
        ],
    },
    KindDef {
        kind: Kind::EarlyVoting,
        name: "early_voting",
        vi: "Bỏ phiếu sớm",
        en: "Early voting",
        group: "voting",
        title_field: "polling_area",
        list_fields: &["polling_area", "voting_on", "decision_no", "decided_on"],
        fields: &[
            field("polling_area", "Khu vực bỏ phiếu", "Polling area", FieldType::Ref(&[Kind::PollingArea])).req(),
            field("voting_on", "Ngày bỏ phiếu sớm", "Votes on", FieldType::Date).req().hint(DATE_HINT_VI, DATE_HINT_EN),
            field("decision_no", "Số quyết định", "Decision no.", FieldType::Text).req().search(),
            field("decided_on", "Ngày quyết định", "Decided on", FieldType::Date).hint(DATE_HINT_VI, DATE_HINT_EN),
            field("reason", "Lý do", "Reason", FieldType::LongText),
        ],
    },
    KindDef {
        kind: Kind::TurnoutReport,
        name: "turnout_report",
        vi: "Báo cáo cử tri đi bầu",
        en: "Turnout reports",
        group: "election_day",
        title_field: "reported_at",
        list_fields: &["polling_area", "reported_at", "voted"],
        fields: &[
            field("polling_area", "Khu vực bỏ phiếu", "Polling area", FieldType::Ref(&[Kind::PollingArea])).req(),
            field("reported_at", "Thời điểm báo cáo", "Reported at", FieldType::Text)
                .req()
                .hint("dd/mm/yyyy hh:mm, ví dụ 15/03/2026 09:00", "dd/mm/yyyy hh:mm, e.g. 15/03/2026 09:00"),
            field("voted", "Số cử tri đã bỏ phiếu", "Voters who have voted", FieldType::Int { min: 0, max: 100_000 })
                .req(),
        ],
    },
    KindDef {
        kind: Kind::CountMinutes,
        name: "count_minutes",
        vi: "Biên bản kết quả kiểm phiếu",
        en: "Counting minutes",
        group: "election_day",
        title_field: "polling_area",
        list_fields: &["polling_area", "level", "voters_listed", "voted", "valid", "invalid", "counted_on"],
        fields: &[
            field("polling_area", "Khu vực bỏ phiếu", "Polling area", FieldType::Ref(&[Kind::PollingArea])).req(),
            field("level", "Cấp bầu cử", "Election of", FieldType::Enum(BALLOT_LEVELS)).req(),
            field(
                "voters_listed",
                "Tổng số cử tri trong danh sách",
                "Voters on the list",
                FieldType::Int { min: 0, max: 100_000 },
            )
            .req(),
            field(
                "voted",
                "Số cử tri đã tham gia bỏ phiếu",
                "Voters who voted",
                FieldType::Int { min: 0, max: 100_000 },
            )
            .req(),
            field("ballots_issued", "Số phiếu phát ra", "Ballots issued", FieldType::Int { min: 0, max: 100_000 })
                .req(),
            field("ballots_received", "Số phiếu thu vào", "Ballots received", FieldType::Int { min: 0, max: 100_000 })
                .req(),
            field("valid", "Số phiếu hợp lệ", "Valid ballots", FieldType::Int { min: 0, max: 100_000 }).req(),
            field("invalid", "Số phiếu không hợp lệ", "Invalid ballots", FieldType::Int { min: 0, max: 100_000 }).req(),
            field("signed_by", "Người ký biên bản", "Signed by", FieldType::LongText)
                .hint("Mỗi dòng một người: họ tên — chức vụ", "One line each: name — role"),
            field("counted_on", "Ngày kiểm phiếu", "Counted on", FieldType::Date)
                .req()
                .hint(DATE_HINT_VI, DATE_HINT_EN),
            field("correction_reason", "Lý do sửa biên bản", "Why the minutes were corrected", FieldType::LongText),
        ],
    },
    KindDef {
        kind: Kind::CandidateVotes,
        name: "candidate_votes",
        vi: "Số phiếu của người ứng cử",
        en: "Candidates' votes",
        group: "election_day",
        title_field: "candidate",
        list_fields: &["polling_area", "level", "candidate", "votes"],
        fields: &[
            field("polling_area", "Khu vực bỏ phiếu", "Polling area", FieldType::Ref(&[Kind::PollingArea])).req(),
            field("level", "Cấp bầu cử", "Election of", FieldType::Enum(BALLOT_LEVELS)).req(),
            field("candidate", "Người ứng cử", "Candidate", FieldType::Ref(&[Kind::Candidate])).req(),
            field("votes", "Số phiếu bầu", "Votes", FieldType::Int { min: 0, max: 100_000 }).req(),
        ],
    },
    KindDef {
        kind: Kind::UnitResult,
        name: "unit_result",
        vi: "Biên bản xác định kết quả bầu cử",
        en: "Result minutes of an electoral unit",
        group: "election_day",
        title_field: "electoral_unit",
        list_fields: &["electoral_unit", "confirmed_on", "confirmed_by", "areas_reported"],
        fields: &[
            field("electoral_unit", "Đơn vị bầu cử", "Electoral unit", FieldType::Ref(&[Kind::ElectoralUnit])).req(),
            field("confirmed_on", "Ngày Ban bầu cử lập biên bản", "Confirmed by the board on", FieldType::Date)
                .req()
                .hint(DATE_HINT_VI, DATE_HINT_EN),
            field("confirmed_by", "Người ký biên bản", "Signed by", FieldType::LongText)
                .hint("Mỗi dòng một người: họ tên — chức vụ", "One line each: name — role"),
            field(
                "areas_reported",
                "Số khu vực bỏ phiếu đã có kết quả",
                "Polling areas counted",
                FieldType::Int { min: 0, max: 10_000 },
            )
            .computed(),
            field("summary", "Kết quả đã xác nhận", "The result confirmed", FieldType::LongText).computed(),
        ],
    },
    KindDef {
        kind: Kind::Figures,
        name: "figures",
        vi: "Số liệu tổng hợp gửi cấp trên",
        en: "Figures sent up",
        group: SYSTEM_GROUP,
        title_field: "computed_on",
        list_fields: &["computed_on", "voters", "polling_areas"],
        fields: &[
            field("computed_on", "Số liệu tính đến ngày", "Figures as of", FieldType::Date).computed(),
            field("voters", "Số cử tri", "Voters", FieldType::Int { min: 0, max: 1_000_000_000 }).computed(),
            field("polling_areas", "Số khu vực bỏ phiếu", "Polling areas", FieldType::Int { min: 0, max: 10_000_000 })
                .computed(),
            // JSON of `figures::Figures`; within one wire text (64 KiB) at 4 bytes a character.
            field("figures", "Số liệu", "Figures", FieldType::LongText).computed().max_chars(16_000),
        ],
    },
];

/// The field reference of every kind as Markdown, for the README (kept equal to it by a test)
/// and for `sobaucu fields`.
/// The ballot levels that exist under a scheme: no district councils since 2025.
pub fn ballot_levels(scheme: crate::units::Scheme) -> Vec<&'static str> {
    BALLOT_LEVELS
        .iter()
        .map(|c| c.value)
        .filter(|l| scheme != crate::units::Scheme::Y2025 || *l != "district")
        .collect()
}

pub fn markdown_reference() -> String {
    let mut out = String::new();
    for def in KINDS {
        out.push_str(&format!("#### `{}` — {} / {}\n\n", def.name, def.vi, def.en));
        out.push_str("| field | Vietnamese | English | type | required | values |\n|---|---|---|---|---|---|\n");
        for f in def.fields {
            let values = match &f.ty {
                FieldType::Enum(c) | FieldType::Levels(c) => {
                    c.iter().map(|c| format!("`{}` {}", c.value, c.vi)).collect::<Vec<_>>().join(", ")
                }
                FieldType::Int { min, max } => format!("{min}–{max}"),
                FieldType::Ref(kinds) => {
                    format!(
                        "id or name of a {}",
                        kinds.iter().map(|k| format!("`{}`", k.as_str())).collect::<Vec<_>>().join(" / ")
                    )
                }
                FieldType::Date => "`YYYY-MM-DD` or `dd/mm/yyyy`".to_string(),
                FieldType::PartialDate => "also `yyyy`, `mm/yyyy`".to_string(),
                FieldType::Bool => "`true`/`false`, `1`/`0`, `có`/`không`".to_string(),
                _ => String::new(),
            };
            let required = if f.computed {
                "computed"
            } else if f.required {
                "yes"
            } else {
                ""
            };
            let personal = if f.personal { " (personal)" } else { "" };
            out.push_str(&format!(
                "| `{}`{personal} | {} | {} | {} | {required} | {values} |\n",
                f.name,
                f.vi,
                f.en,
                f.ty.name()
            ));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_described_once_with_sane_fields() {
        for kind in Kind::ALL {
            let def = kind.def();
            assert_eq!(Kind::parse(def.name), Some(kind));
            assert!(def.field(def.title_field).is_some(), "{}: title", def.name);
            for name in def.list_fields {
                assert!(def.field(name).is_some(), "{}: list field {name}", def.name);
            }
            assert!(GROUPS.iter().any(|g| g.id == def.group) || def.group == SYSTEM_GROUP);
            let mut names: Vec<&str> = def.fields.iter().map(|f| f.name).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), def.fields.len(), "{}: duplicate field", def.name);
            for f in def.fields {
                assert!(
                    !["id", "unit", "deleted", "updated_at", "updated_by", "created_at", "search"].contains(&f.name)
                );
            }
        }
        assert_eq!(KINDS.len(), Kind::ALL.len());
    }
}
