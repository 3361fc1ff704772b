//! A summary as the pages show it: sections of paragraphs whose figures link to the records they
//! count, and, in a draft, carry a flag where the records no longer say what the draft says.

use anjian_db::report::text::{Section, Segment};
use anjian_db::report::Figures;
use anjian_domain::period::Period;

use super::pages::figure_link;
use crate::layout::query_string;

/// A segment as the page shows it: text, or a figure with the link to its records and a flag.
pub struct Piece {
    pub text: String,
    pub figure: bool,
    pub link: Option<String>,
    /// e.g. "数据已变化：现为81".
    pub flag: Option<String>,
}

pub struct ShownSection {
    pub heading: String,
    pub level: u8,
    pub paragraphs: Vec<Vec<Piece>>,
}

/// Where the figures of a period and organisation link to.
pub struct Links {
    base: String,
    period: Period,
    org_id: String,
}

impl Links {
    pub fn new(period: &Period, org_id: &str) -> Links {
        Links {
            base: query_string(&[
                ("period", period.code()),
                ("org_id", org_id.trim().to_string()),
            ]),
            period: *period,
            org_id: org_id.trim().to_string(),
        }
    }

    /// `period=…&org_id=…`, for the page's own links.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn link(&self, key: &str) -> Option<String> {
        figure_link(key, &self.base, &self.period, &self.org_id)
    }
}

/// A draft's figures then and now, for the flags.
pub struct Compare<'a> {
    pub snapshot: &'a Figures,
    pub current: &'a Figures,
}

impl Compare<'_> {
    /// The flag of a figure written `text` in the draft: the records changed since the draft was
    /// generated, or the number was typed over.
    fn flag(&self, key: &str, text: &str) -> Option<String> {
        let was = self.snapshot.display(key);
        let now = self.current.display(key);
        if now != "—" && now != was {
            Some(format!("数据已变化：现为{now}"))
        } else if text != was {
            Some(format!("与统计数字{was}不符"))
        } else {
            None
        }
    }
}

pub fn shown(sections: &[Section], links: &Links, compare: Option<&Compare>) -> Vec<ShownSection> {
    sections
        .iter()
        .map(|s| ShownSection {
            heading: s.heading.clone(),
            level: s.level,
            paragraphs: s
                .paragraphs
                .iter()
                .map(|p| {
                    p.segments
                        .iter()
                        .map(|seg| match seg {
                            Segment::Text { text } => Piece {
                                text: text.clone(),
                                figure: false,
                                link: None,
                                flag: None,
                            },
                            Segment::Figure { key, text } => Piece {
                                text: text.clone(),
                                figure: true,
                                link: links.link(key),
                                flag: compare.and_then(|c| c.flag(key, text)),
                            },
                        })
                        .collect()
                })
                .collect(),
        })
        .collect()
}
