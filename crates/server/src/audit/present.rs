//! How audit values and times read on a page: JSON as words, times as
//! "3 days ago" with the exact time, in the port's zone, on hover.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;

/// Values longer than this are cut, with the whole value in the hover text.
const SHORT: usize = 80;

/// A JSON value as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// Possibly shortened.
    pub text: String,
    /// The whole value, for `title`.
    pub full: String,
    /// Null, an empty string or an empty list: shown as "empty".
    pub empty: bool,
}

impl Shown {
    pub fn of(value: Option<&Value>) -> Shown {
        let full = match value {
            None | Some(Value::Null) => String::new(),
            Some(v) => words(v),
        };
        let empty = full.trim().is_empty();
        let text = if empty {
            "empty".to_owned()
        } else if full.chars().count() > SHORT {
            let cut: String = full.chars().take(SHORT - 1).collect();
            format!("{}…", cut.trim_end())
        } else {
            full.clone()
        };
        Shown { text, full, empty }
    }
}

fn words(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(true) => "Yes".to_owned(),
        Value::Bool(false) => "No".to_owned(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(words).collect::<Vec<_>>().join(", "),
        Value::Object(_) => v.to_string(),
    }
}

/// A moment, relative and exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When {
    /// "3 days ago".
    pub ago: String,
    /// "12 Mar 2025, 14:03 WET", in the port's zone.
    pub exact: String,
    /// RFC 3339, for `<time datetime>`.
    pub iso: String,
}

impl When {
    pub fn of(at: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> When {
        let local = at.with_timezone(&tz);
        When {
            ago: ago(at, now, tz),
            exact: local.format("%-d %b %Y, %H:%M %Z").to_string(),
            iso: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

fn plural(n: i64, unit: &str) -> String {
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

fn ago(at: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> String {
    let secs = (now - at).num_seconds();
    match secs {
        // A clock a little ahead of the database's reads as now, not "in 2 s".
        s if s < 60 => "just now".to_owned(),
        s if s < 3600 => plural(s / 60, "minute"),
        s if s < 86_400 => plural(s / 3600, "hour"),
        s if s < 30 * 86_400 => plural(s / 86_400, "day"),
        _ => at.with_timezone(&tz).format("%-d %b %Y").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_read_as_words() {
        assert_eq!(Shown::of(Some(&json!("British"))).text, "British");
        assert_eq!(Shown::of(Some(&json!(true))).text, "Yes");
        assert_eq!(Shown::of(Some(&json!(12.5))).text, "12.5");
        assert_eq!(Shown::of(Some(&json!(["a", "b"]))).text, "a, b");
        for empty in [None, Some(json!(null)), Some(json!("")), Some(json!([]))] {
            let s = Shown::of(empty.as_ref());
            assert!(s.empty);
            assert_eq!(s.text, "empty");
        }
        let long = "x".repeat(200);
        let s = Shown::of(Some(&json!(long)));
        assert_eq!(s.text.chars().count(), SHORT);
        assert_eq!(s.full, long);
    }

    #[test]
    fn times_read_relative_with_the_exact_time_in_the_port_zone() {
        let now = DateTime::parse_from_rfc3339("2025-03-15T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let lisbon: Tz = "Europe/Lisbon".parse().unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let cases = [
            ("2025-03-15T11:59:30Z", "just now"),
            ("2025-03-15T11:59:00Z", "1 minute ago"),
            ("2025-03-15T09:00:00Z", "3 hours ago"),
            ("2025-03-12T12:00:00Z", "3 days ago"),
            ("2025-01-02T12:00:00Z", "2 Jan 2025"),
        ];
        for (t, want) in cases {
            assert_eq!(When::of(at(t), now, lisbon).ago, want, "{t}");
        }
        let w = When::of(at("2025-07-12T14:03:00Z"), now, lisbon);
        assert_eq!(w.exact, "12 Jul 2025, 15:03 WEST");
        assert_eq!(w.iso, "2025-07-12T14:03:00Z");
    }
}
