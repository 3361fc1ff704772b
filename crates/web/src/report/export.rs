//! The summary as files: DOCX in 公文 layout (GB/T 9704 through `docx::Docx`) for the office to
//! edit in WPS, and Markdown.

use anjian_db::report::text::Summary;

use crate::docx::Docx;

/// The summary as a Word document: title, headings (一、 in 黑体, （一） in 楷体), body paragraphs.
pub fn docx(s: &Summary) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut d = Docx::new();
    d.title(&s.title);
    for section in &s.sections {
        match section.level {
            1 => {
                d.heading1(&section.heading);
            }
            2 => {
                d.heading2(&section.heading);
            }
            _ => {}
        }
        for p in &section.paragraphs {
            d.paragraph(&p.plain());
        }
    }
    d.to_bytes()
}

/// The summary as Markdown: `#` title, `##` for 一、, `###` for （一）.
pub fn markdown(s: &Summary) -> String {
    let mut out = format!("# {}\n\n", s.title);
    for section in &s.sections {
        match section.level {
            1 => out.push_str(&format!("## {}\n\n", section.heading)),
            2 => out.push_str(&format!("### {}\n\n", section.heading)),
            _ => {}
        }
        for p in &section.paragraphs {
            out.push_str(&p.plain());
            out.push_str("\n\n");
        }
    }
    out
}

/// The summary as a standalone, print-friendly HTML page (no scripts, no external files).
pub fn html(s: &Summary) -> String {
    use crate::html::escape;
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{t}</title>\
<style>body{{max-width:42em;margin:2em auto;font-family:FangSong,\"仿宋_GB2312\",serif;font-size:16pt;line-height:1.8}}\
h1{{text-align:center;font-family:\"方正小标宋简体\",serif;font-size:22pt;font-weight:normal}}\
h2{{font-family:SimHei,\"黑体\",sans-serif;font-size:16pt;font-weight:normal}}\
h3{{font-family:KaiTi,\"楷体_GB2312\",serif;font-size:16pt;font-weight:normal}}\
p{{text-indent:2em;margin:0;text-align:justify}}</style></head><body>\n<h1>{t}</h1>\n",
        t = escape(&s.title)
    );
    for section in &s.sections {
        match section.level {
            1 => out.push_str(&format!("<h2>{}</h2>\n", escape(&section.heading))),
            2 => out.push_str(&format!("<h3>{}</h3>\n", escape(&section.heading))),
            _ => {}
        }
        for p in &section.paragraphs {
            out.push_str(&format!("<p>{}</p>\n", escape(&p.plain())));
        }
    }
    out.push_str("</body></html>\n");
    out
}
