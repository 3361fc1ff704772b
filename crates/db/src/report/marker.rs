//! Figure markers in a draft's editable text. A generated figure is written `【80|inspections】`
//! (the value as the summary shows it, a bar, the figure's key): plain text a person sees and
//! keeps while editing in any text box, that the HTML view turns back into a link to the records
//! it counts. Text that only looks like a marker (an unknown key, no bar) stays text, so nothing
//! a person types is lost or reinterpreted.

use super::engine::is_figure_key;
use super::text::{Paragraph, Segment};

pub const OPEN: char = '【';
pub const CLOSE: char = '】';
const BAR: char = '|';

/// The marker of one figure.
pub fn marker(key: &str, value: &str) -> String {
    format!("{OPEN}{value}{BAR}{key}{CLOSE}")
}

/// A paragraph as editable text: figures as markers.
pub fn to_text(p: &Paragraph) -> String {
    p.segments
        .iter()
        .map(|s| match s {
            Segment::Text { text } => text.clone(),
            Segment::Figure { key, text } => marker(key, text),
        })
        .collect()
}

/// The figure a marker's inside names, if it is one: `80|inspections` → ("inspections", "80").
fn figure(inside: &str) -> Option<(&str, &str)> {
    let (value, key) = inside.rsplit_once(BAR)?;
    let value = value.trim();
    let key = key.trim();
    (!value.is_empty() && !value.contains(OPEN) && is_figure_key(key)).then_some((key, value))
}

/// Splits edited text into text and figure segments.
pub fn parse(text: &str) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len_utf8()..];
        let found = after
            .find(CLOSE)
            .and_then(|end| figure(&after[..end]).map(|f| (f, end)));
        match found {
            Some(((key, value), end)) => {
                plain.push_str(&rest[..start]);
                if !plain.is_empty() {
                    out.push(Segment::Text {
                        text: std::mem::take(&mut plain),
                    });
                }
                out.push(Segment::Figure {
                    key: key.to_string(),
                    text: value.to_string(),
                });
                rest = &after[end + CLOSE.len_utf8()..];
            }
            None => {
                // Not a marker: keep the bracket as text and look further on.
                plain.push_str(&rest[..start + OPEN.len_utf8()]);
                rest = after;
            }
        }
    }
    plain.push_str(rest);
    if !plain.is_empty() {
        out.push(Segment::Text { text: plain });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip_and_look_alikes_stay_text() {
        let p = Paragraph {
            key: "part1.hazards".into(),
            segments: vec![
                Segment::Text {
                    text: "共计开展安全检查".into(),
                },
                Segment::Figure {
                    key: "inspections".into(),
                    text: "80".into(),
                },
                Segment::Text { text: "次".into() },
            ],
        };
        let t = to_text(&p);
        assert_eq!(t, "共计开展安全检查【80|inspections】次");
        assert_eq!(parse(&t), p.segments);
        // Unknown key, no bar, an unclosed bracket: all text, nothing dropped.
        for s in [
            "见【附件1】",
            "【80|inspectionz】次",
            "【未完",
            "【【81|drills】",
        ] {
            let back: String = parse(s)
                .iter()
                .map(|x| match x {
                    Segment::Text { text } => text.clone(),
                    Segment::Figure { key, text } => marker(key, text),
                })
                .collect();
            assert_eq!(back, s);
        }
        assert_eq!(
            parse("【【81|drills】")[1],
            Segment::Figure {
                key: "drills".into(),
                text: "81".into()
            }
        );
    }
}
