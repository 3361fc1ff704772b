//! Input generators shared by the parser property tests. Arbitrary text alone rarely gets past a
//! parser's first check, so besides any characters (control characters, unpaired-looking marks,
//! multi-byte letters where a byte slice could split one) the generators glue together pieces of
//! the notations the parsers read: digits, separators, 年月日, H/Q, full-width forms.

#![allow(dead_code)] // each test file uses a different part

use proptest::prelude::*;

/// `default` cases, or `PROPTEST_CASES` when it is set (to search deeper locally).
pub fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// Any characters at all, control characters and NUL included.
pub fn any_text(max_chars: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..=max_chars).prop_map(String::from_iter)
}

const PIECES: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "5",
    "9",
    "01",
    "12",
    "13",
    "29",
    "30",
    "31",
    "00",
    "2023",
    "1899",
    "1900",
    "1990",
    "2099",
    "9999",
    "0023",
    "44986",
    "2958465",
    "2958466",
    "60",
    "61",
    "99999999",
    "18446744073709551616",
    "-",
    "－",
    "/",
    ".",
    "..",
    ":",
    "T",
    "年",
    "月",
    "日",
    "号",
    "H",
    "h",
    "Q",
    "q",
    ",",
    "，",
    "、",
    "；",
    " ",
    "\u{3000}",
    "\t",
    "\n",
    "\r",
    "\0",
    "\u{7f}",
    "+",
    "e",
    "E",
    "元",
    "万",
    "é",
    "２",
    "٣",
    "\u{200b}",
    "\u{feff}",
    "*",
    "%",
    "_",
    "\\",
    "'",
    "\"",
    "<",
    "一般",
    "重大",
    "隐患",
    "风险",
    "红",
    "色",
    "级",
    "措施",
    "场所/区域",
    "/",
];

/// Pieces of the parsers' own notations, concatenated.
pub fn notation(max_pieces: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..=max_pieces).prop_map(|v| v.concat())
}

/// What a person, a spreadsheet or an attacker may send: any characters, the parsers' notations,
/// or printable text.
pub fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![any_text(48), notation(14), "\\PC{0,48}"]
}

/// Large inputs (up to a few hundred kilobytes): a notation repeated many times.
pub fn huge() -> impl Strategy<Value = String> {
    (notation(4), 1_000usize..40_000).prop_map(|(s, n)| {
        let s = if s.is_empty() { "9".to_string() } else { s };
        s.repeat(n)
    })
}

/// Whitespace a person or a sheet puts around a value (ASCII and the ideographic space).
pub fn padding() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(&[" ", "\t", "\u{3000}", "\n", "\r\n"][..]),
        0..3,
    )
    .prop_map(|v| v.concat())
}
