//! 统一社会信用代码 (unified social credit code), GB 32100-2015.
//!
//! A unit's code is typed by hand and copied from scanned licences, so typos are common; the check
//! character catches nearly all of them. We validate on every entry point and store only the
//! normalised (trimmed, upper-case) form, so comparisons and uniqueness work on one spelling.

use std::fmt;

/// The 31 characters the standard allows, in value order (the index is the character's value).
/// I, O, Z, S and V are excluded by the standard because they are easily confused with 1, 0, 2, 5 and U.
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Position weights 3^i mod 31 for i = 0..17, as tabulated in GB 32100-2015.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Total length of a code, check character included.
pub const USCC_LEN: usize = 18;

/// A validated 统一社会信用代码, always 18 upper-case characters with a correct check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Uscc(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("统一社会信用代码不能为空")]
    Empty,
    #[error("统一社会信用代码应为18位，实际为{0}位")]
    Length(usize),
    #[error("统一社会信用代码含有非法字符“{0}”")]
    Character(char),
    #[error("统一社会信用代码校验位错误，应为“{expected}”")]
    CheckCharacter { expected: char },
}

/// Value of a character in the code alphabet, or `None` if the standard does not allow it.
/// Expects an already upper-cased character.
fn value_of(c: char) -> Option<u32> {
    if !c.is_ascii() {
        return None;
    }
    CHARSET
        .iter()
        .position(|&b| b == c as u8)
        .and_then(|i| u32::try_from(i).ok())
}

/// The check character for the first 17 characters of a code, or `None` when `first17` is not
/// exactly 17 characters of the code alphabet. Lower case is accepted, as in [`Uscc::parse`].
///
/// Public so that tests and demo fixtures can build valid codes instead of hard-coding them.
pub fn check_character(first17: &str) -> Option<char> {
    let mut sum: u32 = 0;
    let mut count = 0usize;
    for c in first17.chars() {
        let weight = WEIGHTS.get(count)?;
        sum += value_of(c.to_ascii_uppercase())? * weight;
        count += 1;
    }
    if count != WEIGHTS.len() {
        return None;
    }
    // The standard defines C18 = 31 - (sum mod 31), and a result of 31 is written as 0.
    let check = (31 - sum % 31) % 31;
    CHARSET.get(check as usize).map(|&b| char::from(b))
}

impl Uscc {
    /// Parses a code as typed: surrounding whitespace is ignored and lower case is accepted.
    pub fn parse(input: &str) -> Result<Uscc, UsccError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(UsccError::Empty);
        }
        // Count characters, not bytes: a pasted full-width or Chinese character must be reported
        // as one character, not three.
        let len = trimmed.chars().count();
        if len != USCC_LEN {
            return Err(UsccError::Length(len));
        }
        // Report the character as the user typed it, so they can find it in their input.
        if let Some(bad) = trimmed
            .chars()
            .find(|c| value_of(c.to_ascii_uppercase()).is_none())
        {
            return Err(UsccError::Character(bad));
        }
        let normalised = trimmed.to_ascii_uppercase();
        // All characters are ASCII here (checked above), so byte slicing is on char boundaries.
        let (body, given) = normalised.split_at(USCC_LEN - 1);
        let expected = check_character(body).ok_or(UsccError::Length(len))?;
        if !given.starts_with(expected) {
            return Err(UsccError::CheckCharacter { expected });
        }
        Ok(Uscc(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Uscc {
    type Err = UsccError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1u32;
        for expected in WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }

    #[test]
    fn known_valid_code() {
        let code = Uscc::parse("91110000600037341L").unwrap();
        assert_eq!(code.as_str(), "91110000600037341L");
        assert_eq!(code.to_string(), "91110000600037341L");
        assert_eq!(check_character("91110000600037341"), Some('L'));
    }

    #[test]
    fn trims_and_upper_cases() {
        let code = Uscc::parse("  91110000600037341l\t\n").unwrap();
        assert_eq!(code.as_str(), "91110000600037341L");
    }

    #[test]
    fn empty_and_blank() {
        assert_eq!(Uscc::parse(""), Err(UsccError::Empty));
        assert_eq!(Uscc::parse("   "), Err(UsccError::Empty));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert_eq!(
            Uscc::parse("9111000060003734统"),
            Err(UsccError::Length(17))
        );
        assert_eq!(
            Uscc::parse("91110000600037341统"),
            Err(UsccError::Character('统'))
        );
        assert_eq!(Uscc::parse("9111"), Err(UsccError::Length(4)));
    }

    #[test]
    fn forbidden_letters_are_rejected() {
        for c in ['I', 'O', 'Z', 'S', 'V', 'i', 'o', 'z', 's', 'v', ' ', '-'] {
            let input = format!("9111000060003734{c}L");
            assert_eq!(Uscc::parse(&input), Err(UsccError::Character(c)), "{input}");
        }
    }

    #[test]
    fn wrong_check_character_names_the_right_one() {
        assert_eq!(
            Uscc::parse("91110000600037341X"),
            Err(UsccError::CheckCharacter { expected: 'L' })
        );
    }

    #[test]
    fn check_character_of_zero_sum_is_zero() {
        // sum 0 gives 31 - 0 = 31, which the standard writes as 0.
        assert_eq!(check_character("00000000000000000"), Some('0'));
        assert!(Uscc::parse("000000000000000000").is_ok());
    }

    #[test]
    fn check_character_rejects_bad_input() {
        assert_eq!(check_character(""), None);
        assert_eq!(check_character("9111000060003734"), None);
        assert_eq!(check_character("911100006000373411"), None);
        assert_eq!(check_character("9111000060003734I"), None);
    }

    #[test]
    fn messages_are_chinese_and_name_the_field() {
        assert_eq!(UsccError::Empty.to_string(), "统一社会信用代码不能为空");
        assert_eq!(
            UsccError::Length(17).to_string(),
            "统一社会信用代码应为18位，实际为17位"
        );
        assert_eq!(
            UsccError::Character('I').to_string(),
            "统一社会信用代码含有非法字符“I”"
        );
        assert_eq!(
            UsccError::CheckCharacter { expected: 'L' }.to_string(),
            "统一社会信用代码校验位错误，应为“L”"
        );
    }

    fn valid_char() -> impl Strategy<Value = char> {
        proptest::sample::select(CHARSET.iter().map(|&b| char::from(b)).collect::<Vec<_>>())
    }

    proptest! {
        #[test]
        fn any_body_with_its_check_character_parses(
            body in proptest::collection::vec(valid_char(), 17)
        ) {
            let body: String = body.into_iter().collect();
            let check = check_character(&body).expect("17 valid characters");
            let code = format!("{body}{check}");
            let parsed = Uscc::parse(&code);
            prop_assert!(parsed.is_ok(), "{code}: {parsed:?}");
            prop_assert_eq!(Uscc::parse(&code.to_ascii_lowercase()), parsed);
        }

        #[test]
        fn any_other_check_character_fails(
            body in proptest::collection::vec(valid_char(), 17),
            other in valid_char(),
        ) {
            let body: String = body.into_iter().collect();
            let check = check_character(&body).expect("17 valid characters");
            prop_assume!(other != check);
            prop_assert_eq!(
                Uscc::parse(&format!("{body}{other}")),
                Err(UsccError::CheckCharacter { expected: check })
            );
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,24}") {
            let _ = Uscc::parse(&s);
        }
    }
}
