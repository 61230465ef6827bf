//! Flowing content down pages: paragraphs that wrap, and ruled tables whose rows wrap in their
//! columns, break across pages and repeat their header on every page.

use crate::pdf::{Align, Document, PageSize, Weight};

/// Margins of every page, in points.
const MARGIN_TOP: f32 = 36.0;
const MARGIN_BOTTOM: f32 = 40.0;
const MARGIN_SIDE: f32 = 36.0;
/// Padding inside a table cell.
const PAD: f32 = 2.5;

/// One column of a table.
#[derive(Debug, Clone)]
pub struct Column {
    /// The column's heading (may wrap).
    pub title: String,
    /// A heading over several adjacent columns (the form's "Ngày sinh: Nam | Nữ"); adjacent
    /// columns with the same group share it. `None`: the heading spans both header rows.
    pub group: Option<String>,
    /// The column's share of the table's width.
    pub weight: f32,
    pub align: Align,
}

impl Column {
    /// A column with its title, share of the width and alignment.
    pub fn new(title: &str, weight: f32, align: Align) -> Column {
        Column { title: title.to_string(), group: None, weight, align }
    }

    /// The same column under a group heading.
    pub fn in_group(mut self, group: &str) -> Column {
        self.group = Some(group.to_string());
        self
    }
}

/// One row of a table.
#[derive(Debug, Clone, Default)]
pub struct TableRow {
    pub cells: Vec<String>,
    /// Bold text (totals).
    pub bold: bool,
}

impl TableRow {
    /// A row of plain cells.
    pub fn new(cells: Vec<String>) -> TableRow {
        TableRow { cells, bold: false }
    }
}

/// A document with a cursor: where the next thing goes.
pub struct Flow {
    pub doc: Document,
    /// The top of the next thing on the current page.
    pub y: f32,
    /// The font size of body text and tables.
    pub size: f32,
}

impl Flow {
    /// A flow on a first, empty page.
    pub fn new(size: PageSize, font_size: f32) -> Flow {
        let mut doc = Document::new(size);
        doc.new_page();
        Flow { doc, y: MARGIN_TOP, size: font_size }
    }

    /// The left edge and the width of the text area.
    pub fn frame(&self) -> (f32, f32) {
        (MARGIN_SIDE, self.doc.page_size().0 - 2.0 * MARGIN_SIDE)
    }

    fn bottom(&self) -> f32 {
        self.doc.page_size().1 - MARGIN_BOTTOM
    }

    /// Starts a new page.
    pub fn page_break(&mut self) {
        self.doc.new_page();
        self.y = MARGIN_TOP;
    }

    /// Starts a new page unless `height` points still fit on this one.
    pub fn ensure(&mut self, height: f32) {
        if self.y + height > self.bottom() && self.y > MARGIN_TOP {
            self.page_break();
        }
    }

    fn line_height(size: f32) -> f32 {
        size * 1.25
    }

    /// A paragraph across the text area, wrapped.
    pub fn paragraph(&mut self, text: &str, weight: Weight, size: f32, align: Align) {
        let (x, width) = self.frame();
        self.paragraph_in(x, width, text, weight, size, align);
    }

    /// A paragraph wrapped inside the span from `x` to `x + width`.
    pub fn paragraph_in(&mut self, x: f32, width: f32, text: &str, weight: Weight, size: f32, align: Align) {
        for line in self.doc.wrap(text, weight, size, width) {
            self.ensure(Self::line_height(size));
            self.doc.text_in(x, width, self.y + size, &line, weight, size, align);
            self.y += Self::line_height(size);
        }
    }

    /// Two blocks side by side (the form's heading: the body on the left, the nation's motto
    /// on the right), each a list of lines, centred in its half; the cursor goes below both.
    pub fn two_blocks(&mut self, left: &[(&str, Weight)], right: &[(&str, Weight)], size: f32) {
        let (x, width) = self.frame();
        let half = width / 2.0;
        let top = self.y;
        for (lines, x) in [(left, x), (right, x + half)] {
            self.y = top;
            for (text, weight) in lines {
                self.paragraph_in(x, half, text, *weight, size, Align::Center);
            }
        }
        let lines = left.len().max(right.len()) as f32;
        self.y = top + lines * Self::line_height(size);
    }

    /// Vertical space.
    pub fn space(&mut self, points: f32) {
        self.y += points;
    }

    /// A ruled table across the text area. Rows never split; when a row does not fit, the
    /// table goes on on the next page under its header again.
    pub fn table(&mut self, columns: &[Column], rows: &[TableRow]) {
        self.table_with(columns, rows, false);
    }

    /// A table whose header ends with a row numbering its columns, (1) to (n), as the official
    /// forms number them (repeated with the header on every page).
    pub fn numbered_table(&mut self, columns: &[Column], rows: &[TableRow]) {
        self.table_with(columns, rows, true);
    }

    /// A table followed by `tail` points of content that must not start a page alone (the
    /// totals and the signature): the last `keep` rows go on the page that has room for them and
    /// the tail, moved to the next page with it when this one has not.
    pub fn table_kept_with(&mut self, columns: &[Column], rows: &[TableRow], numbered: bool, keep: usize, tail: f32) {
        self.table_with_tail(columns, rows, numbered, Some((keep, tail)));
    }

    fn table_with(&mut self, columns: &[Column], rows: &[TableRow], numbered: bool) {
        self.table_with_tail(columns, rows, numbered, None);
    }

    /// The height of a paragraph across the text area.
    pub fn paragraph_height(&mut self, text: &str, weight: Weight, size: f32) -> f32 {
        let (_, width) = self.frame();
        self.doc.wrap(text, weight, size, width).len() as f32 * Self::line_height(size)
    }

    /// Room left on the current page, in points.
    pub fn room(&self) -> f32 {
        self.bottom() - self.y
    }

    fn table_with_tail(&mut self, columns: &[Column], rows: &[TableRow], numbered: bool, tail: Option<(usize, f32)>) {
        let (x0, width) = self.frame();
        let total: f32 = columns.iter().map(|c| c.weight).sum();
        let widths: Vec<f32> = columns.iter().map(|c| c.weight / total * width).collect();
        let xs: Vec<f32> = widths
            .iter()
            .scan(x0, |x, w| {
                let at = *x;
                *x += w;
                Some(at)
            })
            .collect();
        let size = self.size;
        let line = Self::line_height(size);

        // The header: one row, or two when some columns share a group heading.
        let grouped = columns.iter().any(|c| c.group.is_some());
        let title_lines: Vec<Vec<String>> = columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| self.doc.wrap(&c.title, Weight::Bold, size, w - 2.0 * PAD))
            .collect();
        let group_spans = spans(columns);
        let group_lines: Vec<Vec<String>> = group_spans
            .iter()
            .map(|(start, end, name)| {
                let w: f32 = widths[*start..*end].iter().sum();
                self.doc.wrap(name, Weight::Bold, size, w - 2.0 * PAD)
            })
            .collect();
        let group_height =
            if grouped { group_lines.iter().map(Vec::len).max().unwrap_or(1) as f32 * line + 2.0 * PAD } else { 0.0 };
        let titles_height = title_lines
            .iter()
            .zip(columns)
            .filter(|(_, c)| !grouped || c.group.is_some())
            .map(|(l, _)| l.len())
            .max()
            .unwrap_or(1) as f32
            * line
            + 2.0 * PAD;
        let number_height = if numbered { line + 2.0 * PAD } else { 0.0 };
        let header_height = group_height + titles_height;

        let draw_header = |flow: &mut Flow| {
            let top = flow.y;
            flow.doc.fill_rect(x0, top, width, header_height, 0.9);
            for (i, column) in columns.iter().enumerate() {
                let (cell_top, cell_height) = if grouped && column.group.is_some() {
                    (top + group_height, titles_height)
                } else {
                    (top, header_height)
                };
                let lines = &title_lines[i];
                let text_top = cell_top + (cell_height - lines.len() as f32 * line) / 2.0;
                for (n, text) in lines.iter().enumerate() {
                    flow.doc.text_in(
                        xs[i] + PAD,
                        widths[i] - 2.0 * PAD,
                        text_top + n as f32 * line + size,
                        text,
                        Weight::Bold,
                        size,
                        Align::Center,
                    );
                }
                flow.doc.line(xs[i], cell_top, xs[i], top + header_height, 0.5);
                if grouped && column.group.is_some() {
                    flow.doc.line(xs[i], cell_top, xs[i] + widths[i], cell_top, 0.5);
                }
            }
            for ((start, end, _), lines) in group_spans.iter().zip(&group_lines) {
                let w: f32 = widths[*start..*end].iter().sum();
                let text_top = top + (group_height - lines.len() as f32 * line) / 2.0;
                for (n, text) in lines.iter().enumerate() {
                    flow.doc.text_in(
                        xs[*start] + PAD,
                        w - 2.0 * PAD,
                        text_top + n as f32 * line + size,
                        text,
                        Weight::Bold,
                        size,
                        Align::Center,
                    );
                }
                flow.doc.line(xs[*start], top, xs[*start], top + group_height, 0.5);
            }
            flow.doc.line(x0 + width, top, x0 + width, top + header_height, 0.5);
            flow.doc.line(x0, top, x0 + width, top, 0.5);
            flow.doc.line(x0, top + header_height, x0 + width, top + header_height, 0.5);
            flow.y = top + header_height;
            if numbered {
                let top = flow.y;
                for i in 0..columns.len() {
                    flow.doc.text_in(
                        xs[i] + PAD,
                        widths[i] - 2.0 * PAD,
                        top + PAD + size,
                        &format!("({})", i + 1),
                        Weight::Regular,
                        size,
                        Align::Center,
                    );
                    flow.doc.line(xs[i], top, xs[i], top + number_height, 0.5);
                }
                flow.doc.line(x0 + width, top, x0 + width, top + number_height, 0.5);
                flow.doc.line(x0, top + number_height, x0 + width, top + number_height, 0.5);
                flow.y = top + number_height;
            }
        };

        // Every row wrapped in its columns, with its height.
        let wrapped: Vec<(Vec<Vec<String>>, f32)> = rows
            .iter()
            .map(|row| {
                let weight = if row.bold { Weight::Bold } else { Weight::Regular };
                let cells: Vec<Vec<String>> = widths
                    .iter()
                    .enumerate()
                    .map(|(i, w)| {
                        let text = row.cells.get(i).map(String::as_str).unwrap_or_default();
                        self.doc.wrap(text, weight, size, w - 2.0 * PAD)
                    })
                    .collect();
                let height = cells.iter().map(Vec::len).max().unwrap_or(1) as f32 * line + 2.0 * PAD;
                (cells, height)
            })
            .collect();
        // The first of the rows kept with the tail, and the height they and the tail need.
        let kept = tail.map(|(keep, tail)| {
            let first = rows.len().saturating_sub(keep);
            (first, wrapped[first..].iter().map(|(_, h)| h).sum::<f32>() + tail)
        });

        self.ensure(header_height + number_height + line + 2.0 * PAD);
        draw_header(self);
        let mut on_page = 0;
        for (index, (row, (cells, height))) in rows.iter().zip(&wrapped).enumerate() {
            let weight = if row.bold { Weight::Bold } else { Weight::Regular };
            let height = *height;
            let keep_together = kept.is_some_and(|(first, needed)| {
                // Only rows can go with the tail: a page holding none of the table's rows yet
                // is not left with its header alone.
                index == first && on_page > 0 && self.y + needed > self.bottom()
            });
            if self.y + height > self.bottom() || keep_together {
                self.page_break();
                draw_header(self);
                on_page = 0;
            }
            on_page += 1;
            let top = self.y;
            for (i, lines) in cells.iter().enumerate() {
                for (n, text) in lines.iter().enumerate() {
                    self.doc.text_in(
                        xs[i] + PAD,
                        widths[i] - 2.0 * PAD,
                        top + PAD + n as f32 * line + size,
                        text,
                        weight,
                        size,
                        columns[i].align,
                    );
                }
                self.doc.line(xs[i], top, xs[i], top + height, 0.5);
            }
            self.doc.line(x0 + width, top, x0 + width, top + height, 0.5);
            self.doc.line(x0, top + height, x0 + width, top + height, 0.5);
            self.y = top + height;
        }
    }
}

/// The runs of adjacent columns sharing a group heading: (first, past the last, heading).
fn spans(columns: &[Column]) -> Vec<(usize, usize, String)> {
    let mut out: Vec<(usize, usize, String)> = Vec::new();
    for (i, column) in columns.iter().enumerate() {
        let Some(group) = &column.group else { continue };
        match out.last_mut() {
            Some((_, end, name)) if *end == i && name == group => *end = i + 1,
            _ => out.push((i, i + 1, group.clone())),
        }
    }
    out
}
