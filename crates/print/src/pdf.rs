//! A small PDF page writer: text in two weights of one embedded font, lines and filled
//! rectangles on A4 pages, with page numbers added when the document is finished.
//!
//! The font is DejaVu Sans Condensed (`assets/fonts/`, its license beside it), which covers
//! every Vietnamese letter as a precomposed glyph, so NFC text needs no shaping: one character
//! is one glyph. Each weight is embedded as a TrueType subset of the glyphs used, as a CID font
//! (Identity-H) with a `/ToUnicode` map, so the text can be searched and copied out of the
//! file. Coordinates are in points from the top-left corner of the page, y downwards.
//!
//! Deliberately left out: kerning, right-to-left text, images, anything a form does not need.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};

const REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansCondensed.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansCondensed-Bold.ttf");

/// The weight of a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// How a line of text sits in its box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// A4 in points, either way up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageSize {
    A4Portrait,
    A4Landscape,
}

impl PageSize {
    fn points(self) -> (f32, f32) {
        match self {
            PageSize::A4Portrait => (595.28, 841.89),
            PageSize::A4Landscape => (841.89, 595.28),
        }
    }
}

/// One weight of the font: its parsed face and the glyphs the document used so far.
struct FontState {
    data: &'static [u8],
    face: ttf_parser::Face<'static>,
    /// Old glyph id → new glyph id in the subset (the CID written in the content).
    remapper: subsetter::GlyphRemapper,
    /// New glyph id → the text it stands for, for `/ToUnicode`.
    unicode: BTreeMap<u16, char>,
    /// New glyph id → advance in thousandths of the font size.
    widths: BTreeMap<u16, f32>,
    /// Glyph id and advance of each character measured so far.
    cache: BTreeMap<char, (u16, f32)>,
}

impl FontState {
    fn new(data: &'static [u8]) -> FontState {
        let face = ttf_parser::Face::parse(data, 0).expect("the embedded font is a valid TrueType font");
        FontState {
            data,
            face,
            remapper: subsetter::GlyphRemapper::new(),
            unicode: BTreeMap::new(),
            widths: BTreeMap::new(),
            cache: BTreeMap::new(),
        }
    }

    /// The glyph of a character (a question mark when the font lacks it) and its advance in
    /// thousandths of the font size.
    fn glyph(&mut self, c: char) -> (u16, f32) {
        if let Some(found) = self.cache.get(&c) {
            return *found;
        }
        let id = self.face.glyph_index(c).or_else(|| self.face.glyph_index('?')).map_or(0, |g| g.0);
        let advance = self.face.glyph_hor_advance(ttf_parser::GlyphId(id)).unwrap_or(0) as f32 * 1000.0
            / self.face.units_per_em() as f32;
        self.cache.insert(c, (id, advance));
        (id, advance)
    }

    /// The width of `text` in thousandths of the font size.
    fn measure(&mut self, text: &str) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum()
    }

    /// The bytes of `text` as two-byte CIDs of the subset, recording the glyphs used.
    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let (old, advance) = self.glyph(c);
            let new = self.remapper.remap(old);
            self.unicode.entry(new).or_insert(c);
            self.widths.insert(new, advance);
            bytes.extend_from_slice(&new.to_be_bytes());
        }
        bytes
    }
}

/// A document being drawn, page by page.
pub struct Document {
    size: PageSize,
    fonts: [FontState; 2],
    pages: Vec<Content>,
    /// A line printed at the foot of every page, left of the page number.
    pub footer: String,
    /// Parts of the document numbered on their own ("Trang 1/3" again for each polling area's
    /// list in one file): the first page of each and its footer. Empty: one part, [`Self::footer`].
    sections: Vec<(usize, String)>,
}

fn font_index(weight: Weight) -> usize {
    match weight {
        Weight::Regular => 0,
        Weight::Bold => 1,
    }
}

const FONT_NAMES: [Name<'static>; 2] = [Name(b"F1"), Name(b"F2")];

impl Document {
    /// An empty document whose pages have this size.
    pub fn new(size: PageSize) -> Document {
        Document {
            size,
            fonts: [FontState::new(REGULAR_TTF), FontState::new(BOLD_TTF)],
            pages: Vec::new(),
            footer: String::new(),
            sections: Vec::new(),
        }
    }

    /// The current page starts a part of the document whose pages are numbered on their own,
    /// with `footer` at their foot.
    pub fn start_section(&mut self, footer: &str) {
        let first = self.pages.len().saturating_sub(1);
        self.sections.retain(|(start, _)| *start < first);
        self.sections.push((first, footer.to_string()));
    }

    /// The page's width and height in points.
    pub fn page_size(&self) -> (f32, f32) {
        self.size.points()
    }

    /// How many pages have been started.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Starts a new page; what is drawn next goes on it.
    pub fn new_page(&mut self) {
        self.pages.push(Content::new());
    }

    fn page(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.new_page();
        }
        self.pages.last_mut().expect("a page was just started")
    }

    /// The width of `text` in points at `size`.
    pub fn text_width(&mut self, text: &str, weight: Weight, size: f32) -> f32 {
        self.fonts[font_index(weight)].measure(text) * size / 1000.0
    }

    /// Draws one line of text with its baseline at `y`, starting at `x`.
    pub fn text(&mut self, x: f32, y: f32, text: &str, weight: Weight, size: f32) {
        if text.is_empty() {
            return;
        }
        let height = self.size.points().1;
        let bytes = self.fonts[font_index(weight)].encode(text);
        let page = self.page();
        page.begin_text();
        page.set_font(FONT_NAMES[font_index(weight)], size);
        page.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, height - y]);
        page.show(Str(&bytes));
        page.end_text();
    }

    /// Draws one line of text aligned inside the span from `x` to `x + width`.
    // The span, the baseline, the text and how it looks: grouping them would only rename them.
    #[allow(clippy::too_many_arguments)]
    pub fn text_in(&mut self, x: f32, width: f32, y: f32, text: &str, weight: Weight, size: f32, align: Align) {
        let w = self.text_width(text, weight, size);
        let x = match align {
            Align::Left => x,
            Align::Center => x + (width - w) / 2.0,
            Align::Right => x + width - w,
        };
        self.text(x, y, text, weight, size);
    }

    /// Draws a straight line.
    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        let height = self.size.points().1;
        let page = self.page();
        page.set_line_width(width);
        page.move_to(x1, height - y1);
        page.line_to(x2, height - y2);
        page.stroke();
    }

    /// Fills a rectangle in a grey (0 black, 1 white).
    pub fn fill_rect(&mut self, x: f32, y: f32, width: f32, h: f32, gray: f32) {
        let height = self.size.points().1;
        let page = self.page();
        page.set_fill_gray(gray);
        page.rect(x, height - y - h, width, h);
        page.fill_nonzero();
        page.set_fill_gray(0.0);
    }

    /// Splits `text` into lines no wider than `width` points: at spaces where it can, inside
    /// a word only when the word alone is too wide. Line breaks in the text are kept.
    pub fn wrap(&mut self, text: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
                if self.text_width(&candidate, weight, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // A word wider than the column is cut where it has to be.
                for c in word.chars() {
                    let longer = format!("{line}{c}");
                    if !line.is_empty() && self.text_width(&longer, weight, size) > width {
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    } else {
                        line = longer;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }

    /// The finished file: every page with its footer and "Trang i/n" (counted within its
    /// section), the two font subsets.
    pub fn finish(mut self) -> Vec<u8> {
        if self.pages.is_empty() {
            self.new_page();
        }
        let (width, height) = self.size.points();
        let total = self.pages.len();
        let mut sections = std::mem::take(&mut self.sections);
        if sections.first().is_none_or(|(start, _)| *start > 0) {
            sections.insert(0, (0, self.footer.clone()));
        }
        for index in 0..total {
            let part = sections.iter().rposition(|(start, _)| *start <= index).unwrap_or(0);
            let first = sections[part].0;
            let end = sections.get(part + 1).map_or(total, |(start, _)| *start);
            let number = format!("Trang {}/{}", index - first + 1, end - first);
            let footer = sections[part].1.clone();
            let bytes_number = self.fonts[0].encode(&number);
            let bytes_footer = self.fonts[0].encode(&footer);
            let number_width = self.fonts[0].measure(&number) * 8.0 / 1000.0;
            let page = &mut self.pages[index];
            page.begin_text();
            page.set_font(FONT_NAMES[0], 8.0);
            page.set_text_matrix([1.0, 0.0, 0.0, 1.0, width - 36.0 - number_width, 20.0]);
            page.show(Str(&bytes_number));
            if !footer.is_empty() {
                page.set_text_matrix([1.0, 0.0, 0.0, 1.0, 36.0, 20.0]);
                page.show(Str(&bytes_footer));
            }
            page.end_text();
        }

        let mut pdf = Pdf::new();
        let mut next = 1;
        let mut alloc = || {
            let r = Ref::new(next);
            next += 1;
            r
        };
        let catalog = alloc();
        let tree = alloc();
        let font_refs = [alloc(), alloc()];
        let page_refs: Vec<Ref> = (0..total).map(|_| alloc()).collect();
        let content_refs: Vec<Ref> = (0..total).map(|_| alloc()).collect();
        pdf.catalog(catalog).pages(tree);
        pdf.pages(tree).kids(page_refs.iter().copied()).count(total as i32);
        let contents = std::mem::take(&mut self.pages);
        for ((page_ref, content_ref), content) in page_refs.iter().zip(&content_refs).zip(contents) {
            let mut page = pdf.page(*page_ref);
            page.media_box(Rect::new(0.0, 0.0, width, height));
            page.parent(tree);
            page.contents(*content_ref);
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            fonts.pair(FONT_NAMES[0], font_refs[0]);
            fonts.pair(FONT_NAMES[1], font_refs[1]);
            fonts.finish();
            resources.finish();
            page.finish();
            let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&content.finish(), 6);
            pdf.stream(*content_ref, &compressed).filter(Filter::FlateDecode);
        }
        for (i, font) in self.fonts.iter().enumerate() {
            let refs = [alloc(), alloc(), alloc(), alloc()];
            write_font(&mut pdf, font_refs[i], refs, font, if i == 0 { "SBCAAA" } else { "SBCAAB" });
        }
        pdf.finish()
    }
}

/// Writes one weight as a Type 0 font over a CID TrueType subset, with its widths and
/// `/ToUnicode` map. `refs` are the CID font, the descriptor, the font file and the map.
fn write_font(pdf: &mut Pdf, type0: Ref, refs: [Ref; 4], font: &FontState, tag: &str) {
    let [cid_ref, descriptor_ref, file_ref, cmap_ref] = refs;
    let postscript = font
        .face
        .names()
        .into_iter()
        .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME && n.is_unicode())
        .and_then(|n| n.to_string())
        .unwrap_or_else(|| "DejaVuSansCondensed".to_string());
    let base = format!("{tag}+{postscript}");

    pdf.type0_font(type0)
        .base_font(Name(base.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_ref)
        .to_unicode(cmap_ref);

    let system = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
    let mut cid = pdf.cid_font(cid_ref);
    cid.subtype(CidFontType::Type2);
    cid.base_font(Name(base.as_bytes()));
    cid.system_info(system);
    cid.font_descriptor(descriptor_ref);
    cid.cid_to_gid_map_predefined(Name(b"Identity"));
    let notdef = font.face.glyph_hor_advance(ttf_parser::GlyphId(0)).unwrap_or(0) as f32 * 1000.0
        / font.face.units_per_em() as f32;
    cid.default_width(notdef);
    {
        let mut widths = cid.widths();
        for (gid, width) in &font.widths {
            widths.consecutive(*gid, [*width]);
        }
    }
    cid.finish();

    let scale = 1000.0 / font.face.units_per_em() as f32;
    let bbox = font.face.global_bounding_box();
    pdf.font_descriptor(descriptor_ref)
        .name(Name(base.as_bytes()))
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            bbox.x_min as f32 * scale,
            bbox.y_min as f32 * scale,
            bbox.x_max as f32 * scale,
            bbox.y_max as f32 * scale,
        ))
        .italic_angle(0.0)
        .ascent(font.face.ascender() as f32 * scale)
        .descent(font.face.descender() as f32 * scale)
        .cap_height(font.face.capital_height().unwrap_or(font.face.ascender()) as f32 * scale)
        .stem_v(if tag.ends_with('B') { 140.0 } else { 80.0 })
        .font_file2(file_ref);

    let subset = subsetter::subset(font.data, 0, &font.remapper).expect("the embedded font can be subset");
    let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&subset, 6);
    pdf.stream(file_ref, &compressed).filter(Filter::FlateDecode);

    let mut cmap = pdf_writer::types::UnicodeCmap::new(Name(b"Custom"), system);
    for (gid, c) in &font.unicode {
        cmap.pair(*gid, *c);
    }
    pdf.cmap(cmap_ref, &cmap.finish());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every letter of Vietnamese, lower and upper case, with every tone.
    const VIETNAMESE: &str =
        "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ";

    #[test]
    fn both_weights_have_a_glyph_for_every_vietnamese_letter() {
        for data in [REGULAR_TTF, BOLD_TTF] {
            let face = ttf_parser::Face::parse(data, 0).unwrap();
            for c in VIETNAMESE.chars().chain(VIETNAMESE.to_uppercase().chars()) {
                assert!(face.glyph_index(c).is_some(), "no glyph for {c}");
            }
        }
    }

    #[test]
    fn long_words_wrap_inside_their_column_and_lines_keep_their_words() {
        let mut doc = Document::new(PageSize::A4Portrait);
        let lines = doc.wrap("Bản Phiêng Ngản, xã Mường Kim, tỉnh Lai Châu", Weight::Regular, 8.0, 60.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), "Bản Phiêng Ngản, xã Mường Kim, tỉnh Lai Châu");
        for line in &lines {
            assert!(doc.text_width(line, Weight::Regular, 8.0) <= 60.0, "{line}");
        }
        let cut = doc.wrap("Khuổiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii", Weight::Bold, 8.0, 40.0);
        assert!(cut.len() > 1 && cut.iter().all(|l| doc.text_width(l, Weight::Bold, 8.0) <= 40.0));
    }
}
