//! A small SVG writer for the dashboard's charts: shapes with CSS classes (the stylesheet colours
//! them; the Content-Security-Policy forbids `style` attributes, and colours kept in classes stay
//! in one place for screen and print), text escaped here, links with an accessible `<title>`, and
//! the arithmetic of axes and bars. The output is inserted into the page as it is, so every piece
//! of text that reaches it goes through `esc`.

use std::fmt::Write;

/// Escapes text for SVG/XML content and attribute values (double-quoted): as HTML, after
/// replacing the control characters XML 1.0 does not allow in text.
pub fn esc(s: &str) -> String {
    let text: String = s
        .chars()
        .map(|c| {
            if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect();
    crate::html::escape(&text)
}

/// A coordinate with at most one decimal, without a trailing ".0".
pub fn num(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let tenths = (v * 10.0).round() as i64;
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!(
            "{}{}.{}",
            if tenths < 0 { "-" } else { "" },
            (tenths / 10).abs(),
            (tenths % 10).abs()
        )
    }
}

/// The smallest "round" axis maximum (1, 2, 5 × 10ⁿ) at or above `v`; at least 1 so an empty
/// chart still has an axis.
pub fn nice_max(v: i64) -> i64 {
    if v <= 1 {
        return 1;
    }
    let mut base = 1i64;
    loop {
        for m in [1, 2, 5] {
            let c = base.saturating_mul(m);
            if c >= v {
                return c;
            }
        }
        base = base.saturating_mul(10);
    }
}

/// Axis ticks 0..=max: four or five steps for a round maximum, every whole number below five.
pub fn ticks(max: i64) -> Vec<i64> {
    let max = max.max(1);
    if max <= 5 {
        return (0..=max).collect();
    }
    let step = [1, 2, 5]
        .iter()
        .flat_map(|m| std::iter::successors(Some(*m as i64), |s: &i64| s.checked_mul(10)).take(18))
        .filter(|s| max % s == 0 && max / s <= 5)
        .min()
        .unwrap_or(max);
    (0..=max / step).map(|i| i * step).collect()
}

/// The length of `value` on an axis of `len` units whose end is `max` (0 when max is 0).
pub fn scale(value: f64, max: f64, len: f64) -> f64 {
    if max <= 0.0 || !value.is_finite() {
        return 0.0;
    }
    (value.max(0.0) / max).min(1.0) * len
}

/// `s` cut to `max` characters with "…" (the full text goes into the `<title>`).
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn attr(self) -> &'static str {
        match self {
            Anchor::Start => "",
            Anchor::Middle => " text-anchor=\"middle\"",
            Anchor::End => " text-anchor=\"end\"",
        }
    }
}

/// An SVG document being written. Sizes are viewBox units; the stylesheet makes the element as
/// wide as its container, so the chart scales down on a phone without overflowing.
pub struct Svg {
    width: f64,
    height: f64,
    body: String,
    open_links: usize,
}

impl Svg {
    pub fn new(width: f64, height: f64) -> Svg {
        Svg {
            width,
            height,
            body: String::new(),
            open_links: 0,
        }
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, class: &str) {
        let _ = write!(
            self.body,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"{}\"/>",
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0)),
            esc(class)
        );
    }

    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, class: &str) {
        let _ = write!(
            self.body,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"{}\"/>",
            num(x1),
            num(y1),
            num(x2),
            num(y2),
            esc(class)
        );
    }

    pub fn text(&mut self, x: f64, y: f64, anchor: Anchor, class: &str, text: &str) {
        let _ = write!(
            self.body,
            "<text x=\"{}\" y=\"{}\"{} class=\"{}\">{}</text>",
            num(x),
            num(y),
            anchor.attr(),
            esc(class),
            esc(text)
        );
    }

    /// Opens a link whose accessible name (and tooltip) is `title`; close it with `end_link`.
    pub fn link(&mut self, href: &str, title: &str) {
        let _ = write!(
            self.body,
            "<a href=\"{}\"><title>{}</title>",
            esc(href),
            esc(title)
        );
        self.open_links += 1;
    }

    pub fn end_link(&mut self) {
        if self.open_links > 0 {
            self.body.push_str("</a>");
            self.open_links -= 1;
        }
    }

    /// The finished element. `labelled_by` is the id of the caption that names the chart.
    pub fn finish(mut self, class: &str, labelled_by: &str) -> String {
        while self.open_links > 0 {
            self.end_link();
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" class=\"{}\" \
             aria-labelledby=\"{}\">{}</svg>",
            num(self.width),
            num(self.height),
            esc(class),
            esc(labelled_by),
            self.body
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(esc("甲单位\u{1}"), "甲单位 ");
        let mut s = Svg::new(100.0, 20.0);
        s.link("/hazards?a=1&b=\"2\"", "<b>单位</b>");
        s.text(0.0, 10.0, Anchor::End, "x\"y", "A&B<");
        let out = s.finish("c", "t");
        assert!(
            out.contains("href=\"/hazards?a=1&amp;b=&quot;2&quot;\""),
            "{out}"
        );
        assert!(
            out.contains("<title>&lt;b&gt;单位&lt;/b&gt;</title>"),
            "{out}"
        );
        assert!(
            out.contains("class=\"x&quot;y\">A&amp;B&lt;</text>"),
            "{out}"
        );
        // The link left open is closed.
        assert!(out.ends_with("</text></a></svg>"), "{out}");
        assert!(!out.contains("<b>"));
    }

    #[test]
    fn coordinates_have_one_decimal_at_most() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(-0.25), "-0.3");
        assert_eq!(num(-3.5), "-3.5");
        assert_eq!(num(f64::NAN), "0");
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(
            [0, 1, 2, 3, 7, 10, 11, 23, 99, 101, 4999].map(nice_max),
            [1, 1, 2, 5, 10, 10, 20, 50, 100, 200, 5000]
        );
        assert_eq!(ticks(1), [0, 1]);
        assert_eq!(ticks(5), [0, 1, 2, 3, 4, 5]);
        assert_eq!(ticks(10), [0, 2, 4, 6, 8, 10]);
        assert_eq!(ticks(20), [0, 5, 10, 15, 20]);
        assert_eq!(ticks(50), [0, 10, 20, 30, 40, 50]);
        assert_eq!(ticks(200), [0, 50, 100, 150, 200]);
        assert_eq!(ticks(5000), [0, 1000, 2000, 3000, 4000, 5000]);
    }

    #[test]
    fn bars_scale_within_their_axis() {
        assert_eq!(scale(5.0, 10.0, 300.0), 150.0);
        assert_eq!(scale(15.0, 10.0, 300.0), 300.0);
        assert_eq!(scale(-1.0, 10.0, 300.0), 0.0);
        // An empty chart (max 0) draws nothing rather than dividing by zero.
        assert_eq!(scale(3.0, 0.0, 300.0), 0.0);
    }

    #[test]
    fn long_names_are_cut() {
        assert_eq!(truncate("市储备粮管理有限公司", 20), "市储备粮管理有限公司");
        assert_eq!(truncate("一二三四五六", 4), "一二三…");
    }
}
