//! Times as the journal keeps them: milliseconds since the Unix epoch, UTC,
//! shown as RFC 3339.

use std::time::{SystemTime, UNIX_EPOCH};

use jiff::Timestamp;
use jiff::civil::Date;

use crate::JournalError;

/// Now, in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    ms_of(SystemTime::now())
}

/// A system time in milliseconds since the Unix epoch (0 before it).
pub fn ms_of(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .unwrap_or(0)
}

/// `ms` as RFC 3339 text in UTC, e.g. `2026-11-30T08:10:26.123Z`.
pub fn rfc3339(ms: i64) -> String {
    Timestamp::from_millisecond(ms).map_or_else(|_| ms.to_string(), |t| t.to_string())
}

/// A date (`2026-11-30`, taken as midnight UTC) or an RFC 3339 time
/// (`2026-11-30T08:00:00Z`) in milliseconds since the Unix epoch.
pub fn parse_date(text: &str) -> Result<i64, JournalError> {
    let text = text.trim();
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t.as_millisecond());
    }
    let date: Date = text.parse().map_err(|_| {
        JournalError::Invalid(format!(
            "date {text:?}: use YYYY-MM-DD (midnight UTC) or an RFC 3339 time such as 2026-11-30T08:00:00Z"
        ))
    })?;
    // Days from 1970-01-01 to `date`, exactly, without a time zone database.
    let epoch = Date::constant(1970, 1, 1);
    let days = i64::from(
        epoch
            .until(date)
            .map_err(|e| JournalError::Invalid(format!("date {text:?}: {e}")))?
            .get_days(),
    );
    days.checked_mul(86_400_000)
        .ok_or_else(|| JournalError::Invalid(format!("date {text:?} is out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times() {
        assert_eq!(parse_date("1970-01-02").unwrap(), 86_400_000);
        assert_eq!(parse_date("2026-11-30").unwrap(), 1_795_996_800_000);
        assert_eq!(
            parse_date("2026-11-30T00:00:01Z").unwrap(),
            1_795_996_801_000
        );
        assert!(parse_date("30/11/2026").is_err());
        assert_eq!(rfc3339(1_795_996_800_123), "2026-11-30T00:00:00.123Z");
    }
}
