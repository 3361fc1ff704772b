//! Thumbnails for photos, turned upright by their EXIF orientation (phones store portrait photos
//! sideways and rely on the tag).

use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

pub const THUMB_SIZE: u32 = 320;

/// A PNG thumbnail, or None when the image cannot be decoded (the file is still kept).
pub async fn make(bytes: Vec<u8>) -> Option<Vec<u8>> {
    tokio::task::spawn_blocking(move || make_blocking(&bytes))
        .await
        .ok()
        .flatten()
}

fn make_blocking(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut reader = ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    // Bound the decoder so a small file that claims huge dimensions cannot exhaust memory.
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().ok()?;
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).ok()?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    let thumb = img.thumbnail(THUMB_SIZE, THUMB_SIZE);
    let mut out = std::io::Cursor::new(Vec::new());
    thumb.write_to(&mut out, image::ImageFormat::Png).ok()?;
    Some(out.into_inner())
}
