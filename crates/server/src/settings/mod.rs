//! System settings (`system_settings`): typed values with defaults, per port or
//! for the whole installation.
//!
//! Code reads a setting as its type: `settings::get::<FollowUpDefaults>(conn,
//! Some(port_id))`. A port's own value wins, then the installation's, then the
//! type's `Default` — so a setting works before anyone has saved it, and a
//! stored value that no longer fits its type falls back instead of breaking the
//! rule that reads it. Writes go through [`Setting::parse`], which checks the
//! shape and the sense of a value before it is stored.

mod api;
mod berth_rules;
pub mod page;

pub use api::routes;

use crate::http::Result;
use crate::http::checked::{from_value, problems};
use domain::settings::{
    BerthStatusRules, ContactDefaults, CurrencyDisplay, EoiReminderSettings, FollowUpDefaults,
    Problem,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// Where a setting applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One value for the whole installation (`port_id` NULL).
    Global,
    /// A value per port, falling back to the installation's.
    Port,
}

/// A setting: its key, its scope, its default (`Default`) and its checks.
pub trait Setting: Serialize + DeserializeOwned + Default {
    const KEY: &'static str;
    const SCOPE: Scope;

    /// What is wrong with a well-formed value, field by field.
    fn problems(&self) -> Vec<Problem>;

    /// A value from a request: the wrong shape or sense answers 422 naming the field.
    fn parse(value: Value) -> Result<Self> {
        let setting: Self = from_value(value)?;
        problems(setting.problems())?;
        Ok(setting)
    }
}

impl Setting for BerthStatusRules {
    const KEY: &'static str = "berth_status_rules";
    const SCOPE: Scope = Scope::Port;
    fn problems(&self) -> Vec<Problem> {
        BerthStatusRules::problems(self)
    }
}

impl Setting for FollowUpDefaults {
    const KEY: &'static str = "follow_up_defaults";
    const SCOPE: Scope = Scope::Port;
    fn problems(&self) -> Vec<Problem> {
        FollowUpDefaults::problems(self)
    }
}

impl Setting for EoiReminderSettings {
    const KEY: &'static str = "eoi_reminder_settings";
    const SCOPE: Scope = Scope::Port;
    fn problems(&self) -> Vec<Problem> {
        EoiReminderSettings::problems(self)
    }
}

impl Setting for ContactDefaults {
    const KEY: &'static str = "contact_defaults";
    const SCOPE: Scope = Scope::Port;
    fn problems(&self) -> Vec<Problem> {
        ContactDefaults::problems(self)
    }
}

impl Setting for CurrencyDisplay {
    const KEY: &'static str = "currency_display";
    const SCOPE: Scope = Scope::Global;
    fn problems(&self) -> Vec<Problem> {
        CurrencyDisplay::problems(self)
    }
}

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Port,
    Global,
    Default,
}

/// The stored value for `key` that applies at `port_id` (the port's own row
/// before the global one), with where it came from.
async fn stored(
    conn: &mut PgConnection,
    key: &str,
    port_id: Option<Uuid>,
) -> Result<Option<(Value, Source)>> {
    let row = sqlx::query!(
        "SELECT value, port_id FROM system_settings
         WHERE key = $1 AND (port_id IS NULL OR port_id = $2)
         ORDER BY port_id NULLS LAST LIMIT 1",
        key,
        port_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        let source = if r.port_id.is_some() {
            Source::Port
        } else {
            Source::Global
        };
        (r.value, source)
    }))
}

/// The setting `T` in force at `port_id` (`None`: the installation's), with
/// its source. Read inside the port's transaction: row-level security shows
/// the global row and this port's row only.
pub async fn get_with_source<T: Setting>(
    conn: &mut PgConnection,
    port_id: Option<Uuid>,
) -> Result<(T, Source)> {
    let port_id = match T::SCOPE {
        Scope::Global => None,
        Scope::Port => port_id,
    };
    if let Some((value, source)) = stored(conn, T::KEY, port_id).await? {
        match serde_json::from_value::<T>(value) {
            Ok(v) => return Ok((v, source)),
            Err(e) => {
                tracing::warn!(key = T::KEY, error = %e, "a stored setting no longer fits its type; using the default")
            }
        }
    }
    Ok((T::default(), Source::Default))
}

/// The setting `T` in force at `port_id`.
pub async fn get<T: Setting>(conn: &mut PgConnection, port_id: Option<Uuid>) -> Result<T> {
    Ok(get_with_source::<T>(conn, port_id).await?.0)
}

/// One setting as the API and the pages handle it without knowing its type.
pub struct Entry {
    pub key: &'static str,
    pub scope: Scope,
    /// Checks a value and returns it as it will be stored (defaults filled in).
    pub parse: fn(Value) -> Result<Value>,
    pub default: fn() -> Value,
}

fn entry<T: Setting>() -> Entry {
    Entry {
        key: T::KEY,
        scope: T::SCOPE,
        parse: |v| Ok(serde_json::to_value(T::parse(v)?).expect("a setting serializes")),
        default: || serde_json::to_value(T::default()).expect("a setting serializes"),
    }
}

/// Every setting, in the order the API lists them.
pub fn catalogue() -> [Entry; 5] {
    [
        entry::<BerthStatusRules>(),
        entry::<FollowUpDefaults>(),
        entry::<EoiReminderSettings>(),
        entry::<ContactDefaults>(),
        entry::<CurrencyDisplay>(),
    ]
}

pub fn find(key: &str) -> Option<Entry> {
    catalogue().into_iter().find(|e| e.key == key)
}

/// The value of `entry` in force at `port_id`, as JSON, with its source. A
/// stored value that no longer parses counts as absent, as in [`get`].
pub async fn current(
    conn: &mut PgConnection,
    entry: &Entry,
    port_id: Uuid,
) -> Result<(Value, Source)> {
    let port_id = (entry.scope == Scope::Port).then_some(port_id);
    if let Some((value, source)) = stored(conn, entry.key, port_id).await?
        && (entry.parse)(value.clone()).is_ok()
    {
        return Ok((value, source));
    }
    Ok(((entry.default)(), Source::Default))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_unique_and_defaults_parse() {
        let all = catalogue();
        for (i, e) in all.iter().enumerate() {
            assert!(all[..i].iter().all(|o| o.key != e.key), "{}", e.key);
            assert!((e.parse)((e.default)()).is_ok(), "{}", e.key);
        }
        assert_eq!(find("currency_display").unwrap().scope, Scope::Global);
        assert!(find("nope").is_none());
    }

    #[test]
    fn parsing_names_the_field() {
        let field = |key: &str, v: Value| match (find(key).unwrap().parse)(v) {
            Err(crate::http::Error::Unprocessable(e)) => e.keys().cloned().collect::<Vec<_>>(),
            other => panic!("{:?}", other.map(|_| ())),
        };
        assert_eq!(
            field("follow_up_defaults", json!({"reminder_days": "seven"})),
            ["reminder_days"]
        );
        assert_eq!(
            field(
                "follow_up_defaults",
                json!({"send_window": {"start": "9", "end": "17:00"}})
            ),
            ["send_window.start"]
        );
        assert_eq!(
            field(
                "berth_status_rules",
                json!([{"trigger": "eoi_sent", "mode": "sometimes", "target_status": "sold"}])
            ),
            ["[0].mode"]
        );
        // Fields left out take their defaults.
        let v =
            (find("eoi_reminder_settings").unwrap().parse)(json!({"max_reminders": 5})).unwrap();
        assert_eq!(v["interval_days"], 3);
    }
}
