//! Text rules shared by every record: names are stored in Unicode NFC, and search compares a
//! folded form with no marks, no case and single spaces (đ = d), so "Giàng Páo Mỷ" is found by
//! "giang pao my".

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalises text to NFC and trims it; inner runs of white space become one space.
pub fn clean(input: &str) -> String {
    let nfc: String = input.nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    for word in nfc.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The search form of a text: lower case, no diacritics (đ → d), single spaces.
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut last_space = true;
    for c in input.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            _ => c,
        };
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
            continue;
        }
        for lower in c.to_lowercase() {
            out.push(lower);
        }
        last_space = false;
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_composes_combining_marks() {
        let decomposed = "Gia\u{300}ng Pa\u{301}o My\u{309}";
        assert_eq!(clean(decomposed), "Giàng Páo Mỷ");
        assert_eq!(clean("  Lò   Thị\tỎn "), "Lò Thị Ỏn");
    }

    #[test]
    fn fold_drops_marks_case_and_d_stroke() {
        assert_eq!(fold("Đặng Thị Đào"), "dang thi dao");
        assert_eq!(fold("Tủa  Sín Chải"), "tua sin chai");
        assert_eq!(fold("GIÀNG Páo Mỷ"), "giang pao my");
    }
}
