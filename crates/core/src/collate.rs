//! Vietnamese alphabetical order, as a sort key that SQLite compares byte by byte.
//!
//! The alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (with f j w z
//! for foreign names): ă, â, đ, ê, ô, ơ, ư are letters of their own. Tones come second: a word
//! is ordered by its letters first, and only between words of the same letters by their tones,
//! unmarked < huyền < hỏi < ngã < sắc < nặng; case comes last. This is the order of CLDR's
//! Vietnamese collation (ICU's `vi`), which a test checks against `icu_collator`. The key is
//! computed once when a record is written, so lists of 100,000 voters sort by an index.
//!
//! Official voter lists order people by given name, then middle and family name:
//! [`person_key`] builds that key.

use unicode_normalization::UnicodeNormalization;

/// The alphabet in order (the tables below follow it; a test checks they agree).
#[cfg_attr(not(test), allow(dead_code))]
const ALPHABET: &[&str] = &[
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "ô", "ơ", "p", "q",
    "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
];

/// Byte values of the key: every one printable ASCII, so the key is a plain string.
const LEVEL_SEPARATOR: char = '!';
const SPACE: u8 = b'"';
const DIGIT0: u8 = b'0';
const LETTER0: u8 = b'A';

/// The primary weight of a letter with its shape marks (breve, circumflex, horn), if it is one
/// of the alphabet, and the tone mark's rank (0 unmarked … 5 nặng). `base` is lower case.
fn letter(base: char, marks: &[char]) -> Option<(u8, u8)> {
    let mut shape = None;
    let mut tone = 0;
    for m in marks {
        match m {
            '\u{0306}' | '\u{0302}' | '\u{031B}' if shape.replace(*m).is_some() => {
                // Two shape marks on one letter: no letter of the alphabet.
                return None;
            }
            '\u{0300}' => tone = 1,
            '\u{0309}' => tone = 2,
            '\u{0303}' => tone = 3,
            '\u{0301}' => tone = 4,
            '\u{0323}' => tone = 5,
            _ => {}
        }
    }
    let shaped = match (base, shape) {
        (_, None) => ALPHABET_ASCII.iter().find(|&&(c, _)| c == base).map(|&(_, place)| place),
        ('a', Some('\u{0306}')) => Some(1),
        ('a', Some('\u{0302}')) => Some(2),
        ('e', Some('\u{0302}')) => Some(8),
        ('o', Some('\u{0302}')) => Some(19),
        ('o', Some('\u{031B}')) => Some(20),
        ('u', Some('\u{031B}')) => Some(27),
        _ => None,
    };
    shaped.map(|p| (LETTER0 + p, tone))
}

/// The plain letters and their places in [`ALPHABET`].
const ALPHABET_ASCII: &[(char, u8)] = &[
    ('a', 0),
    ('b', 3),
    ('c', 4),
    ('d', 5),
    ('e', 7),
    ('f', 9),
    ('g', 10),
    ('h', 11),
    ('i', 12),
    ('j', 13),
    ('k', 14),
    ('l', 15),
    ('m', 16),
    ('n', 17),
    ('o', 18),
    ('p', 21),
    ('q', 22),
    ('r', 23),
    ('s', 24),
    ('t', 25),
    ('u', 26),
    ('v', 28),
    ('w', 29),
    ('x', 30),
    ('y', 31),
    ('z', 32),
];

/// The sort key of a text: primary weights (letters, digits, spaces), then tones, then case.
pub fn key(text: &str) -> String {
    let mut primary = String::new();
    let mut secondary = String::new();
    let mut tertiary = String::new();
    let decomposed: Vec<char> = text.nfd().collect();
    let mut i = 0;
    let mut last_space = true;
    while i < decomposed.len() {
        let c = decomposed[i];
        let mut j = i + 1;
        while j < decomposed.len() && unicode_normalization::char::is_combining_mark(decomposed[j]) {
            j += 1;
        }
        let marks = &decomposed[i + 1..j];
        i = j;
        if c.is_whitespace() {
            if !last_space {
                primary.push(SPACE as char);
                last_space = true;
            }
            continue;
        }
        last_space = false;
        let lower = match c {
            'Đ' => 'đ',
            other => other.to_lowercase().next().unwrap_or(other),
        };
        if let Some(d) = lower.to_digit(10) {
            primary.push((DIGIT0 + d as u8) as char);
            continue;
        }
        let found = if lower == 'đ' { Some((LETTER0 + 6, 0)) } else { letter(lower, marks) };
        if let Some((weight, tone)) = found {
            primary.push(weight as char);
            secondary.push((b'0' + tone) as char);
            tertiary.push(if lower == c { '0' } else { '1' });
        }
        // Punctuation and other symbols are passed over.
    }
    while primary.ends_with(SPACE as char) {
        primary.pop();
    }
    format!("{primary}{LEVEL_SEPARATOR}{secondary}{LEVEL_SEPARATOR}{tertiary}")
}

/// The key of a person's full name in the order of official lists: given name (the last
/// word), then the middle names, then the family name (the first word).
pub fn person_key(full_name: &str) -> String {
    let words: Vec<&str> = full_name.split_whitespace().collect();
    match words.as_slice() {
        [] => String::new(),
        [given] => key(given),
        [family, middle @ .., given] => format!("{} {} {}", key(given), key(&middle.join(" ")), key(family)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(words: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = words.iter().map(|s| s.to_string()).collect();
        v.sort_by_key(|w| key(w));
        v
    }

    #[test]
    fn letters_first_then_tones() {
        assert_eq!(sorted(&["ă", "b", "â", "a"]), ["a", "ă", "â", "b"]);
        assert_eq!(sorted(&["đa", "da", "de"]), ["da", "de", "đa"]);
        assert_eq!(sorted(&["ạ", "á", "ã", "ả", "à", "a"]), ["a", "à", "ả", "ã", "á", "ạ"]);
        // Letters decide before tones: "ác" < "ad".
        assert_eq!(sorted(&["ad", "ác"]), ["ác", "ad"]);
        assert_eq!(sorted(&["ưa", "ua", "va"]), ["ua", "ưa", "va"]);
        assert_eq!(sorted(&["Ơn", "ôn", "on"]), ["on", "ôn", "Ơn"]);
    }

    #[test]
    fn people_sort_by_given_name_first() {
        let mut names = vec!["Nguyễn Văn Bình", "Lò Thị An", "Trần An", "Giàng Páo Mỷ"];
        names.sort_by_key(|n| person_key(n));
        assert_eq!(names, ["Trần An", "Lò Thị An", "Nguyễn Văn Bình", "Giàng Páo Mỷ"]);
    }

    #[test]
    fn the_letter_table_agrees_with_the_alphabet() {
        // đ has no decomposition: `key` weighs it before asking `letter`.
        for (place, letter_text) in ALPHABET.iter().enumerate().filter(|(_, l)| **l != "đ") {
            let chars: Vec<char> = letter_text.nfd().collect();
            assert_eq!(letter(chars[0], &chars[1..]), Some((LETTER0 + place as u8, 0)), "{letter_text}");
        }
        assert_eq!(letter('c', &['\u{0302}']), None);
    }

    #[test]
    fn decomposed_and_composed_input_give_one_key() {
        assert_eq!(key("Gia\u{300}ng Pa\u{301}o My\u{309}"), key("Giàng Páo Mỷ"));
    }
}
