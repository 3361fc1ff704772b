//! Checks the domain rules against the shared test vectors in `tests/vectors/`.
//!
//! The vectors were computed independently of this code; every row is checked, and each test
//! asserts how many rows it checked so an emptied or truncated file cannot pass silently.

use anjian_domain::dates::parse_date;
use anjian_domain::money::{Fen, MoneyError};
use anjian_domain::period::Period;
use anjian_domain::uscc::{Uscc, UsccError};
use chrono::NaiveDate;

const USCC: &str = include_str!("vectors/uscc.csv");
const MONEY: &str = include_str!("vectors/money.csv");
const YUAN_INPUT: &str = include_str!("vectors/yuan_input.csv");
const PERIODS: &str = include_str!("vectors/periods.csv");
const DATES: &str = include_str!("vectors/dates.csv");

/// Splits one CSV line into fields. Handles double-quoted fields (`"1,234.5"`) and doubled quotes
/// inside them (`""`), which is all these files use; embedded newlines are not needed.
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, in_quotes) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => in_quotes = false,
            ('"', false) if field.is_empty() => in_quotes = true,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    assert!(!in_quotes, "unterminated quote in {line:?}");
    fields.push(field);
    fields
}

/// The lines of a vector file without header, line endings or trailing blank lines.
fn data_lines(text: &str) -> Vec<&str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    assert!(!lines.is_empty(), "vector file has no header");
    lines.remove(0);
    lines
}

/// Parsed rows, each with exactly `columns` fields, checked against the header.
fn rows(text: &str, header: &[&str]) -> Vec<Vec<String>> {
    let first = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .lines()
        .next()
        .unwrap_or("");
    assert_eq!(
        split_csv_line(first.trim_end_matches('\r')),
        header,
        "header"
    );
    let lines = data_lines(text);
    assert!(!lines.is_empty(), "vector file has no data rows");
    lines
        .into_iter()
        .map(|line| {
            let fields = split_csv_line(line);
            assert_eq!(fields.len(), header.len(), "row {line:?}");
            fields
        })
        .collect()
}

fn iso(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .unwrap_or_else(|e| panic!("bad date {s:?} in vector: {e}"))
}

#[test]
fn csv_parser_handles_quotes() {
    assert_eq!(split_csv_line("a,b"), ["a", "b"]);
    assert_eq!(split_csv_line("\"1,234.5\",123450"), ["1,234.5", "123450"]);
    assert_eq!(split_csv_line("\"say \"\"hi\"\"\","), ["say \"hi\"", ""]);
    assert_eq!(split_csv_line(",x"), ["", "x"]);
}

#[test]
fn uscc_vectors() {
    let rows = rows(USCC, &["code", "expect"]);
    let mut checked = 0;
    for row in &rows {
        let (code, expect) = (row[0].as_str(), row[1].as_str());
        let result = Uscc::parse(code);
        if expect.starts_with("valid") {
            let parsed = result.unwrap_or_else(|e| panic!("{code:?} should be valid: {e}"));
            assert_eq!(
                parsed.as_str(),
                code.trim().to_ascii_uppercase(),
                "{code:?}"
            );
        } else {
            let reason = expect
                .strip_prefix("invalid: ")
                .unwrap_or_else(|| panic!("unknown expectation {expect:?}"));
            let err = match result {
                Err(e) => e,
                Ok(_) => panic!("{code:?} should be invalid ({reason})"),
            };
            match reason {
                "length" => assert!(matches!(err, UsccError::Length(_)), "{code:?}: {err:?}"),
                "empty" => assert_eq!(err, UsccError::Empty, "{code:?}"),
                "check character" => {
                    assert!(
                        matches!(err, UsccError::CheckCharacter { .. }),
                        "{code:?}: {err:?}"
                    )
                }
                other => match other.strip_prefix("character ") {
                    Some(c) => {
                        let mut cs = c.chars();
                        let c = cs.next().expect("character named in vector");
                        assert_eq!(cs.next(), None, "one character in {other:?}");
                        assert_eq!(err, UsccError::Character(c), "{code:?}");
                    }
                    None => panic!("unknown reason {other:?}"),
                },
            }
        }
        checked += 1;
    }
    assert_eq!(checked, data_lines(USCC).len());
    assert!(checked > 0);
}

#[test]
fn money_vectors() {
    let rows = rows(MONEY, &["fen", "wan_yuan_2dp"]);
    let mut checked = 0;
    for row in &rows {
        let fen: i64 = row[0]
            .parse()
            .unwrap_or_else(|e| panic!("bad fen {:?}: {e}", row[0]));
        assert_eq!(Fen(fen).to_wan_yuan_2dp(), row[1], "{fen} 分");
        checked += 1;
    }
    assert_eq!(checked, data_lines(MONEY).len());
    assert!(checked > 0);
}

#[test]
fn yuan_input_vectors() {
    let rows = rows(YUAN_INPUT, &["input", "fen_or_error"]);
    let mut checked = 0;
    for row in &rows {
        let (input, expect) = (row[0].as_str(), row[1].as_str());
        let result = Fen::parse_yuan(input);
        match expect.strip_prefix("error") {
            Some(reason) => {
                let err = match result {
                    Err(e) => e,
                    Ok(v) => panic!("{input:?} should be an error ({expect}), got {v:?}"),
                };
                let expected_variant = match reason.trim_start_matches(':').trim() {
                    "more than two decimals" => Some(MoneyError::TooManyDecimals),
                    "negative" => Some(MoneyError::Negative),
                    "empty" => Some(MoneyError::Empty),
                    "not a number" => Some(MoneyError::NotANumber),
                    "too large" | "overflow" => Some(MoneyError::TooLarge),
                    _ => None,
                };
                if let Some(v) = expected_variant {
                    assert_eq!(err, v, "{input:?}");
                }
            }
            None => {
                let fen: i64 = expect
                    .parse()
                    .unwrap_or_else(|e| panic!("bad fen {expect:?}: {e}"));
                assert_eq!(result, Ok(Fen(fen)), "{input:?}");
            }
        }
        checked += 1;
    }
    assert_eq!(checked, data_lines(YUAN_INPUT).len());
    assert!(checked > 0);
}

#[test]
fn period_vectors() {
    let rows = rows(PERIODS, &["period", "from_or_error", "to"]);
    let mut checked = 0;
    for row in &rows {
        let (input, from, to) = (row[0].as_str(), row[1].as_str(), row[2].as_str());
        let result = Period::parse(input);
        if from.starts_with("error") {
            assert!(
                result.is_err(),
                "{input:?} should be an error, got {result:?}"
            );
        } else {
            let period = result.unwrap_or_else(|e| panic!("{input:?}: {e}"));
            let (first, last) = (iso(from), iso(to));
            assert_eq!((period.first, period.last), (first, last), "{input:?}");
            assert!(period.contains(first) && period.contains(last), "{input:?}");
            assert!(
                !period.contains(first.pred_opt().expect("day before")),
                "{input:?}"
            );
            assert!(
                !period.contains(last.succ_opt().expect("day after")),
                "{input:?}"
            );
            assert_eq!(
                Period::parse(&period.code()),
                Ok(period),
                "{input:?} code round trip"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, data_lines(PERIODS).len());
    assert!(checked > 0);
}

#[test]
fn date_vectors() {
    let rows = rows(DATES, &["input", "date_or_error"]);
    let mut checked = 0;
    for row in &rows {
        let (input, expect) = (row[0].as_str(), row[1].as_str());
        let result = parse_date(input);
        if expect.starts_with("error") {
            assert!(
                result.is_err(),
                "{input:?} should be an error, got {result:?}"
            );
        } else {
            assert_eq!(result, Ok(iso(expect)), "{input:?}");
        }
        checked += 1;
    }
    assert_eq!(checked, data_lines(DATES).len());
    assert!(checked > 0);
}
