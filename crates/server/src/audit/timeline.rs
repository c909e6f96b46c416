//! An entity's history as sentences: "Dana Director changed Nationality from
//! British to French · 3 days ago".
//!
//! Detail pages call [`timeline`] in their port transaction, turn the items
//! into a [`Timeline`] with [`Timeline::new`], keep it in a field named
//! `timeline` and `{% include "audit/timeline.html" %}`.

use super::Action;
use super::kinds;
use super::present::{Shown, When};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// One audit entry of an entity, with its actor's name.
#[derive(Debug, Clone)]
pub struct TimelineItem {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub field_changed: Option<String>,
    pub old_value: Option<Value>,
    pub new_value: Option<Value>,
    pub reverted_at: Option<DateTime<Utc>>,
    pub revert_of: Option<Uuid>,
}

/// The latest `limit` entries about one entity, newest first. Only rows of
/// the transaction's port are read: the query asks for them by
/// `app_port_id()` itself, so outside a port transaction it finds nothing.
pub async fn timeline(
    conn: &mut PgConnection,
    entity_type: &str,
    entity_id: Uuid,
    limit: i64,
) -> Result<Vec<TimelineItem>, sqlx::Error> {
    sqlx::query_as!(
        TimelineItem,
        r#"SELECT a.id, a.created_at, a.user_id, COALESCE(p.display_name, u.name) AS user_name,
                  a.action, a.entity_type, a.field_changed, a.old_value, a.new_value,
                  a.reverted_at, a.revert_of
           FROM audit_logs a
           LEFT JOIN users u ON u.id = a.user_id
           LEFT JOIN user_profiles p ON p.user_id = a.user_id
           WHERE a.port_id = app_port_id() AND a.entity_type = $1 AND a.entity_id = $2
           ORDER BY a.created_at DESC, a.id DESC
           LIMIT $3"#,
        entity_type,
        entity_id,
        limit
    )
    .fetch_all(conn)
    .await
}

/// A piece of a sentence, so the template can set names and values apart.
/// A struct rather than an enum: templates including the partial need not
/// import anything to tell the pieces apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    /// A field's name.
    pub is_field: bool,
    /// A value; `full` holds it uncut, `empty` marks "empty".
    pub is_value: bool,
    pub full: String,
    pub empty: bool,
}

impl Piece {
    fn text(s: impl Into<String>) -> Piece {
        Piece {
            text: s.into(),
            is_field: false,
            is_value: false,
            full: String::new(),
            empty: false,
        }
    }

    fn field(name: String) -> Piece {
        Piece {
            is_field: true,
            ..Piece::text(name)
        }
    }

    fn value(v: Shown) -> Piece {
        Piece {
            text: v.text,
            is_field: false,
            is_value: true,
            full: v.full,
            empty: v.empty,
        }
    }
}

/// One line of the timeline.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub id: Uuid,
    pub actor: String,
    /// Done by a rule or a job rather than a person.
    pub by_system: bool,
    /// What the actor did, after their name.
    pub pieces: Vec<Piece>,
    pub when: When,
    pub action: String,
    /// This change was undone later.
    pub reverted: bool,
}

impl TimelineEntry {
    pub fn of(item: &TimelineItem, now: DateTime<Utc>, tz: Tz) -> TimelineEntry {
        TimelineEntry {
            id: item.id,
            actor: item.user_name.clone().unwrap_or_else(|| {
                if item.user_id.is_some() {
                    "A former user"
                } else {
                    "System"
                }
                .to_owned()
            }),
            by_system: item.user_id.is_none(),
            pieces: pieces(item),
            when: When::of(item.created_at, now, tz),
            action: item.action.clone(),
            reverted: item.reverted_at.is_some(),
        }
    }

    /// The line as plain text: "Dana Director changed Nationality from British to French".
    pub fn sentence(&self) -> String {
        let mut s = self.actor.clone();
        for piece in &self.pieces {
            s.push(' ');
            s.push_str(&piece.text);
        }
        s
    }
}

fn text(s: impl Into<String>) -> Piece {
    Piece::text(s)
}

/// What happened, in words, after the actor's name.
pub fn pieces(item: &TimelineItem) -> Vec<Piece> {
    let kind = kinds::label(&item.entity_type).to_lowercase();
    let this = format!("this {kind}");
    let field = item.field_changed.as_deref().map(kinds::humanize);
    let old = Shown::of(item.old_value.as_ref());
    let new = Shown::of(item.new_value.as_ref());
    let Some(action) = Action::parse(&item.action) else {
        return vec![text(format!("recorded “{}” on {this}", item.action))];
    };
    match (action, field) {
        (Action::Update, Some(f)) if old.empty => {
            vec![text("set"), Piece::field(f), text("to"), Piece::value(new)]
        }
        (Action::Update, Some(f)) if new.empty => vec![
            text("cleared"),
            Piece::field(f),
            text("— it was"),
            Piece::value(old),
        ],
        (Action::Update, Some(f)) => vec![
            text("changed"),
            Piece::field(f),
            text("from"),
            Piece::value(old),
            text("to"),
            Piece::value(new),
        ],
        (Action::Revert, Some(f)) => vec![
            text("reverted"),
            Piece::field(f),
            text("to"),
            Piece::value(new),
        ],
        (Action::Update, None) => vec![text(format!("updated {this}"))],
        (Action::Revert, None) => vec![text(format!("reverted a change to {this}"))],
        (Action::Create, _) => vec![text(format!("created {this}"))],
        (Action::Delete, _) => vec![text(format!("deleted {this}"))],
        (Action::Archive, _) => vec![text(format!("archived {this}"))],
        (Action::Restore, _) => vec![text(format!("restored {this}"))],
        (Action::Merge, _) => vec![text(format!("merged another record into {this}"))],
        (Action::Login, _) => vec![text("signed in")],
        (Action::Logout, _) => vec![text("signed out")],
    }
}

/// The partial's context.
#[derive(Debug, Clone)]
pub struct Timeline {
    pub entries: Vec<TimelineEntry>,
}

impl Timeline {
    pub fn new(items: &[TimelineItem], now: DateTime<Utc>, tz: Tz) -> Timeline {
        Timeline {
            entries: items
                .iter()
                .map(|i| TimelineEntry::of(i, now, tz))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(action: &str, field: Option<&str>, old: Value, new: Value) -> TimelineItem {
        TimelineItem {
            id: Uuid::nil(),
            created_at: Utc::now() - chrono::Duration::days(3),
            user_id: Some("u1".into()),
            user_name: Some("Dana Director".into()),
            action: action.into(),
            entity_type: "client".into(),
            field_changed: field.map(Into::into),
            old_value: Some(old),
            new_value: Some(new),
            reverted_at: None,
            revert_of: None,
        }
    }

    fn line(i: &TimelineItem) -> String {
        TimelineEntry::of(i, Utc::now(), Tz::UTC).sentence()
    }

    #[test]
    fn changes_read_as_sentences() {
        let cases = [
            (
                item(
                    "update",
                    Some("nationality"),
                    json!("British"),
                    json!("French"),
                ),
                "Dana Director changed Nationality from British to French",
            ),
            (
                item("update", Some("yacht_name"), json!(null), json!("Aurora")),
                "Dana Director set Yacht name to Aurora",
            ),
            (
                item("update", Some("yacht_name"), json!("Aurora"), json!("")),
                "Dana Director cleared Yacht name — it was Aurora",
            ),
            (
                item(
                    "revert",
                    Some("nationality"),
                    json!("French"),
                    json!("British"),
                ),
                "Dana Director reverted Nationality to British",
            ),
            (
                item("create", None, json!(null), json!(null)),
                "Dana Director created this client",
            ),
            (
                item("archive", None, json!(null), json!(null)),
                "Dana Director archived this client",
            ),
        ];
        for (i, want) in cases {
            assert_eq!(line(&i), want);
        }
        let entry = TimelineEntry::of(&cases_first(), Utc::now(), Tz::UTC);
        assert_eq!(entry.when.ago, "3 days ago");
    }

    fn cases_first() -> TimelineItem {
        item(
            "update",
            Some("nationality"),
            json!("British"),
            json!("French"),
        )
    }

    #[test]
    fn the_system_and_departed_users_are_named() {
        let mut i = cases_first();
        i.user_name = None;
        assert!(line(&i).starts_with("A former user changed"));
        i.user_id = None;
        assert!(line(&i).starts_with("System changed"));
    }
}
