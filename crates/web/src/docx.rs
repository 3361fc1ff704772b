//! A small DOCX (WordprocessingML) writer for documents in 公文 layout, which offices open and edit
//! in WPS or Word: rectification notices, duty rosters, the half-year summary.
//!
//! Layout after GB/T 9704-2012《党政机关公文格式》: A4; margins top 37 mm, bottom 35 mm, left 28 mm,
//! right 26 mm; body in 仿宋_GB2312 三号 (16 pt) with 22 lines per page (fixed 28.95 pt line pitch);
//! title in 方正小标宋简体 二号 (22 pt); first-level headings in 黑体, second-level in 楷体_GB2312;
//! page numbers "— 1 —" in 宋体 四号 at the foot. The font names are the ones WPS installations
//! carry; where one is missing, WPS and Word substitute, so the document stays editable anywhere.
//!
//! Only what our documents need is supported: paragraphs of plain text, headings, tables with a
//! header row, page breaks. Every piece of text goes through `esc`, so record contents cannot
//! inject markup.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::ZipWriter;

/// Twentieths of a point per millimetre (1 mm = 56.6929 twips).
fn mm(v: f64) -> u32 {
    (v * 1440.0 / 25.4).round() as u32
}

const FONT_BODY: &str = "仿宋_GB2312";
const FONT_TITLE: &str = "方正小标宋简体";
const FONT_H1: &str = "黑体";
const FONT_H2: &str = "楷体_GB2312";
const FONT_TABLE: &str = "宋体";
/// 三号 = 16 pt; sizes in half-points.
const SIZE_BODY: u32 = 32;
/// 二号 = 22 pt.
const SIZE_TITLE: u32 = 44;
/// 四号 = 14 pt, for page numbers.
const SIZE_PAGE_NUMBER: u32 = 28;
/// 小四 = 12 pt, for table cells (ledger tables do not fit at 三号).
const SIZE_TABLE: u32 = 24;
/// 22 lines on the 225 mm type area: a fixed pitch of 28.95 pt (579 twips).
const LINE_PITCH: u32 = 579;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
    Both,
}

impl Align {
    fn code(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Center => "center",
            Align::Right => "right",
            Align::Both => "both",
        }
    }
}

/// A document under construction.
pub struct Docx {
    body: String,
}

impl Default for Docx {
    fn default() -> Self {
        Self::new()
    }
}

/// Escapes text for XML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab/newline are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

fn run(text: &str, font: &str, size: u32, bold: bool) -> String {
    let mut out = String::new();
    // Newlines inside a value become line breaks within the paragraph.
    for (i, line) in text.split('\n').enumerate() {
        out.push_str("<w:r><w:rPr>");
        out.push_str(&format!(
            "<w:rFonts w:ascii=\"{f}\" w:hAnsi=\"{f}\" w:eastAsia=\"{f}\" w:cs=\"{f}\"/>",
            f = esc(font)
        ));
        if bold {
            out.push_str("<w:b/>");
        }
        out.push_str(&format!(
            "<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/></w:rPr>"
        ));
        if i > 0 {
            out.push_str("<w:br/>");
        }
        out.push_str(&format!(
            "<w:t xml:space=\"preserve\">{}</w:t></w:r>",
            esc(line)
        ));
    }
    out
}

fn para(content: &str, align: Align, first_line_chars: u32, exact_pitch: bool) -> String {
    let mut p = String::from("<w:p><w:pPr>");
    if exact_pitch {
        p.push_str(&format!(
            "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{LINE_PITCH}\" w:lineRule=\"exact\"/>"
        ));
    } else {
        p.push_str("<w:spacing w:before=\"0\" w:after=\"0\"/>");
    }
    if first_line_chars > 0 {
        // firstLineChars is in hundredths of a character: 2 characters = 200.
        p.push_str(&format!(
            "<w:ind w:firstLineChars=\"{}\"/>",
            first_line_chars * 100
        ));
    }
    p.push_str(&format!("<w:jc w:val=\"{}\"/></w:pPr>", align.code()));
    p.push_str(content);
    p.push_str("</w:p>");
    p
}

impl Docx {
    pub fn new() -> Docx {
        Docx {
            body: String::new(),
        }
    }

    /// The document title: 方正小标宋简体 二号, centred, followed by an empty line.
    pub fn title(&mut self, text: &str) -> &mut Self {
        self.body.push_str(&para(
            &run(text, FONT_TITLE, SIZE_TITLE, false),
            Align::Center,
            0,
            false,
        ));
        self.blank()
    }

    /// An empty body line.
    pub fn blank(&mut self) -> &mut Self {
        self.body.push_str(&para("", Align::Left, 0, true));
        self
    }

    /// A first-level heading ("一、…") in 黑体, indented like body text.
    pub fn heading1(&mut self, text: &str) -> &mut Self {
        self.body.push_str(&para(
            &run(text, FONT_H1, SIZE_BODY, false),
            Align::Both,
            2,
            true,
        ));
        self
    }

    /// A second-level heading ("（一）…") in 楷体_GB2312.
    pub fn heading2(&mut self, text: &str) -> &mut Self {
        self.body.push_str(&para(
            &run(text, FONT_H2, SIZE_BODY, false),
            Align::Both,
            2,
            true,
        ));
        self
    }

    /// A body paragraph: 仿宋_GB2312 三号, first line indented two characters, justified.
    pub fn paragraph(&mut self, text: &str) -> &mut Self {
        self.body.push_str(&para(
            &run(text, FONT_BODY, SIZE_BODY, false),
            Align::Both,
            2,
            true,
        ));
        self
    }

    /// A body-font line without indent, aligned as asked (addressee, signature, date).
    pub fn line(&mut self, text: &str, align: Align) -> &mut Self {
        self.body.push_str(&para(
            &run(text, FONT_BODY, SIZE_BODY, false),
            align,
            0,
            true,
        ));
        self
    }

    /// A table with a bold header row; `widths_mm` gives each column's width.
    pub fn table(
        &mut self,
        headers: &[&str],
        rows: &[Vec<String>],
        widths_mm: &[f64],
    ) -> &mut Self {
        let mut t = String::from(
            "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/><w:jc w:val=\"center\"/><w:tblBorders>",
        );
        for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
            t.push_str(&format!(
                "<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
            ));
        }
        t.push_str("</w:tblBorders><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>");
        for w in widths_mm {
            t.push_str(&format!("<w:gridCol w:w=\"{}\"/>", mm(*w)));
        }
        t.push_str("</w:tblGrid>");
        let cell = |text: &str, w: f64, bold: bool| {
            format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>{}</w:tc>",
                mm(w),
                para(
                    &run(text, FONT_TABLE, SIZE_TABLE, bold),
                    if bold { Align::Center } else { Align::Left },
                    0,
                    false
                )
            )
        };
        // The header row repeats on every page of a long table.
        t.push_str("<w:tr><w:trPr><w:tblHeader/></w:trPr>");
        for (i, h) in headers.iter().enumerate() {
            t.push_str(&cell(h, widths_mm.get(i).copied().unwrap_or(20.0), true));
        }
        t.push_str("</w:tr>");
        for r in rows {
            t.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
            for (i, v) in r.iter().enumerate() {
                t.push_str(&cell(v, widths_mm.get(i).copied().unwrap_or(20.0), false));
            }
            t.push_str("</w:tr>");
        }
        t.push_str("</w:tbl>");
        self.body.push_str(&t);
        self
    }

    pub fn page_break(&mut self) -> &mut Self {
        self.body
            .push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>");
        self
    }

    /// The .docx file.
    pub fn to_bytes(&self) -> Result<Vec<u8>, zip::result::ZipError> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let opts =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let parts: [(&str, String); 6] = [
            ("[Content_Types].xml", CONTENT_TYPES.to_string()),
            ("_rels/.rels", ROOT_RELS.to_string()),
            ("word/_rels/document.xml.rels", DOC_RELS.to_string()),
            ("word/styles.xml", styles()),
            ("word/footer1.xml", footer()),
            ("word/document.xml", self.document()),
        ];
        for (name, content) in parts {
            zip.start_file(name, opts)?;
            zip.write_all(content.as_bytes())
                .map_err(zip::result::ZipError::Io)?;
        }
        Ok(zip.finish()?.into_inner())
    }

    fn document(&self) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>{}\
<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooter\"/>\
<w:pgSz w:w=\"{}\" w:h=\"{}\"/>\
<w:pgMar w:top=\"{}\" w:right=\"{}\" w:bottom=\"{}\" w:left=\"{}\" w:header=\"851\" w:footer=\"{}\" w:gutter=\"0\"/>\
<w:docGrid w:type=\"lines\" w:linePitch=\"{LINE_PITCH}\"/></w:sectPr></w:body></w:document>",
            self.body,
            mm(210.0),
            mm(297.0),
            mm(37.0),
            mm(26.0),
            mm(35.0),
            mm(28.0),
            mm(28.0),
        )
    }
}

fn styles() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:docDefaults><w:rPrDefault><w:rPr>\
<w:rFonts w:ascii=\"{FONT_BODY}\" w:hAnsi=\"{FONT_BODY}\" w:eastAsia=\"{FONT_BODY}\" w:cs=\"{FONT_BODY}\"/>\
<w:sz w:val=\"{SIZE_BODY}\"/><w:szCs w:val=\"{SIZE_BODY}\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/>\
</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"0\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style>\
</w:styles>"
    )
}

/// "— 1 —" centred at the foot of every page.
fn footer() -> String {
    let r = |inner: &str| {
        format!(
            "<w:r><w:rPr><w:rFonts w:ascii=\"宋体\" w:hAnsi=\"宋体\" w:eastAsia=\"宋体\"/>\
<w:sz w:val=\"{SIZE_PAGE_NUMBER}\"/></w:rPr>{inner}</w:r>"
        )
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>\
{}{}{}{}{}</w:p></w:ftr>",
        r("<w:t xml:space=\"preserve\">— </w:t>"),
        r("<w:fldChar w:fldCharType=\"begin\"/>"),
        r("<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>"),
        r("<w:fldChar w:fldCharType=\"end\"/>"),
        r("<w:t xml:space=\"preserve\"> —</w:t>"),
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
</Relationships>";

const DOC_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rIdFooter\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>\
</Relationships>";

/// The MIME type to serve .docx files with.
pub const MIME: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn part(bytes: &[u8], name: &str) -> String {
        let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn writes_a_package_with_escaped_text_and_gongwen_page_setup() {
        let mut d = Docx::new();
        d.title("整改通知书")
            .line("甲单位：", Align::Left)
            .paragraph("消防通道<script>alert(1)</script> & \"堵塞\"\n第二行")
            .table(
                &["序号", "隐患"],
                &[vec!["1".into(), "<b>配电箱</b>".into()]],
                &[15.0, 100.0],
            );
        let bytes = d.to_bytes().unwrap();
        let doc = part(&bytes, "word/document.xml");
        assert!(doc.contains("整改通知书"));
        assert!(
            doc.contains("消防通道&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;堵塞&quot;")
        );
        assert!(!doc.contains("<script>"));
        assert!(!doc.contains("<b>配电箱"));
        assert!(doc.contains("<w:br/>"), "newline became a line break");
        // A4 and the GB/T 9704 margins, in twips.
        assert!(doc.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
        assert!(doc.contains("w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\""));
        assert!(doc.contains("仿宋_GB2312") && doc.contains("方正小标宋简体"));
        for name in [
            "[Content_Types].xml",
            "_rels/.rels",
            "word/_rels/document.xml.rels",
            "word/styles.xml",
            "word/footer1.xml",
        ] {
            assert!(!part(&bytes, name).is_empty(), "{name}");
        }
        assert!(part(&bytes, "word/footer1.xml").contains("PAGE"));
    }

    #[test]
    fn every_part_is_well_formed_xml() {
        let mut d = Docx::new();
        d.title("标题")
            .heading1("一、总体情况")
            .heading2("（一）检查")
            .paragraph("正文 <&> ' \"");
        d.table(&["a"], &[vec!["x".into()]], &[10.0])
            .page_break()
            .line("落款", Align::Right);
        let bytes = d.to_bytes().unwrap();
        let mut z = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
        let names: Vec<String> = (0..z.len())
            .map(|i| z.by_index(i).unwrap().name().unwrap().to_string())
            .collect();
        for name in names {
            let mut s = String::new();
            z.by_name(&name).unwrap().read_to_string(&mut s).unwrap();
            let mut r = quick_xml::Reader::from_str(&s);
            let mut depth = 0i32;
            loop {
                match r.read_event() {
                    Ok(quick_xml::events::Event::Start(_)) => depth += 1,
                    Ok(quick_xml::events::Event::End(_)) => depth -= 1,
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("{name}: {e}"),
                }
            }
            assert_eq!(depth, 0, "{name} balanced");
        }
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(esc("a\u{1}b\tc"), "ab\tc");
    }
}
