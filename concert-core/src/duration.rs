//! Durations from callers: one ceiling every front checks against, and
//! deadlines computed without overflow.
//!
//! A caller's duration becomes `Instant + Duration` somewhere; a value near
//! `u64::MAX` seconds overflows it. Every time limit a caller sets is
//! refused above [`MAX_DURATION`] (by [`TerminalConfig::validate`], which
//! the CLI, C, Python and Node all go through, and by [`check`] for values
//! that never reach a configuration), and every deadline is computed with
//! [`deadline`], which cannot panic.
//!
//! [`TerminalConfig::validate`]: crate::terminal::TerminalConfig::validate

use std::time::{Duration, Instant};

use thiserror::Error;

/// The longest time limit a caller may set: a day. Nothing in a payment
/// waits that long; a larger value is a mistake (or an attack), refused
/// before anything is sent.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);

/// A time limit that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DurationError {
    /// Longer than [`MAX_DURATION`].
    #[error("{what} of {value:?} is longer than the {max:?} maximum", max = MAX_DURATION)]
    TooLong {
        /// Which limit.
        what: &'static str,
        /// The value given.
        value: Duration,
    },
    /// Not a number of seconds at all (negative, NaN, infinite).
    #[error("{what} must be a number of seconds from 0 to {max}, not {value}", max = MAX_DURATION.as_secs())]
    NotSeconds {
        /// Which limit.
        what: &'static str,
        /// The value given, as text.
        value: String,
    },
}

/// `value` if it is at most [`MAX_DURATION`].
pub fn check(what: &'static str, value: Duration) -> Result<Duration, DurationError> {
    if value > MAX_DURATION {
        return Err(DurationError::TooLong { what, value });
    }
    Ok(value)
}

/// Seconds as a float (Python, JavaScript, a command line) into a checked
/// duration: negative, NaN, infinite and over-[`MAX_DURATION`] values are
/// refused, never rounded into range.
pub fn from_secs_f64(what: &'static str, secs: f64) -> Result<Duration, DurationError> {
    if !secs.is_finite() || secs < 0.0 {
        return Err(DurationError::NotSeconds {
            what,
            value: secs.to_string(),
        });
    }
    if secs > MAX_DURATION.as_secs_f64() {
        return Err(DurationError::TooLong {
            what,
            value: Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX),
        });
    }
    Duration::try_from_secs_f64(secs).map_err(|_| DurationError::NotSeconds {
        what,
        value: secs.to_string(),
    })
}

/// `from + d` without overflow: a duration too large for the clock (only
/// possible for unchecked values) counts as [`MAX_DURATION`].
pub fn deadline(from: Instant, d: Duration) -> Instant {
    from.checked_add(d)
        .or_else(|| from.checked_add(MAX_DURATION))
        .unwrap_or(from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_passes_a_second_more_does_not() {
        assert_eq!(check("answer", MAX_DURATION), Ok(MAX_DURATION));
        let more = MAX_DURATION + Duration::from_secs(1);
        assert_eq!(
            check("answer", more),
            Err(DurationError::TooLong {
                what: "answer",
                value: more
            })
        );
    }

    #[test]
    fn floats_out_of_range_are_refused_not_rounded() {
        assert_eq!(from_secs_f64("t", 0.5), Ok(Duration::from_millis(500)));
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                from_secs_f64("t", bad),
                Err(DurationError::NotSeconds { .. })
            ));
        }
        assert!(matches!(
            from_secs_f64("t", 1e19),
            Err(DurationError::TooLong { .. })
        ));
    }

    #[test]
    fn deadlines_never_panic() {
        let now = Instant::now();
        assert!(deadline(now, Duration::MAX) >= now);
        assert_eq!(
            deadline(now, Duration::from_secs(3)),
            now + Duration::from_secs(3)
        );
    }
}
