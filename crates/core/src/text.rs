//! Text rules shared by every record: names are stored in Unicode NFC, and search compares a
//! folded form with no marks, no case and single spaces (đ = d), so "Giàng Páo Mỷ" is found by
//! "giang pao my".

use std::borrow::Cow;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Normalises text to NFC and trims it; inner runs of white space become one space.
pub fn clean(input: &str) -> String {
    // Most text arrives composed already: the quick check spares composing it again.
    let nfc: Cow<'_, str> = match is_nfc_quick(input.chars()) {
        IsNormalized::Yes => Cow::Borrowed(input),
        _ => Cow::Owned(input.nfc().collect()),
    };
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
    // Marks are dropped, so decomposing each character on its own gives what the whole
    // text's NFD would (that only reorders marks).
    let mut push = |c: char| {
        if is_combining_mark(c) {
            return;
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
            return;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.extend(c.to_lowercase());
        }
        last_space = false;
    };
    for c in input.chars() {
        if c.is_ascii() {
            push(c);
        } else {
            decompose_canonical(c, &mut push);
        }
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
        assert_eq!(fold("Gia\u{300}ng  Pa\u{301}o\tMy\u{309} "), "giang pao my");
    }
}
