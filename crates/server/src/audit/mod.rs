//! The audit log: who changed what, when, from where.
//!
//! Every mutation calls one helper of this module inside its own transaction,
//! so the entry exists exactly when the change does. An update writes one row
//! per changed field with the old and new values as JSON.
//!
//! Reading it back: `list` (the API and the page's filters), `revert` (undo
//! one field change), `timeline` (an entity's history for detail pages),
//! `page` (the audit page), `kinds` (which entity types exist and which of
//! them can be reverted).

pub mod kinds;
pub mod list;
mod page;
pub mod present;
pub mod revert;
pub mod timeline;

pub use timeline::{Timeline, TimelineItem, timeline};

use crate::access::{Access, Routes};
use crate::auth::session::Origin;
use serde_json::{Map, Value};
use sqlx::PgConnection;
use uuid::Uuid;

/// The audit log's API and page, each with its permission.
pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/api/v1/ports/{port}/audit-logs",
            Access::Port("audit.view"),
            list::index,
        )
        .post(
            "/api/v1/ports/{port}/audit-logs/{id}/revert",
            Access::Port("audit.revert"),
            revert::api,
        )
        .get(
            "/ports/{port}/audit",
            Access::Port("audit.view"),
            page::show,
        )
        .post(
            "/ports/{port}/audit/{id}/revert",
            Access::Port("audit.revert"),
            page::revert,
        )
}

/// Who acted: a user from an address, or the system (a rule, a job).
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<String>,
    pub origin: Origin,
}

impl Actor {
    pub fn system() -> Actor {
        Actor::default()
    }

    pub fn user(user_id: &str, origin: &Origin) -> Actor {
        Actor {
            user_id: Some(user_id.to_owned()),
            origin: origin.clone(),
        }
    }
}

impl From<&crate::auth::CurrentUser> for Actor {
    fn from(user: &crate::auth::CurrentUser) -> Actor {
        Actor::user(&user.id, &user.origin)
    }
}

impl From<&crate::access::PortCtx> for Actor {
    fn from(ctx: &crate::access::PortCtx) -> Actor {
        Actor::from(&ctx.user)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
    Archive,
    Restore,
    Merge,
    Login,
    Logout,
    Revert,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::Archive,
        Action::Restore,
        Action::Merge,
        Action::Login,
        Action::Logout,
        Action::Revert,
    ];

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// As a filter offers it: "Update".
    pub fn label(self) -> &'static str {
        match self {
            Action::Create => "Create",
            Action::Update => "Update",
            Action::Delete => "Delete",
            Action::Archive => "Archive",
            Action::Restore => "Restore",
            Action::Merge => "Merge",
            Action::Login => "Sign-in",
            Action::Logout => "Sign-out",
            Action::Revert => "Revert",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Archive => "archive",
            Action::Restore => "restore",
            Action::Merge => "merge",
            Action::Login => "login",
            Action::Logout => "logout",
            Action::Revert => "revert",
        }
    }
}

/// One audit row.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub port_id: Option<Uuid>,
    pub action: Action,
    pub entity_type: &'a str,
    pub entity_id: Option<Uuid>,
    pub field: Option<&'a str>,
    pub old: Option<Value>,
    pub new: Option<Value>,
    pub metadata: Value,
    pub revert_of: Option<Uuid>,
}

impl<'a> Entry<'a> {
    pub fn new(
        port_id: Option<Uuid>,
        action: Action,
        entity_type: &'a str,
        entity_id: Option<Uuid>,
    ) -> Entry<'a> {
        Entry {
            port_id,
            action,
            entity_type,
            entity_id,
            field: None,
            old: None,
            new: None,
            metadata: Value::Object(Map::new()),
            revert_of: None,
        }
    }
}

/// Writes one entry with the caller's connection (its transaction).
pub async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    entry: Entry<'_>,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO audit_logs (port_id, user_id, action, entity_type, entity_id, field_changed, old_value, new_value,
                                 ip_address, user_agent, metadata, revert_of)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        entry.port_id,
        actor.user_id,
        entry.action.as_str(),
        entry.entity_type,
        entry.entity_id,
        entry.field,
        entry.old,
        entry.new,
        actor.origin.ip,
        actor.origin.user_agent,
        entry.metadata,
        entry.revert_of,
    )
    .fetch_one(conn)
    .await
}

/// Records an update as one row per field whose value changed between `old`
/// and `new` (JSON objects of the record before and after). Returns how many.
pub async fn record_update(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Option<Uuid>,
    entity_type: &str,
    entity_id: Uuid,
    old: &Value,
    new: &Value,
) -> Result<usize, sqlx::Error> {
    let changes = diff(old, new);
    for (field, before, after) in &changes {
        let mut entry = Entry::new(port_id, Action::Update, entity_type, Some(entity_id));
        entry.field = Some(field);
        entry.old = Some(before.clone());
        entry.new = Some(after.clone());
        record(conn, actor, entry).await?;
    }
    Ok(changes.len())
}

/// Fields that are bookkeeping, not content: never audited as changes.
const IGNORED: [&str; 3] = ["updated_at", "created_at", "id"];

/// The fields that differ between two JSON objects, with old and new values
/// (`null` for a field missing on one side).
pub fn diff(old: &Value, new: &Value) -> Vec<(String, Value, Value)> {
    let empty = Map::new();
    let (o, n) = (
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
    );
    let mut keys: Vec<&String> = o.keys().chain(n.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !IGNORED.contains(&k.as_str()))
        .filter_map(|k| {
            let (a, b) = (
                o.get(k).unwrap_or(&Value::Null),
                n.get(k).unwrap_or(&Value::Null),
            );
            (a != b).then(|| (k.clone(), a.clone(), b.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn diff_lists_only_changed_fields() {
        let old = json!({"full_name": "Ann", "nationality": "British", "updated_at": "x", "yacht_name": null});
        let new = json!({"full_name": "Anne", "nationality": "British", "updated_at": "y", "yacht_name": "Aurora"});
        let d = super::diff(&old, &new);
        assert_eq!(
            d,
            vec![
                ("full_name".into(), json!("Ann"), json!("Anne")),
                ("yacht_name".into(), json!(null), json!("Aurora")),
            ]
        );
    }
}
