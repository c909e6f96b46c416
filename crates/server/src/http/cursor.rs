//! Keyset pages for lists: `?limit=` (default 50, at most 200) and `?cursor=`,
//! answered as `{"data": [...], "next_cursor": "…" | null}`.
//!
//! A cursor is the sort key of the last row shown, as URL-safe base64 JSON;
//! the next page starts strictly after it, so rows inserted meanwhile neither
//! repeat nor vanish the way they would with OFFSET.

use super::error::Error;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The page size asked for; out of range answers 422 naming `limit`.
    pub fn limit(&self) -> Result<i64, Error> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(Error::invalid(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            )),
        }
    }

    /// The sort key to continue after; a cursor that is not ours answers 422.
    pub fn after<K: DeserializeOwned>(&self) -> Result<Option<K>, Error> {
        after(self.cursor.as_deref())
    }
}

/// `?cursor=` read on its own (a page whose query has more than paging in
/// it): absent or empty means the first page; one that is not ours answers 422
/// naming `cursor`.
pub fn after<K: DeserializeOwned>(cursor: Option<&str>) -> Result<Option<K>, Error> {
    let Some(raw) = cursor.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .map(Some)
        .ok_or_else(|| Error::invalid("cursor", "is not a cursor this list gave out"))
}

/// One page of a list.
#[derive(Debug, Serialize)]
pub struct List<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    /// A list that is never long enough to page (a user's ports, the roles).
    pub fn whole(data: Vec<T>) -> List<T> {
        List {
            data,
            next_cursor: None,
        }
    }

    /// `rows` fetched with `LIMIT limit + 1`: the extra row only tells that
    /// another page exists, and `key` gives the cursor of the last row kept.
    pub fn page<K: Serialize>(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> K) -> List<T> {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next_cursor = if more {
            rows.last().map(|last| cursor_of(&key(last)))
        } else {
            None
        };
        List {
            data: rows,
            next_cursor,
        }
    }
}

pub fn cursor_of<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).expect("a sort key serializes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_keeps_limit_rows_and_points_past_the_last() {
        let list = List::page(vec![1, 2, 3], 2, |n| (*n, "x"));
        assert_eq!(list.data, [1, 2]);
        let q = PageQuery {
            limit: None,
            cursor: list.next_cursor,
        };
        assert_eq!(q.after::<(i32, String)>().unwrap(), Some((2, "x".into())));
        assert!(List::page(vec![1, 2], 2, |n| *n).next_cursor.is_none());
    }

    #[test]
    fn limits_and_cursors_are_checked() {
        let q = |limit, cursor: Option<&str>| PageQuery {
            limit,
            cursor: cursor.map(str::to_owned),
        };
        assert_eq!(q(None, None).limit().unwrap(), 50);
        assert!(q(Some(0), None).limit().is_err() && q(Some(201), None).limit().is_err());
        assert!(q(None, Some("%%%")).after::<(i32,)>().is_err());
        assert_eq!(q(None, Some("")).after::<(i32,)>().unwrap(), None);
        assert!(after::<(i32,)>(Some("MTIz")).is_err());
    }

    #[test]
    fn a_time_and_id_key_round_trips_to_the_microsecond() {
        // PostgreSQL keeps microseconds; a rounded time would skip or repeat
        // rows written within the same second.
        use chrono::{DateTime, Utc};
        use uuid::Uuid;
        let key = (
            DateTime::from_timestamp_micros(1_735_689_600_123_456).unwrap(),
            Uuid::new_v4(),
        );
        let list = List::page(vec![key, key], 1, |k| *k);
        let back = after::<(DateTime<Utc>, Uuid)>(list.next_cursor.as_deref()).unwrap();
        assert_eq!(back, Some(key));
    }
}
