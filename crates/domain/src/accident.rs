//! Accident types (事故类别) as a versioned code table. GB/T 6441-1986《企业职工伤亡事故分类》
//! lists 20 categories and is in force until GB 6441-2025《生产安全事故分类与编码》 takes effect
//! (its effective date and official codes are unconfirmed, reference/domain-rules.md §2.2), so every
//! stored accident type carries the standard it comes from, and the 2025 edition can be added as a
//! second table without touching the records coded under 1986.

use serde::Serialize;

/// One edition of the accident-type standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Standard {
    /// Stored with each coded record, e.g. "GB/T 6441-1986".
    pub code: &'static str,
    pub title: &'static str,
    /// (code, name), in the standard's order.
    pub types: &'static [(&'static str, &'static str)],
}

/// GB/T 6441-1986 §5 (codes 01–20; the standard numbers them 01–020). Source: domain-rules.md §2.1.
pub const GB6441_1986: Standard = Standard {
    code: "GB/T 6441-1986",
    title: "企业职工伤亡事故分类",
    types: &[
        ("01", "物体打击"),
        ("02", "车辆伤害"),
        ("03", "机械伤害"),
        ("04", "起重伤害"),
        ("05", "触电"),
        ("06", "淹溺"),
        ("07", "灼烫"),
        ("08", "火灾"),
        ("09", "高处坠落"),
        ("10", "坍塌"),
        ("11", "冒顶片帮"),
        ("12", "透水"),
        ("13", "放炮"),
        ("14", "火药爆炸"),
        ("15", "瓦斯爆炸"),
        ("16", "锅炉爆炸"),
        ("17", "容器爆炸"),
        ("18", "其他爆炸"),
        ("19", "中毒和窒息"),
        ("20", "其他伤害"),
    ],
};

/// The editions this binary knows, newest last. New records use `CURRENT`.
pub const STANDARDS: &[Standard] = &[GB6441_1986];

/// The edition new records are coded under.
pub const CURRENT: Standard = GB6441_1986;

impl Standard {
    pub fn by_code(code: &str) -> Option<Standard> {
        STANDARDS.iter().copied().find(|s| s.code == code)
    }

    pub fn name_of(&self, code: &str) -> Option<&'static str> {
        self.types.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
    }

    /// Accepts a code ("19"), a name ("中毒和窒息") or both ("19 中毒和窒息"), as sheets write it.
    pub fn parse(&self, s: &str) -> Option<&'static str> {
        let s = s.trim();
        self.types
            .iter()
            .find(|(c, n)| *c == s || *n == s || format!("{c} {n}") == s || format!("{c}{n}") == s)
            .map(|(c, _)| *c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_1986_table_has_twenty_distinct_codes_and_names() {
        let t = GB6441_1986.types;
        assert_eq!(t.len(), 20);
        for (i, (c, _)) in t.iter().enumerate() {
            assert_eq!(*c, format!("{:02}", i + 1));
        }
        let mut names: Vec<_> = t.iter().map(|(_, n)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 20);
    }

    #[test]
    fn parse_accepts_code_name_or_both() {
        let s = Standard::by_code("GB/T 6441-1986").unwrap();
        assert_eq!(s.parse("19"), Some("19"));
        assert_eq!(s.parse("中毒和窒息"), Some("19"));
        assert_eq!(s.parse(" 08 火灾 "), Some("08"));
        assert_eq!(
            s.parse("粉尘爆炸"),
            None,
            "a 2025 category is not in the 1986 table"
        );
        assert_eq!(s.name_of("05"), Some("触电"));
    }
}
