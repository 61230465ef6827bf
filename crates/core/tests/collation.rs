//! Vietnamese alphabetical order: the ledger's sort keys order a fixed list of words and names
//! exactly as ICU's Vietnamese collation (icu_collator, locale `vi`) does.

use icu_collator::options::CollatorOptions;
use icu_collator::{Collator, CollatorPreferences};
use sobaucu_core::collate;

const WORDS: &[&str] = &[
    "An", "Ân", "Ăn", "anh", "Ánh", "ảnh", "Bình", "bính", "Chải", "chái", "Chảo", "Cường", "Cuông", "Dở", "Do",
    "Dung", "Đào", "Đạt", "Đặng", "Điêu", "Giàng", "Gia", "Hà", "Hạ", "Hả", "Hà Nhì", "Hờ", "Hoa", "Hùng", "Khánh",
    "Lò", "Lở", "Lường", "Lý", "Mỷ", "My", "Mỹ", "Mý", "Mị", "Mì", "Mẩy", "Mua", "Mùa", "Nga", "Ngọc", "Nguyễn", "Ỏn",
    "Ơn", "Ôn", "On", "Páo", "Pọm", "Phương", "Quàng", "Sín", "Sính", "Sùng", "Tẩn", "Tân", "Thảo", "Thào", "Tủa",
    "Tuấn", "Tuyết", "Ưởng", "Uông", "Vàng", "Văn", "Vân", "Xúa", "Xuân", "Yến",
];

#[test]
fn sort_keys_agree_with_icu_vietnamese_collation() {
    let locale = icu_locale::locale!("vi");
    let collator = Collator::try_new(CollatorPreferences::from(&locale), CollatorOptions::default()).unwrap();
    let mut by_icu: Vec<&str> = WORDS.to_vec();
    by_icu.sort_by(|a, b| collator.compare(a, b));
    let mut by_key: Vec<&str> = WORDS.to_vec();
    by_key.sort_by_key(|w| collate::key(w));
    assert_eq!(by_key, by_icu);
}
