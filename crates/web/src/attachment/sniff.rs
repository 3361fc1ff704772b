//! File type from content, never from the name a client sent: an HTML page renamed to .jpg is
//! refused here, before anything is stored.

/// A type anjian accepts: the MIME type it is served with and whether it is an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub mime: &'static str,
    pub image: bool,
}

const fn t(mime: &'static str, image: bool) -> Option<Sniffed> {
    Some(Sniffed { mime, image })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Photos, PDF and Office documents; everything else is None.
pub fn sniff(bytes: &[u8], file_name: &str) -> Option<Sniffed> {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => t("image/jpeg", true),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => t("image/png", true),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => t("image/gif", true),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => t("image/webp", true),
        [b'%', b'P', b'D', b'F', b'-', ..] => t("application/pdf", false),
        // OOXML is a zip whose part names say which application wrote it.
        [b'P', b'K', 0x03, 0x04, ..] => {
            if contains(bytes, b"word/") {
                t(
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    false,
                )
            } else if contains(bytes, b"xl/") {
                t(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    false,
                )
            } else if contains(bytes, b"ppt/") {
                t(
                    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                    false,
                )
            } else {
                None
            }
        }
        // Legacy Office (OLE compound file): the container does not name the application
        // cheaply, so the extension decides among the three, and only for this container.
        [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, ..] => match ext.as_str() {
            "doc" | "wps" => t("application/msword", false),
            "xls" | "et" => t("application/vnd.ms-excel", false),
            "ppt" | "dps" => t("application/vnd.ms-powerpoint", false),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_accepted_types() {
        assert_eq!(
            sniff(b"\xFF\xD8\xFF\xE0rest", "a.bin").map(|s| s.mime),
            Some("image/jpeg")
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\nrest", "a").map(|s| s.mime),
            Some("image/png")
        );
        assert_eq!(
            sniff(b"%PDF-1.7\n", "x.jpg").map(|s| s.mime),
            Some("application/pdf")
        );
        assert!(sniff(b"PK\x03\x04....word/document.xml", "a.docx").is_some());
        assert_eq!(
            sniff(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "a.xls").map(|s| s.mime),
            Some("application/vnd.ms-excel")
        );
    }

    #[test]
    fn refuses_markup_and_unknown_content_whatever_the_name() {
        assert_eq!(
            sniff(b"<!doctype html><script>alert(1)</script>", "photo.jpg"),
            None
        );
        assert_eq!(
            sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "a.png"),
            None
        );
        assert_eq!(sniff(b"PK\x03\x04plain zip", "a.docx"), None);
        assert_eq!(sniff(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "a.exe"), None);
        assert_eq!(sniff(b"", "a.pdf"), None);
    }
}
