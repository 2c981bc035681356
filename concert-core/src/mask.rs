//! Card-number masking. A full card number must never reach a log line, a
//! trace or a display field: only the first 6 and last 4 digits survive.

/// The character put in place of hidden digits (what terminals use in `AA`).
pub const MASK_CHAR: char = '#';

/// Masks a card number, keeping the first 6 and last 4 digits
/// (`4711690463168807` → `471169######8807`). Numbers of 10 digits or fewer
/// keep only their last 4. Characters that are already masked or are not
/// digits are kept as they are, so an already-masked number is unchanged.
pub fn mask_pan(pan: &str) -> String {
    // Only ASCII digits are replaced (by ASCII), so the bytes stay UTF-8.
    String::from_utf8(mask_pan_bytes(pan.as_bytes()))
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// [`mask_pan`] on raw bytes, same length whatever they hold (a Latin-1
/// byte beside the number must not turn masking off).
pub fn mask_pan_bytes(pan: &[u8]) -> Vec<u8> {
    let is_position = |b: u8| b.is_ascii_digit() || matches!(b, b'#' | b'*' | b'X' | b'x');
    let len = pan.iter().filter(|&&b| is_position(b)).count();
    let keep_head = if len > 10 { 6 } else { 0 };
    let mut seen = 0;
    pan.iter()
        .map(|&b| {
            if !is_position(b) {
                return b;
            }
            seen += 1;
            if b.is_ascii_digit() && seen > keep_head && seen <= len.saturating_sub(4) {
                MASK_CHAR as u8
            } else {
                b
            }
        })
        .collect()
}

/// Masks, inside arbitrary bytes, every run of 13 or more consecutive digits
/// (what a card number looks like), keeping the run's first 6 and last 4.
/// This is the fallback for bytes no codec could parse; parsed frames are
/// masked field by field by their codec instead, so amounts stay readable.
pub fn mask_digit_runs(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i < out.len() {
        if !out[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < out.len() && out[i].is_ascii_digit() {
            i += 1;
        }
        if i - start >= 13 {
            for b in &mut out[start + 6..i - 4] {
                *b = MASK_CHAR as u8;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_first_six_last_four() {
        assert_eq!(mask_pan("4711690463168807"), "471169######8807");
        assert_eq!(mask_pan("455972######4486"), "455972######4486");
        assert_eq!(mask_pan("1234567890"), "######7890");
        assert_eq!(mask_pan(""), "");
    }

    #[test]
    fn masks_long_digit_runs_only() {
        assert_eq!(
            mask_digit_runs(b"x4711690463168807 1250 0123456789012"),
            b"x471169######8807 1250 012345###9012".to_vec()
        );
        assert_eq!(mask_digit_runs(b"123456789012"), b"123456789012".to_vec());
    }
}
