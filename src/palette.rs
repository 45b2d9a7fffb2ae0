//! The colors a theme gets: the brand's choices, or calm defaults, plus the
//! derived shades (muted text, lines, soft backgrounds) so themes need no
//! CSS color functions that old browsers lack.

use crate::config::Colors;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Scheme {
    pub background: String,
    pub text: String,
    pub accent: String,
    /// Text on an accent-colored button.
    pub on_accent: String,
    pub muted: String,
    pub line: String,
    pub soft: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Palette {
    pub light: Scheme,
    pub dark: Scheme,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Rgb(f64, f64, f64);

impl Palette {
    /// Colors must already be validated (`config::is_color`).
    pub fn from_colors(colors: &Colors) -> Palette {
        let pick = |value: &Option<String>, fallback: &str| {
            value
                .as_deref()
                .and_then(parse_hex)
                .unwrap_or_else(|| parse_hex(fallback).expect("valid default"))
        };
        Palette {
            light: scheme(
                pick(&colors.background, "#ffffff"),
                pick(&colors.text, "#1f2328"),
                pick(&colors.accent, "#1a56db"),
            ),
            dark: scheme(
                pick(&colors.dark_background, "#121417"),
                pick(&colors.dark_text, "#e8eaed"),
                pick(&colors.dark_accent, "#8ab4f8"),
            ),
        }
    }
}

fn scheme(background: Rgb, text: Rgb, accent: Rgb) -> Scheme {
    // Button text: whichever of background and text reads better on accent.
    let on_accent = if contrast(accent, background) >= contrast(accent, text) {
        background
    } else {
        text
    };
    Scheme {
        background: hex(background),
        text: hex(text),
        accent: hex(accent),
        on_accent: hex(on_accent),
        muted: hex(mix(text, background, 0.78)),
        line: hex(mix(text, background, 0.2)),
        soft: hex(mix(text, background, 0.06)),
    }
}

fn parse_hex(value: &str) -> Option<Rgb> {
    let hex = value.strip_prefix('#')?;
    let expand = |s: &str| -> Option<Vec<f64>> {
        s.chars()
            .map(|c| c.to_digit(16).map(|d| f64::from(d * 17)))
            .collect()
    };
    let channels: Vec<f64> = match hex.len() {
        3 | 4 => expand(&hex[..3])?,
        6 | 8 => (0..3)
            .map(|i| {
                u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16)
                    .ok()
                    .map(f64::from)
            })
            .collect::<Option<_>>()?,
        _ => return None,
    };
    Some(Rgb(channels[0], channels[1], channels[2]))
}

fn hex(Rgb(r, g, b): Rgb) -> String {
    format!(
        "#{:02x}{:02x}{:02x}",
        r.round() as u8,
        g.round() as u8,
        b.round() as u8
    )
}

fn mix(a: Rgb, b: Rgb, weight_of_a: f64) -> Rgb {
    let w = weight_of_a;
    Rgb(
        a.0 * w + b.0 * (1.0 - w),
        a.1 * w + b.1 * (1.0 - w),
        a.2 * w + b.2 * (1.0 - w),
    )
}

fn luminance(Rgb(r, g, b): Rgb) -> f64 {
    let linear = |c: f64| {
        let c = c / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

/// WCAG 2 contrast ratio, 1.0 to 21.0.
fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// Contrast ratio of two hex colors, or None if either is not a hex color.
pub fn contrast_ratio(a: &str, b: &str) -> Option<f64> {
    Some(contrast(parse_hex(a)?, parse_hex(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag_reference_values() {
        assert!((contrast_ratio("#000", "#fff").unwrap() - 21.0).abs() < 0.01);
        assert!((contrast_ratio("#777777", "#ffffff").unwrap() - 4.48).abs() < 0.01);
    }

    #[test]
    fn default_palette_meets_wcag_aa_for_every_text_pair() {
        let palette = Palette::from_colors(&Colors::default());
        for s in [&palette.light, &palette.dark] {
            for (fg, bg) in [
                (&s.text, &s.background),
                (&s.muted, &s.background),
                (&s.accent, &s.background),
                (&s.on_accent, &s.accent),
                (&s.text, &s.soft),
                (&s.muted, &s.soft),
            ] {
                let ratio = contrast_ratio(fg, bg).unwrap();
                assert!(ratio >= 4.5, "{fg} on {bg} is {ratio:.2}");
            }
        }
    }
}
