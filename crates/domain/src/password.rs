//! Password rules for user accounts, following the identity-authentication requirements of
//! 等保 2.0 (GB/T 22239-2019): a minimum length, several character classes, and no password that
//! gives away the account name. The upper bound keeps hashing cost bounded for any input.

/// Minimum length in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Maximum length in characters; longer input would only make the hash cost an attack surface.
pub const MAX_PASSWORD_CHARS: usize = 128;
/// How many of the four classes (upper, lower, digit, other) a password must use.
pub const MIN_CHARACTER_CLASSES: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("密码至少8位")]
    TooShort,
    #[error("密码不能超过128位")]
    TooLong,
    #[error("密码需包含大写字母、小写字母、数字、特殊字符中的至少三类")]
    TooFewClasses,
    #[error("密码不能包含用户名")]
    ContainsUsername,
}

/// Checks a new password against the rules. Lengths count characters, not bytes, so a password
/// with Chinese characters is measured the way the user sees it.
///
/// Letters and digits are the ASCII ones; anything else (punctuation, spaces, non-ASCII characters)
/// counts as "other", since that is what the rule is about: widening the alphabet.
pub fn check_password(password: &str, username: &str) -> Result<(), PasswordError> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    if len > MAX_PASSWORD_CHARS {
        return Err(PasswordError::TooLong);
    }

    let (mut upper, mut lower, mut digit, mut other) = (false, false, false, false);
    for c in password.chars() {
        if c.is_ascii_uppercase() {
            upper = true;
        } else if c.is_ascii_lowercase() {
            lower = true;
        } else if c.is_ascii_digit() {
            digit = true;
        } else {
            other = true;
        }
    }
    let classes = [upper, lower, digit, other].iter().filter(|&&b| b).count();
    if classes < MIN_CHARACTER_CLASSES {
        return Err(PasswordError::TooFewClasses);
    }

    // Surrounding whitespace in the username is a form artefact, not part of the name; a blank
    // username means there is nothing to compare against yet.
    let username = username.trim();
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(PasswordError::ContainsUsername);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn good_passwords() {
        assert_eq!(check_password("Abcdef12", "zhangsan"), Ok(()));
        assert_eq!(check_password("abcdef1!", "zhangsan"), Ok(()));
        assert_eq!(check_password("ABCDEF1!", ""), Ok(()));
        assert_eq!(check_password("Abcdefg!", "  "), Ok(()));
        assert_eq!(check_password("安全生产abc12", "admin"), Ok(()));
    }

    #[test]
    fn length_limits() {
        assert_eq!(check_password("", "u"), Err(PasswordError::TooShort));
        assert_eq!(
            check_password("Abcde1!", "zhangsan"),
            Err(PasswordError::TooShort)
        );
        // Seven characters but 21 bytes: still too short.
        assert_eq!(
            check_password("安全A1b!生", "x"),
            Err(PasswordError::TooShort)
        );
        let max = format!("Aa1{}", "x".repeat(MAX_PASSWORD_CHARS - 3));
        assert_eq!(check_password(&max, "zhangsan"), Ok(()));
        let over = format!("{max}x");
        assert_eq!(
            check_password(&over, "zhangsan"),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn classes() {
        assert_eq!(
            check_password("abcdefgh", ""),
            Err(PasswordError::TooFewClasses)
        );
        assert_eq!(
            check_password("abcd1234", ""),
            Err(PasswordError::TooFewClasses)
        );
        assert_eq!(
            check_password("ABCDabcd", ""),
            Err(PasswordError::TooFewClasses)
        );
        assert_eq!(
            check_password("!@#$1234", ""),
            Err(PasswordError::TooFewClasses)
        );
        assert_eq!(check_password("!@#$1234a", ""), Ok(()));
        assert_eq!(check_password("Abcd 1234", ""), Ok(()));
    }

    #[test]
    fn username_is_matched_case_insensitively() {
        assert_eq!(
            check_password("Zhangsan@2023", "zhangsan"),
            Err(PasswordError::ContainsUsername)
        );
        assert_eq!(
            check_password("x1!ADMINx", "Admin"),
            Err(PasswordError::ContainsUsername)
        );
        assert_eq!(
            check_password("Xx1!admin", " admin "),
            Err(PasswordError::ContainsUsername)
        );
        assert_eq!(check_password("Adm1n!xyz", "admin"), Ok(()));
    }

    #[test]
    fn messages_start_with_the_field() {
        for e in [
            PasswordError::TooShort,
            PasswordError::TooLong,
            PasswordError::TooFewClasses,
            PasswordError::ContainsUsername,
        ] {
            assert!(e.to_string().starts_with("密码"), "{e}");
        }
        assert_eq!(PasswordError::TooShort.to_string(), "密码至少8位");
        assert_eq!(
            PasswordError::ContainsUsername.to_string(),
            "密码不能包含用户名"
        );
    }

    proptest! {
        #[test]
        fn never_panics(p in "\\PC{0,200}", u in "\\PC{0,20}") {
            let _ = check_password(&p, &u);
        }

        #[test]
        fn accepted_passwords_meet_every_rule(p in "[A-Za-z0-9!@#]{0,20}", u in "[a-z]{0,6}") {
            if check_password(&p, &u).is_ok() {
                prop_assert!(p.chars().count() >= MIN_PASSWORD_CHARS);
                prop_assert!(u.is_empty() || !p.to_lowercase().contains(&u));
            }
        }
    }
}
