//! QR codes for share links, as SVG, so that a link can be opened on a phone.
//!
//! The `qrcode` crate does the encoding (version choice, error correction,
//! masking); this module only draws its modules as one SVG path, which keeps the
//! image crisp at any size and needs no image encoder in the wasm build.

use std::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};

/// Light modules around the code that readers need to find it (the standard asks for four).
const QUIET_ZONE_MODULES: usize = 4;

/// An SVG document of the QR code for `text`, one unit per module, black on white.
///
/// Medium error correction: links are short enough that the extra redundancy costs
/// little, and it tolerates a screen's glare better than the lowest level.
pub fn svg(text: &str) -> Result<String, String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| format!("The link is too long for a QR code: {e}"))?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET_ZONE_MODULES;
    let mut path = String::new();
    for (row, line) in colors.chunks_exact(width).enumerate() {
        let mut column = 0;
        // Runs of dark modules on a row become one rectangle: a path a few times shorter.
        while column < width {
            if line[column] != Color::Dark {
                column += 1;
                continue;
            }
            let start = column;
            while column < width && line[column] == Color::Dark {
                column += 1;
            }
            let (x, y) = (start + QUIET_ZONE_MODULES, row + QUIET_ZONE_MODULES);
            let _ = write!(path, "M{x} {y}h{}v1h-{}z", column - start, column - start);
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
}

/// The module grid for `text` (true = dark), without the quiet zone; for tests.
pub fn modules(text: &str) -> Result<Vec<Vec<bool>>, String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| e.to_string())?;
    let width = code.width();
    Ok(code.to_colors().chunks_exact(width).map(|row| row.iter().map(|c| *c == Color::Dark).collect()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "https://models.example/s/AAAAAAAAAAAAAAAAAAAAAA#BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

    #[test]
    fn share_link_gets_a_version_with_finder_patterns() {
        let grid = modules(LINK).expect("encodes");
        let width = grid.len();
        // Versions are 21 + 4(v-1) modules wide; a ~90-character link at level M needs version 5 or 6.
        assert_eq!((width - 21) % 4, 0);
        assert!((37..=41).contains(&width), "width {width}");
        // Finder pattern corners: a dark 7×7 ring with a dark 3×3 centre, in three corners.
        for (r, c) in [(0, 0), (0, width - 7), (width - 7, 0)] {
            assert!(grid[r][c] && grid[r + 6][c + 6] && grid[r + 3][c + 3]);
            assert!(!grid[r + 1][c + 1], "light ring inside the finder at ({r},{c})");
        }
    }

    #[test]
    fn svg_draws_every_dark_module_once() {
        let grid = modules(LINK).expect("encodes");
        let dark: usize = grid.iter().flatten().filter(|d| **d).count();
        let svg = svg(LINK).expect("encodes");
        let drawn: usize = svg
            .split('M')
            .skip(1)
            .map(|run| run.split('h').nth(1).and_then(|w| w.split('v').next()).and_then(|w| w.parse::<usize>().ok()))
            .map(|w| w.expect("each run has a width"))
            .sum();
        assert_eq!(drawn, dark);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn too_long_text_is_an_error() {
        assert!(svg(&"x".repeat(5000)).is_err());
    }
}
