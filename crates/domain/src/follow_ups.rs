//! Automatic follow-ups (DESIGN.md, "Follow-ups"): when an interest that asks
//! for reminders has gone quiet, and whether now is a time to say so.

use crate::settings::{SendWindow, minutes_of};
use chrono::{DateTime, Duration, Utc};

/// Whether `minute` (minutes after midnight, in the port's time zone) falls
/// inside `window`, start included, end excluded. A window that does not read
/// (the settings refuse one) lets nothing through.
pub fn in_window(window: &SendWindow, minute: u32) -> bool {
    match (minutes_of(&window.start), minutes_of(&window.end)) {
        (Some(start), Some(end)) => start <= minute && minute < end,
        _ => false,
    }
}

/// An interest's follow-up state, as the job reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quiet {
    /// The last contact, else when the interest was created.
    pub since: DateTime<Utc>,
    /// Days without contact before a follow-up is due.
    pub reminder_days: u32,
    /// When the last automatic follow-up was made, if ever.
    pub last_fired: Option<DateTime<Utc>>,
}

impl Quiet {
    /// Due when quiet for `reminder_days` and no follow-up was made in the
    /// last `cooldown_hours`: one reminder per cooldown, however often the job runs.
    pub fn is_due(&self, cooldown_hours: u32, now: DateTime<Utc>) -> bool {
        let quiet = now - self.since >= Duration::days(i64::from(self.reminder_days));
        let cooled = self
            .last_fired
            .is_none_or(|at| now - at >= Duration::hours(i64::from(cooldown_hours)));
        quiet && cooled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(hours: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_750_000_000, 0).unwrap() + Duration::hours(hours)
    }

    #[test]
    fn the_window_includes_its_start_and_not_its_end() {
        let w = SendWindow::default();
        assert!(!in_window(&w, 7 * 60 + 59));
        assert!(in_window(&w, 8 * 60));
        assert!(in_window(&w, 17 * 60 + 59));
        assert!(!in_window(&w, 18 * 60));
        let broken = SendWindow {
            start: "soon".into(),
            end: "18:00".into(),
        };
        assert!(!in_window(&broken, 12 * 60));
    }

    #[test]
    fn one_follow_up_per_cooldown() {
        let q = Quiet {
            since: t(0),
            reminder_days: 7,
            last_fired: None,
        };
        assert!(!q.is_due(72, t(7 * 24 - 1)));
        assert!(q.is_due(72, t(7 * 24)));
        let fired = Quiet {
            last_fired: Some(t(7 * 24)),
            ..q
        };
        assert!(!fired.is_due(72, t(7 * 24 + 71)));
        assert!(fired.is_due(72, t(7 * 24 + 72)));
    }
}
