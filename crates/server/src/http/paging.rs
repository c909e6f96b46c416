//! Keyset paging for lists: `?limit=` (default 50, max 200) and an opaque
//! `?cursor=` naming the last row seen by its sort key `(created_at, id)`.
//!
//! A keyset cursor stays correct while rows are inserted ahead of it, and a
//! page deep in a long list costs what the first one does (no OFFSET).

use super::Error;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use uuid::Uuid;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// A list as the API returns it.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

/// `?limit=`: absent or empty means the default; outside 1..=200 is a 400.
pub fn limit(raw: Option<&str>) -> Result<i64, Error> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(DEFAULT_LIMIT),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                Error::BadRequest(format!(
                    "`limit` must be a whole number from 1 to {MAX_LIMIT}."
                ))
            }),
    }
}

/// The position after the last row of a page sorted by `(created_at, id)`,
/// newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keyset {
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

impl Keyset {
    /// Microseconds are kept: PostgreSQL stores them, and a rounded time would
    /// skip or repeat rows written within the same second.
    pub fn encode(&self) -> String {
        let raw = format!(
            "{}|{}",
            self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            self.id
        );
        URL_SAFE_NO_PAD.encode(raw)
    }

    pub fn decode(cursor: &str) -> Result<Keyset, Error> {
        let bad = || Error::BadRequest("`cursor` is not a cursor this list gave out.".into());
        let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let (at, id) = text.split_once('|').ok_or_else(bad)?;
        Ok(Keyset {
            at: DateTime::parse_from_rfc3339(at)
                .map_err(|_| bad())?
                .with_timezone(&Utc),
            id: Uuid::parse_str(id).map_err(|_| bad())?,
        })
    }

    /// `?cursor=`: absent or empty means the first page.
    pub fn from_query(raw: Option<&str>) -> Result<Option<Keyset>, Error> {
        raw.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Keyset::decode)
            .transpose()
    }
}

/// Cuts `rows` (fetched with `limit + 1`) to `limit` and returns the cursor of
/// the next page when the extra row shows there is one.
pub fn split<T>(
    mut rows: Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> Keyset,
) -> (Vec<T>, Option<Keyset>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows.last().map(key);
        (rows, next)
    } else {
        (rows, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_to_the_microsecond() {
        let at = DateTime::parse_from_rfc3339("2025-03-04T05:06:07.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        let k = Keyset {
            at,
            id: Uuid::new_v4(),
        };
        assert_eq!(Keyset::decode(&k.encode()).unwrap(), k);
    }

    #[test]
    fn foreign_cursors_and_limits_are_refused() {
        for bad in ["x", "!!!", &URL_SAFE_NO_PAD.encode("2025-01-01|nope")] {
            assert!(Keyset::decode(bad).is_err(), "{bad}");
        }
        assert_eq!(Keyset::from_query(Some("")).unwrap(), None);
        assert_eq!(limit(None).unwrap(), 50);
        assert_eq!(limit(Some("200")).unwrap(), 200);
        for bad in ["0", "201", "-1", "ten"] {
            assert!(limit(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn split_keeps_the_page_and_points_after_its_last_row() {
        let at = Utc::now();
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
        let key = |id: &Uuid| Keyset { at, id: *id };
        let (page, next) = split(ids.clone(), 2, key);
        assert_eq!(page, ids[..2]);
        assert_eq!(next.unwrap().id, ids[1]);
        let (page, next) = split(ids.clone(), 3, key);
        assert_eq!(page.len(), 3);
        assert!(next.is_none());
    }
}
