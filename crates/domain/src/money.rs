//! Money as an integer number of 分 (fen, 1/100 元).
//!
//! Funding ledgers are summed and the summary report states totals in 万元 with two decimals; with
//! binary floating point those sums drift (0.1 + 0.2 ≠ 0.3) and a report could disagree with its own
//! ledger by a fen. So amounts are parsed, stored and added as integers, and only formatted at the end.

/// An amount in 分. Signed so that differences and corrections can be represented; user input
/// through [`Fen::parse_yuan`] is never negative.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Fen(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("金额不能为空")]
    Empty,
    #[error("金额不是有效数字")]
    NotANumber,
    #[error("金额不能为负数")]
    Negative,
    #[error("金额最多两位小数")]
    TooManyDecimals,
    #[error("金额过大")]
    TooLarge,
}

/// 分 per 元.
const FEN_PER_YUAN: i128 = 100;
/// 分 per 0.01 万元, the last digit shown in reports.
const FEN_PER_WAN_HUNDREDTH: i128 = 10_000;

/// Thousands separators people paste from Excel or type with a Chinese input method.
fn is_group_separator(c: char) -> bool {
    c == ',' || c == '，'
}

impl Fen {
    /// Parses an amount in 元 as typed in a form or found in an imported sheet, e.g. `11.93`,
    /// `1,234.5` or `1，234.50`.
    ///
    /// Deliberately strict: no sign, no exponent, no Chinese numerals, no unit suffix. Guessing
    /// at such input could turn a typo into a wrong figure in a report, which is worse than asking.
    /// Extra decimals are accepted only when they are zeros (`1.500`), because spreadsheets emit
    /// those and the value is still exact.
    pub fn parse_yuan(input: &str) -> Result<Fen, MoneyError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        // A leading minus is reported as "negative" only when the rest is a number; otherwise the
        // more useful message is that the whole thing is not a number.
        if let Some(rest) = s.strip_prefix('-').or_else(|| s.strip_prefix('－')) {
            return match parse_unsigned(rest.trim_start()) {
                Ok(_) | Err(MoneyError::TooManyDecimals) | Err(MoneyError::TooLarge) => {
                    Err(MoneyError::Negative)
                }
                Err(e) => Err(e),
            };
        }
        parse_unsigned(s)
    }

    /// The amount in 万元 with two decimals, rounded half up (四舍五入, away from zero for
    /// negative amounts), as the summary report states it: 11930000 分 → `"11.93"`.
    pub fn to_wan_yuan_2dp(self) -> String {
        // i128 so that adding half a unit to i64::MAX cannot overflow.
        let fen = i128::from(self.0);
        let hundredths = (fen.abs() + FEN_PER_WAN_HUNDREDTH / 2) / FEN_PER_WAN_HUNDREDTH;
        format_hundredths(fen < 0, hundredths)
    }

    /// The amount in 元 with two decimals and no separators, e.g. `"1193.00"`, for tables and
    /// exports where a machine may read the figure back.
    pub fn to_yuan_2dp(self) -> String {
        let fen = i128::from(self.0);
        format_hundredths(fen < 0, fen.abs())
    }

    /// Sum that reports overflow instead of panicking or wrapping, for totals over many records.
    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }
}

/// Formats `hundredths / 100` with exactly two decimals. A value that rounds to zero is shown
/// without a sign, since "-0.00" in a report reads like an error.
fn format_hundredths(negative: bool, hundredths: i128) -> String {
    let sign = if negative && hundredths != 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Parses digits with optional grouping and up to two (significant) decimals into fen.
fn parse_unsigned(s: &str) -> Result<Fen, MoneyError> {
    if s.is_empty() {
        return Err(MoneyError::NotANumber);
    }
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let int_digits = parse_grouped_integer(int_part)?;
    let frac_digits = match frac_part {
        Some(f) => {
            if !f.chars().all(|c| c.is_ascii_digit()) {
                return Err(MoneyError::NotANumber);
            }
            f
        }
        None => "",
    };
    // "." alone, or ".", "," combinations, carry no digit at all.
    if int_digits.is_empty() && frac_digits.is_empty() {
        return Err(MoneyError::NotANumber);
    }
    let (kept, dropped) = frac_digits.split_at(frac_digits.len().min(2));
    if dropped.bytes().any(|b| b != b'0') {
        return Err(MoneyError::TooManyDecimals);
    }

    let mut yuan: i128 = 0;
    for b in int_digits.bytes() {
        yuan = yuan
            .checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(b - b'0')))
            .ok_or(MoneyError::TooLarge)?;
        // Stop early so a very long string cannot overflow even i128.
        if yuan > i128::from(i64::MAX) {
            return Err(MoneyError::TooLarge);
        }
    }
    let mut cents: i128 = 0;
    for (i, b) in kept.bytes().enumerate() {
        let place = if i == 0 { 10 } else { 1 };
        cents += i128::from(b - b'0') * place;
    }
    let total = yuan
        .checked_mul(FEN_PER_YUAN)
        .and_then(|v| v.checked_add(cents))
        .ok_or(MoneyError::TooLarge)?;
    i64::try_from(total)
        .map(Fen)
        .map_err(|_| MoneyError::TooLarge)
}

/// Validates the integer part and returns its digits without separators.
///
/// Separators must sit at thousands positions (`1,234,567`); `12,34` is rejected because it is more
/// likely a decimal comma typed by mistake than a grouping, and reading it as 1234 would be wrong.
fn parse_grouped_integer(s: &str) -> Result<String, MoneyError> {
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || is_group_separator(c))
    {
        return Err(MoneyError::NotANumber);
    }
    if !s.chars().any(is_group_separator) {
        return Ok(s.to_owned());
    }
    let groups: Vec<&str> = s.split(is_group_separator).collect();
    let (first, rest) = groups.split_first().ok_or(MoneyError::NotANumber)?;
    let first_ok = (1..=3).contains(&first.len());
    if !first_ok || rest.iter().any(|g| g.len() != 3) {
        return Err(MoneyError::NotANumber);
    }
    Ok(groups.concat())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn yuan(s: &str) -> Result<i64, MoneyError> {
        Fen::parse_yuan(s).map(|f| f.0)
    }

    #[test]
    fn plain_amounts() {
        assert_eq!(yuan("0"), Ok(0));
        assert_eq!(yuan("11.93"), Ok(1193));
        assert_eq!(yuan("11.9"), Ok(1190));
        assert_eq!(yuan("11"), Ok(1100));
        assert_eq!(yuan("0.01"), Ok(1));
        assert_eq!(yuan(".5"), Ok(50));
        assert_eq!(yuan("5."), Ok(500));
        assert_eq!(yuan("007.10"), Ok(710));
        assert_eq!(yuan("  12.30\t"), Ok(1230));
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(yuan("1,234.5"), Ok(123_450));
        assert_eq!(yuan("1，234.50"), Ok(123_450));
        assert_eq!(yuan("1,234,567"), Ok(123_456_700));
        assert_eq!(yuan("12,34"), Err(MoneyError::NotANumber));
        assert_eq!(yuan("1,2345"), Err(MoneyError::NotANumber));
        assert_eq!(yuan(",123"), Err(MoneyError::NotANumber));
        assert_eq!(yuan("1234,"), Err(MoneyError::NotANumber));
        assert_eq!(yuan("1,,234"), Err(MoneyError::NotANumber));
        assert_eq!(yuan("1.234,5"), Err(MoneyError::NotANumber));
    }

    #[test]
    fn decimals() {
        assert_eq!(yuan("12345.678"), Err(MoneyError::TooManyDecimals));
        assert_eq!(yuan("1.001"), Err(MoneyError::TooManyDecimals));
        // Trailing zeros from spreadsheets do not change the value.
        assert_eq!(yuan("1.500"), Ok(150));
        assert_eq!(yuan("1.5.0"), Err(MoneyError::NotANumber));
    }

    #[test]
    fn rejected_forms() {
        assert_eq!(yuan(""), Err(MoneyError::Empty));
        assert_eq!(yuan("   "), Err(MoneyError::Empty));
        assert_eq!(yuan("-5"), Err(MoneyError::Negative));
        assert_eq!(yuan("-1.234"), Err(MoneyError::Negative));
        assert_eq!(yuan("－5"), Err(MoneyError::Negative));
        assert_eq!(yuan("-"), Err(MoneyError::NotANumber));
        assert_eq!(yuan("-abc"), Err(MoneyError::NotANumber));
        assert_eq!(yuan("+5"), Err(MoneyError::NotANumber));
        assert_eq!(yuan("1e3"), Err(MoneyError::NotANumber));
        assert_eq!(yuan("五元"), Err(MoneyError::NotANumber));
        assert_eq!(yuan("100元"), Err(MoneyError::NotANumber));
        assert_eq!(yuan("1 000"), Err(MoneyError::NotANumber));
        assert_eq!(yuan("."), Err(MoneyError::NotANumber));
        assert_eq!(yuan("１２"), Err(MoneyError::NotANumber));
    }

    #[test]
    fn overflow_is_an_error() {
        // i64::MAX fen = 92233720368547758.07 元.
        assert_eq!(yuan("92233720368547758.07"), Ok(i64::MAX));
        assert_eq!(yuan("92233720368547758.08"), Err(MoneyError::TooLarge));
        assert_eq!(yuan("92233720368547759"), Err(MoneyError::TooLarge));
        assert_eq!(yuan(&"9".repeat(200)), Err(MoneyError::TooLarge));
        assert_eq!(yuan(&format!("{}1", "0".repeat(200))), Ok(100));
    }

    #[test]
    fn wan_yuan() {
        let cases = [
            (0, "0.00"),
            (1, "0.00"),
            (4999, "0.00"),
            (5000, "0.01"),
            (11_930_000, "11.93"),
            (99_995_000, "100.00"),
            (-4999, "0.00"),
            (-5000, "-0.01"),
            (-11_930_000, "-11.93"),
            (i64::MAX, "9223372036854.78"),
            (i64::MIN, "-9223372036854.78"),
        ];
        for (fen, expected) in cases {
            assert_eq!(Fen(fen).to_wan_yuan_2dp(), expected, "{fen}");
        }
    }

    #[test]
    fn yuan_2dp() {
        assert_eq!(Fen(119_300).to_yuan_2dp(), "1193.00");
        assert_eq!(Fen(1193).to_yuan_2dp(), "11.93");
        assert_eq!(Fen(5).to_yuan_2dp(), "0.05");
        assert_eq!(Fen(0).to_yuan_2dp(), "0.00");
        assert_eq!(Fen(-5).to_yuan_2dp(), "-0.05");
        assert_eq!(Fen(i64::MIN).to_yuan_2dp(), "-92233720368547758.08");
    }

    #[test]
    fn checked_add_reports_overflow() {
        assert_eq!(Fen(1).checked_add(Fen(2)), Some(Fen(3)));
        assert_eq!(Fen(i64::MAX).checked_add(Fen(1)), None);
    }

    #[test]
    fn messages() {
        assert_eq!(MoneyError::Empty.to_string(), "金额不能为空");
        assert_eq!(MoneyError::NotANumber.to_string(), "金额不是有效数字");
        assert_eq!(MoneyError::Negative.to_string(), "金额不能为负数");
        assert_eq!(MoneyError::TooManyDecimals.to_string(), "金额最多两位小数");
        assert_eq!(MoneyError::TooLarge.to_string(), "金额过大");
    }

    proptest! {
        #[test]
        fn yuan_2dp_round_trips(fen in 0i64..=i64::MAX) {
            prop_assert_eq!(Fen::parse_yuan(&Fen(fen).to_yuan_2dp()), Ok(Fen(fen)));
        }

        #[test]
        fn wan_yuan_is_within_half_a_unit(fen in any::<i64>()) {
            let shown = Fen(fen).to_wan_yuan_2dp();
            let back = Fen::parse_yuan(shown.trim_start_matches('-'))
                .expect("formatted amount parses")
                .0;
            let back = if shown.starts_with('-') { -i128::from(back) } else { i128::from(back) };
            // `back` is in 分 of the shown 万元 figure read as 元, i.e. units of 0.01 万元.
            let diff = back * 10_000 - i128::from(fen);
            prop_assert!((-5000..=5000).contains(&diff), "{fen} -> {shown}");
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = Fen::parse_yuan(&s);
        }
    }
}
