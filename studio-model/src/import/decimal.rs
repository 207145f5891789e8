//! Fast decimal → `f32` for text formats (ASCII STL now; OBJ, PLY and OFF later).
//!
//! Text models spend most of their parse time turning digits into floats, and
//! the standard library's parser, being exact for every input, is several
//! times slower than needed for the short decimals CAD tools write. This
//! handles `[+-]digits[.digits][(e|E)[+-]digits]` with at most 19 digits whose
//! value fits in 53 bits, and a small exponent, where `mantissa × 10^exp` is
//! computed in `f64` from two exactly representable numbers and then rounded to `f32`. Anything
//! else (more digits, big exponents, `nan`, `inf`) falls back to `str::parse`.
//! The double rounding (to f64, then f32) can differ from a correctly rounded
//! result by one unit in the last place in rare halfway cases: 6e-8 relative,
//! far below what a model file's precision means.

/// Exact powers of ten in f64 (10^22 is the largest exactly representable).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// Parses a whole token as `f32`, or `None` if it is not a number.
pub fn parse_f32(token: &[u8]) -> Option<f32> {
    fast_path(token).or_else(|| std::str::from_utf8(token).ok()?.parse::<f32>().ok())
}

fn fast_path(token: &[u8]) -> Option<f32> {
    match parse_prefix(token, 0)? {
        (value, end) if end == token.len() => Some(value),
        _ => None,
    }
}

/// Parses the number that starts at `bytes[start]` on the fast path, returning
/// it and the index just past it; `None` when the fast path does not apply (the
/// caller then falls back to [`parse_f32`] on the whole token). Lets a text
/// parser read a number in the same pass that finds where it ends.
#[inline(always)]
pub fn parse_prefix(bytes: &[u8], start: usize) -> Option<(f32, usize)> {
    let mut i = start;
    let negative = match bytes.get(i)? {
        b'-' => {
            i += 1;
            true
        }
        b'+' => {
            i += 1;
            false
        }
        _ => false,
    };
    // All digits, integer and fraction, go into one u64; 19 digits cannot overflow it.
    let mut mantissa: u64 = 0;
    let digits_start = i;
    while let Some(d) = digit(bytes, i) {
        mantissa = mantissa.wrapping_mul(10).wrapping_add(d);
        i += 1;
    }
    let integer_digits = i - digits_start;
    let mut fraction_digits = 0;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        let fraction_start = i;
        while let Some(d) = digit(bytes, i) {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(d);
            i += 1;
        }
        fraction_digits = i - fraction_start;
    }
    let digits = integer_digits + fraction_digits;
    if digits == 0 || digits > 19 {
        return None;
    }
    let mut exponent = -(fraction_digits as i32);
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        let sign = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                -1
            }
            Some(b'+') => {
                i += 1;
                1
            }
            _ => 1,
        };
        let exponent_start = i;
        let mut value: i32 = 0;
        while let Some(d) = digit(bytes, i) {
            // More than 4 exponent digits is out of the fast path's range anyway.
            if i - exponent_start >= 4 {
                return None;
            }
            value = value * 10 + d as i32;
            i += 1;
        }
        if i == exponent_start {
            return None;
        }
        exponent += sign * value;
    }
    // Exact when the mantissa fits f64's 53 bits and the power of ten is exact:
    // then `mantissa × 10^e` is one correctly rounded operation.
    if mantissa > 1 << 53 {
        return None;
    }
    let magnitude = if mantissa == 0 {
        0.0
    } else {
        let power = *POW10.get(exponent.unsigned_abs() as usize)?;
        if exponent >= 0 { mantissa as f64 * power } else { mantissa as f64 / power }
    };
    let value = magnitude as f32;
    Some((if negative { -value } else { value }, i))
}

/// The digit at `bytes[i]`, if it is one.
#[inline(always)]
fn digit(bytes: &[u8], i: usize) -> Option<u64> {
    let d = bytes.get(i)?.wrapping_sub(b'0');
    (d < 10).then_some(u64::from(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_standard_parser() {
        let cases = [
            "0",
            "-0",
            "1",
            "-1.5",
            "+2.25",
            "0.1",
            "3.14159265",
            "1e3",
            "1.5E-7",
            "-2.5e+10",
            "123456.789",
            "0.000001",
            "1.0000001",
            "16777217",
            "9.999999e-39",
            "3.4028235e38",
            "1234567890123456789",
            "0.30000000000000004",
            "5.",
            ".5",
            "-.5e2",
            "7.038531e-26",
        ];
        for case in cases {
            assert_eq!(parse_f32(case.as_bytes()), case.parse::<f32>().ok(), "{case}");
        }
    }

    #[test]
    fn random_decimals_round_like_the_standard_parser() {
        // A simple LCG: deterministic, no dependency.
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            state >> 11
        };
        for _ in 0..20_000 {
            let int = next() % 100_000;
            let frac = next() % 1_000_000;
            let exp = (next() % 20) as i32 - 10;
            let text = format!("{int}.{frac:06}e{exp}");
            let ours = parse_f32(text.as_bytes()).unwrap_or(f32::NAN);
            let std = text.parse::<f32>().unwrap_or(f32::NAN);
            // At most one unit in the last place apart (see the module comment).
            assert!((ours.to_bits() as i64 - std.to_bits() as i64).abs() <= 1, "{text}: {ours} vs {std}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        for case in ["", "-", ".", "e5", "1e", "1.2.3", "1x", "--1", "zero"] {
            assert_eq!(parse_f32(case.as_bytes()), None, "{case}");
        }
        assert!(parse_f32(b"nan").is_some_and(f32::is_nan));
        assert_eq!(parse_f32(b"inf"), Some(f32::INFINITY));
    }
}
