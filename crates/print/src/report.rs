//! The report of `sobaucu_core::report::compute` as labelled Vietnamese tables, and those
//! tables as an XLSX workbook, a PDF or plain text. The tables are built once here; the three
//! renderers only lay them out, so the figures are the same in every format.

use rust_xlsxwriter::{Format, Workbook};
use sobaucu_core::kinds::BALLOT_LEVELS;
use sobaucu_core::law::LawVersion;
use sobaucu_core::report::Report;
use sobaucu_core::{Error, Result};

use crate::layout::{Column, Flow, TableRow};
use crate::pdf::{Align, PageSize, Weight};

/// A cell of a report table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => group_thousands(*n),
        }
    }
}

/// One labelled table of the report.
#[derive(Debug, Clone)]
pub struct Table {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A worksheet of the workbook: its name and its tables, one under the other.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: &'static str,
    pub tables: Vec<Table>,
}

/// The workbook's sheet names, in order.
pub const SHEET_SUMMARY: &str = "Tổng hợp";
pub const SHEET_CANDIDATES: &str = "Người ứng cử";
pub const SHEET_CONSULTATIONS: &str = "Hiệp thương";
pub const SHEET_CONFERENCES: &str = "Hội nghị cử tri";
pub const SHEET_TIMELINE: &str = "Tiến độ";
pub const SHEET_UNITS: &str = "Từng đơn vị";

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn level_label(level: &str) -> &'static str {
    BALLOT_LEVELS.iter().find(|c| c.value == level).map_or("", |c| c.vi)
}

fn council_label(level: &str) -> String {
    match level {
        "na" => "Đại biểu Quốc hội".to_string(),
        other => format!("Đại biểu {}", level_label(other)),
    }
}

fn row(label: &str, value: i64) -> Vec<Cell> {
    vec![Cell::Text(label.to_string()), Cell::Int(value)]
}

fn status_label(status: &str) -> &'static str {
    match status {
        "done" => "Đã xong",
        "done_late" => "Xong muộn",
        "overdue" => "Quá hạn",
        "due_soon" => "Sắp đến hạn",
        "upcoming" => "Sắp tới",
        "passed" => "Đã qua",
        "no_data" => "Chưa đồng bộ",
        _ => "",
    }
}

const LEVELS: [&str; 4] = ["na", "provincial", "district", "commune"];

/// The report as sheets of labelled tables (the same in the workbook and the PDF).
pub fn sheets(r: &Report) -> Vec<Sheet> {
    let figure = || vec!["Chỉ tiêu".to_string(), "Số lượng".to_string()];
    let level_headers = |first: &str| {
        let mut h = vec![first.to_string()];
        h.extend(LEVELS.iter().map(|l| level_label(l).to_string()));
        h
    };

    let general = Table {
        title: "Thông tin chung".into(),
        headers: vec!["Mục".into(), "Nội dung".into()],
        rows: vec![
            vec![Cell::Text("Đơn vị".into()), Cell::Text(r.unit.name.clone())],
            vec![Cell::Text("Mã đơn vị".into()), Cell::Text(r.unit.code.clone())],
            vec![Cell::Text("Danh mục đơn vị hành chính".into()), Cell::Text(r.scheme.clone())],
            vec![Cell::Text("Luật áp dụng".into()), Cell::Text(r.law.clone())],
            vec![Cell::Text("Ngày bầu cử".into()), Cell::Text(r.election_date.format("%d/%m/%Y").to_string())],
            vec![Cell::Text("Ngày lập báo cáo".into()), Cell::Text(r.today.format("%d/%m/%Y").to_string())],
        ],
    };
    let mut bodies = vec![row("Ủy ban bầu cử", r.committees)];
    for level in LEVELS {
        bodies.push(row(
            &format!("Ban bầu cử đại biểu {}", level_label(level)),
            r.boards.get(level).copied().unwrap_or(0),
        ));
    }
    bodies.push(row("Tổ bầu cử", r.teams));
    let bodies = Table { title: "Tổ chức phụ trách bầu cử".into(), headers: figure(), rows: bodies };

    let units = Table {
        title: "Đơn vị bầu cử và số đại biểu được bầu".into(),
        headers: vec!["Cấp bầu cử".into(), "Số đơn vị bầu cử".into(), "Số đại biểu được bầu".into()],
        rows: LEVELS
            .iter()
            .map(|l| {
                let f = r.electoral_units.get(*l);
                vec![
                    Cell::Text(council_label(l)),
                    Cell::Int(f.map_or(0, |f| f.units)),
                    Cell::Int(f.map_or(0, |f| f.seats)),
                ]
            })
            .collect(),
    };
    let areas = Table {
        title: "Khu vực bỏ phiếu".into(),
        headers: figure(),
        rows: vec![
            row("Tổng số khu vực bỏ phiếu", r.polling_areas),
            row(
                "Trong đó: khu vực bỏ phiếu riêng (lực lượng vũ trang, bệnh viện, cơ sở giam giữ)",
                r.polling_areas_separate,
            ),
        ],
    };
    let mut voters = vec![
        row("Tổng số cử tri trong danh sách", r.voters),
        row("Cử tri nam", r.voters_by_sex.get("male").copied().unwrap_or(0)),
        row("Cử tri nữ", r.voters_by_sex.get("female").copied().unwrap_or(0)),
    ];
    for level in LEVELS {
        voters.push(row(
            &format!("Cử tri bầu đại biểu {}", level_label(level)),
            r.voters_by_level.get(level).copied().unwrap_or(0),
        ));
    }
    voters.push(row("Cử tri đi bỏ phiếu nơi khác (có giấy chứng nhận)", r.voters_voting_elsewhere));
    voters.push(row("Cử tri đã xóa tên khỏi danh sách", r.voters_removed));
    let voters = Table { title: "Cử tri".into(), headers: figure(), rows: voters };
    let c = &r.complaints;
    let complaints = Table {
        title: "Khiếu nại, tố cáo".into(),
        headers: figure(),
        rows: vec![
            row("Đã tiếp nhận", c.received),
            row("Đã giải quyết", c.resolved),
            row("Đã chuyển cơ quan có thẩm quyền", c.transferred),
            row("Đang giải quyết", c.open),
            row("Quá hạn giải quyết", c.overdue),
        ],
    };
    let other = Table {
        title: "Tình hình khác".into(),
        headers: figure(),
        rows: vec![
            row("Vụ việc an ninh trật tự", r.incidents),
            row("Hoạt động tuyên truyền", r.propaganda),
            row("Cuộc giám sát, kiểm tra", r.supervision),
        ],
    };

    type CandidateField = fn(&sobaucu_core::report::CandidateFigures) -> i64;
    let candidate_rows: [(&str, CandidateField); 8] = [
        ("Tổng số người ứng cử", |f| f.total),
        ("Được giới thiệu", |f| f.nominated),
        ("Tự ứng cử", |f| f.self_nominated),
        ("Nữ", |f| f.women),
        ("Dân tộc thiểu số", |f| f.ethnic_minority),
        ("Dưới 40 tuổi", |f| f.under_40),
        ("Tái cử", |f| f.incumbent),
        ("Trong danh sách chính thức", |f| f.official),
    ];
    let candidates = Table {
        title: "Người ứng cử theo cấp".into(),
        headers: level_headers("Chỉ tiêu"),
        rows: candidate_rows
            .iter()
            .map(|(label, get)| {
                let mut cells = vec![Cell::Text(label.to_string())];
                cells.extend(LEVELS.iter().map(|l| Cell::Int(r.candidates.get(*l).map_or(0, get))));
                cells
            })
            .collect(),
    };

    let consultations = Table {
        title: "Hội nghị hiệp thương".into(),
        headers: vec![
            "Hội nghị".into(),
            "Huyện đã tổ chức".into(),
            "Tổng số huyện".into(),
            "Xã đã tổ chức".into(),
            "Tổng số xã".into(),
            "Kết quả".into(),
        ],
        rows: [
            ("round1", "Hiệp thương lần thứ nhất"),
            ("round2", "Hiệp thương lần thứ hai"),
            ("round3", "Hiệp thương lần thứ ba"),
        ]
        .iter()
        .map(|(key, label)| {
            let f = r.consultations.get(*key);
            let (dd, dt, cd, ct) =
                f.map_or((0, 0, 0, 0), |f| (f.districts_done, f.districts_total, f.communes_done, f.communes_total));
            let summary = if dt > 0 { format!("{dd}/{dt} huyện, {cd}/{ct} xã") } else { format!("{cd}/{ct} xã") };
            vec![
                Cell::Text(label.to_string()),
                Cell::Int(dd),
                Cell::Int(dt),
                Cell::Int(cd),
                Cell::Int(ct),
                Cell::Text(summary),
            ]
        })
        .collect(),
    };

    type ConferenceField = fn(&sobaucu_core::report::ConferenceFigures) -> i64;
    let conference_rows: [(&str, ConferenceField); 8] = [
        ("Số khu dân cư (thôn, bản, tổ dân phố) đã tổ chức", |f| f.areas),
        ("Số xã", |f| f.communes),
        ("Số huyện", |f| f.districts),
        ("Số hội nghị", |f| f.conferences),
        ("Cử tri được triệu tập", |f| f.convened),
        ("Cử tri có mặt", |f| f.present),
        ("Phiếu tín nhiệm", |f| f.confidence_for),
        ("Phiếu không tín nhiệm", |f| f.confidence_against),
    ];
    let conferences = Table {
        title: "Hội nghị cử tri nơi cư trú, theo cấp ứng cử".into(),
        headers: level_headers("Chỉ tiêu"),
        rows: conference_rows
            .iter()
            .map(|(label, get)| {
                let mut cells = vec![Cell::Text(label.to_string())];
                cells.extend(LEVELS.iter().map(|l| Cell::Int(r.voter_conferences.get(*l).map_or(0, get))));
                cells
            })
            .collect(),
    };

    let rules = r.law.parse::<LawVersion>().ok().map(LawVersion::rules);
    let timeline = Table {
        title: "Tiến độ theo các mốc thời gian luật định".into(),
        headers: vec!["Mốc công việc".into(), "Hạn".into(), "Tình trạng".into()],
        rows: r
            .timeline
            .iter()
            .map(|t| {
                let label =
                    rules.and_then(|rules| rules.milestone(&t.milestone)).map_or(t.milestone.clone(), |m| m.vi.clone());
                vec![
                    Cell::Text(label),
                    Cell::Text(t.due.format("%d/%m/%Y").to_string()),
                    Cell::Text(status_label(&t.status).to_string()),
                ]
            })
            .collect(),
    };

    let milestone_label =
        |id: &str| rules.and_then(|rules| rules.milestone(id)).map_or(id.to_string(), |m| m.vi.clone());
    let mut sheets = vec![
        Sheet { name: SHEET_SUMMARY, tables: vec![general, bodies, units, areas, voters, complaints, other] },
        Sheet { name: SHEET_CANDIDATES, tables: vec![candidates] },
        Sheet { name: SHEET_CONSULTATIONS, tables: vec![consultations] },
        Sheet { name: SHEET_CONFERENCES, tables: vec![conferences] },
        Sheet { name: SHEET_TIMELINE, tables: vec![timeline] },
    ];
    if !r.progress.is_empty() {
        let districts = r.progress.iter().any(|p| p.districts_total > 0);
        let mut headers = vec!["Mốc công việc".to_string(), "Hạn".to_string()];
        if districts {
            headers.push("Huyện đã xong".into());
        }
        headers.extend(["Xã đã xong".to_string(), "Chưa đồng bộ".to_string(), "Đơn vị chậm (số ngày)".to_string()]);
        let rows = r
            .progress
            .iter()
            .map(|p| {
                let mut cells =
                    vec![Cell::Text(milestone_label(&p.milestone)), Cell::Text(p.due.format("%d/%m/%Y").to_string())];
                if districts {
                    cells.push(Cell::Text(format!("{}/{}", p.districts_done, p.districts_total)));
                }
                cells.push(Cell::Text(format!("{}/{}", p.communes_done, p.communes_total)));
                cells.push(Cell::Int((p.districts_no_data + p.communes_no_data) as i64));
                let late: Vec<String> = p
                    .late_units
                    .iter()
                    .map(|l| {
                        let how = if l.status == "overdue" { "quá hạn" } else { "xong muộn" };
                        format!("{} ({how} {} ngày)", l.name, l.days_late)
                    })
                    .collect();
                cells.push(Cell::Text(late.join("; ")));
                cells
            })
            .collect();
        sheets[4]
            .tables
            .push(Table { title: "Tiến độ của các đơn vị cấp dưới".into(), headers, rows });
    }
    if !r.units.is_empty() {
        let headers = [
            "Đơn vị",
            "Đồng bộ lần cuối",
            "Khu vực bỏ phiếu",
            "Tổ bầu cử",
            "Cử tri",
            "Cử tri nam",
            "Cử tri nữ",
            "Người ứng cử",
            "Khiếu nại đang giải quyết",
            "Mốc đã xong / đến hạn",
            "Mốc quá hạn",
            "Chậm nhất (ngày)",
        ];
        let mut rows: Vec<Vec<Cell>> = r
            .units
            .iter()
            .map(|u| {
                let synced = match (&u.last_sync_at, u.no_data) {
                    (Some(at), _) => at
                        .get(..10)
                        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                        .map_or(at.clone(), |d| d.format("%d/%m/%Y").to_string()),
                    (None, true) => "Chưa đồng bộ (chưa có số liệu)".to_string(),
                    (None, false) => "Chưa đồng bộ".to_string(),
                };
                vec![
                    Cell::Text(u.name.clone()),
                    Cell::Text(synced),
                    Cell::Int(u.polling_areas),
                    Cell::Int(u.teams),
                    Cell::Int(u.voters),
                    Cell::Int(u.voters_male),
                    Cell::Int(u.voters_female),
                    Cell::Int(u.candidates),
                    Cell::Int(u.complaints_open),
                    Cell::Text(format!("{}/{}", u.milestones_done, u.milestones_due)),
                    Cell::Int(u.overdue as i64),
                    Cell::Int(u.days_late),
                ]
            })
            .collect();
        let sum = |get: fn(&sobaucu_core::report::UnitFigures) -> i64| r.units.iter().map(get).sum::<i64>();
        rows.push(vec![
            Cell::Text("Cộng".into()),
            Cell::Text(String::new()),
            Cell::Int(sum(|u| u.polling_areas)),
            Cell::Int(sum(|u| u.teams)),
            Cell::Int(sum(|u| u.voters)),
            Cell::Int(sum(|u| u.voters_male)),
            Cell::Int(sum(|u| u.voters_female)),
            Cell::Int(sum(|u| u.candidates)),
            Cell::Int(sum(|u| u.complaints_open)),
            Cell::Text(String::new()),
            Cell::Int(sum(|u| u.overdue as i64)),
            Cell::Text(String::new()),
        ]);
        sheets.push(Sheet {
            name: SHEET_UNITS,
            tables: vec![Table {
                title: "Số liệu của từng đơn vị cấp dưới".into(),
                headers: headers.iter().map(|h| h.to_string()).collect(),
                rows,
            }],
        });
    }
    sheets
}

/// The heading of the report in every format.
fn heading(r: &Report) -> [String; 2] {
    [
        format!("BÁO CÁO TÌNH HÌNH CHUẨN BỊ BẦU CỬ — {}", r.unit.name.to_uppercase()),
        format!(
            "Ngày bầu cử {} · luật {} · số liệu đến ngày {}",
            r.election_date.format("%d/%m/%Y"),
            r.law,
            r.today.format("%d/%m/%Y")
        ),
    ]
}

/// The report as an XLSX workbook: one sheet per part, each table under its bold title.
pub fn xlsx(r: &Report) -> Result<Vec<u8>> {
    let xlsx_error = |e: rust_xlsxwriter::XlsxError| {
        Error::input(format!("writing the workbook: {e}"), format!("lỗi khi ghi bảng tính: {e}"))
    };
    let mut workbook = Workbook::new();
    let title = Format::new().set_bold().set_font_size(13);
    let bold = Format::new().set_bold();
    let header =
        Format::new().set_bold().set_background_color(0xD9D9D9).set_border(rust_xlsxwriter::FormatBorder::Thin);
    let cell = Format::new().set_border(rust_xlsxwriter::FormatBorder::Thin);
    let number = Format::new().set_border(rust_xlsxwriter::FormatBorder::Thin).set_num_format("#,##0");
    let [line1, line2] = heading(r);
    for sheet in sheets(r) {
        let ws = workbook.add_worksheet();
        ws.set_name(sheet.name).map_err(xlsx_error)?;
        ws.write_string_with_format(0, 0, &line1, &title).map_err(xlsx_error)?;
        ws.write_string(1, 0, &line2).map_err(xlsx_error)?;
        let mut at: u32 = 3;
        let mut widest = [0usize; 16];
        for table in &sheet.tables {
            ws.write_string_with_format(at, 0, &table.title, &bold).map_err(xlsx_error)?;
            at += 1;
            for (c, h) in table.headers.iter().enumerate() {
                ws.write_string_with_format(at, c as u16, h, &header).map_err(xlsx_error)?;
                if c < widest.len() {
                    widest[c] = widest[c].max(h.chars().count());
                }
            }
            at += 1;
            for cells in &table.rows {
                for (c, value) in cells.iter().enumerate() {
                    match value {
                        Cell::Text(s) => ws.write_string_with_format(at, c as u16, s, &cell),
                        Cell::Int(n) => ws.write_number_with_format(at, c as u16, *n as f64, &number),
                    }
                    .map_err(xlsx_error)?;
                    if c < widest.len() {
                        widest[c] = widest[c].max(value.text().chars().count());
                    }
                }
                at += 1;
            }
            at += 1;
        }
        for (c, w) in widest.iter().enumerate() {
            if *w > 0 {
                ws.set_column_width(c as u16, (*w as f64 + 2.0).min(70.0)).map_err(xlsx_error)?;
            }
        }
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}

/// The report as a PDF on A4: the heading, then every table of every sheet in order.
pub fn pdf(r: &Report) -> Result<(Vec<u8>, usize)> {
    let mut flow = Flow::new(PageSize::A4Portrait, 9.0);
    flow.doc.footer = format!("Sổ Bầu Cử · {} · {}", r.unit.name, r.today.format("%d/%m/%Y"));
    let [line1, line2] = heading(r);
    flow.paragraph(&line1, Weight::Bold, 13.0, Align::Center);
    flow.paragraph(&line2, Weight::Regular, 9.5, Align::Center);
    flow.space(8.0);
    for sheet in sheets(r) {
        for table in sheet.tables {
            flow.ensure(60.0);
            flow.space(4.0);
            flow.paragraph(&table.title, Weight::Bold, 10.5, Align::Left);
            flow.space(2.0);
            let columns: Vec<Column> = table
                .headers
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let numeric = table.rows.first().is_some_and(|r| matches!(r.get(i), Some(Cell::Int(_))));
                    let weight = if i == 0 { 3.2 } else { 1.0 };
                    Column::new(h, weight, if numeric { Align::Right } else { Align::Left })
                })
                .collect();
            let rows: Vec<TableRow> =
                table.rows.iter().map(|cells| TableRow::new(cells.iter().map(Cell::text).collect())).collect();
            flow.table(&columns, &rows);
        }
    }
    let pages = flow.doc.page_count();
    Ok((flow.doc.finish(), pages))
}

/// The report as plain text: the heading, then each table with aligned columns.
pub fn text(r: &Report) -> String {
    let mut out = String::new();
    for line in heading(r) {
        out.push_str(&line);
        out.push('\n');
    }
    for sheet in sheets(r) {
        for table in sheet.tables {
            out.push('\n');
            out.push_str(&table.title);
            out.push('\n');
            let mut grid = vec![table.headers.clone()];
            grid.extend(table.rows.iter().map(|cells| cells.iter().map(Cell::text).collect::<Vec<_>>()));
            let columns = grid.iter().map(Vec::len).max().unwrap_or(0);
            let widths: Vec<usize> = (0..columns)
                .map(|c| grid.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0))
                .collect();
            for cells in grid {
                let line: Vec<String> = cells
                    .iter()
                    .enumerate()
                    .map(|(c, s)| {
                        let pad = widths[c].saturating_sub(s.chars().count());
                        if c == 0 { format!("{s}{}", " ".repeat(pad)) } else { format!("{}{s}", " ".repeat(pad)) }
                    })
                    .collect();
                out.push_str(line.join("  ").trim_end());
                out.push('\n');
            }
        }
    }
    out
}
