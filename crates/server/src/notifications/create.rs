//! The one call that notifies: [`notify`].

use super::Kind;
use super::email::NotificationMail;
use super::hub::CHANNEL;
use crate::jobs::{NewJob, enqueue};
use domain::permissions::{self, Grants};
use sqlx::PgConnection;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Who at the port is told.
#[derive(Debug, Clone)]
pub enum Recipients {
    /// These users; those who cannot open the port (no role there, not a super
    /// admin) or are deactivated are left out.
    Users(Vec<String>),
    /// Every active member of the port whose effective permissions there
    /// include this key (a member who is a super admin holds every key).
    WithPermission(&'static str),
}

/// What happened, as the recipients will read it.
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: Kind,
    pub title: String,
    pub description: Option<String>,
    /// A path of ours (`/ports/north/clients/…`) to the record concerned.
    pub link: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
}

impl Notice {
    pub fn new(kind: Kind, title: impl Into<String>) -> Notice {
        Notice {
            kind,
            title: title.into(),
            description: None,
            link: None,
            entity_type: None,
            entity_id: None,
        }
    }

    pub fn description(mut self, text: impl Into<String>) -> Notice {
        self.description = Some(text.into());
        self
    }

    pub fn link(mut self, path: impl Into<String>) -> Notice {
        self.link = Some(path.into());
        self
    }

    pub fn entity(mut self, entity_type: &str, id: Uuid) -> Notice {
        self.entity_type = Some(entity_type.to_owned());
        self.entity_id = Some(id);
        self
    }
}

/// Notifies `recipients` at `port_id` of `notice`, each as their preferences
/// for its kind at that port say (in-app and e-mail are both on until the user
/// turns one off): an in-app row in `notifications`, a queued e-mail, or both.
///
/// `conn` is the caller's transaction acting for `port_id` (a `PortTx`), so the
/// rows, the mail jobs and the live signal (`pg_notify`, delivered by
/// PostgreSQL only on commit) all exist exactly when the change that caused
/// them commits. Returns the ids of the in-app notifications created.
pub async fn notify(
    conn: &mut PgConnection,
    port_id: Uuid,
    recipients: Recipients,
    notice: Notice,
) -> Result<Vec<Uuid>, sqlx::Error> {
    let candidates = match recipients {
        Recipients::Users(ids) => ids,
        Recipients::WithPermission(key) => holders(conn, port_id, key).await?,
    };
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let kind = notice.kind.as_str();
    // Preferences are port-scoped (row-level security): read in the port's transaction.
    let targets = sqlx::query!(
        r#"SELECT u.id, u.email AS "email: String",
                  coalesce(pref.in_app, true) AS "in_app!", coalesce(pref.email, true) AS "by_email!"
           FROM users u
           JOIN user_profiles up ON up.user_id = u.id AND up.is_active
           LEFT JOIN user_notification_preferences pref
                  ON pref.user_id = u.id AND pref.port_id = $2 AND pref.notification_type = $3
           WHERE u.id = ANY($1)
             AND (up.is_super_admin
                  OR EXISTS (SELECT 1 FROM user_port_roles r WHERE r.user_id = u.id AND r.port_id = $2))
           ORDER BY u.id"#,
        &candidates,
        port_id,
        kind
    )
    .fetch_all(&mut *conn)
    .await?;

    let (in_app, emailed): (Vec<_>, Vec<_>) = (
        targets.iter().filter(|t| t.in_app).collect(),
        targets.iter().filter(|t| t.by_email).collect(),
    );

    let created = if in_app.is_empty() {
        Vec::new()
    } else {
        let users: Vec<String> = in_app.iter().map(|t| t.id.clone()).collect();
        let email_sent: Vec<bool> = in_app.iter().map(|t| t.by_email).collect();
        sqlx::query!(
            "INSERT INTO notifications (port_id, user_id, type, title, description, link, entity_type, entity_id, email_sent)
             SELECT $1, t.user_id, $4, $5, $6, $7, $8, $9, t.email_sent
             FROM unnest($2::text[], $3::bool[]) AS t(user_id, email_sent)
             RETURNING id, user_id",
            port_id,
            &users,
            &email_sent,
            kind,
            notice.title,
            notice.description,
            notice.link,
            notice.entity_type,
            notice.entity_id,
        )
        .fetch_all(&mut *conn)
        .await?
    };

    if !emailed.is_empty() {
        let port_name = sqlx::query_scalar!("SELECT name FROM ports WHERE id = $1", port_id)
            .fetch_one(&mut *conn)
            .await?;
        for target in emailed {
            let mail = NotificationMail {
                to: target.email.clone(),
                port_name: port_name.clone(),
                kind: notice.kind,
                title: notice.title.clone(),
                description: notice.description.clone(),
                link: notice.link.clone(),
            };
            enqueue(
                &mut *conn,
                NewJob::of(&mail).for_port(port_id).max_attempts(8),
            )
            .await?;
        }
    }

    if !created.is_empty() {
        // Ids only: the payload limit is 8000 bytes, and a listener reads the
        // row itself, under row-level security, for the user it serves.
        let payloads: Vec<String> = created
            .iter()
            .map(|row| {
                serde_json::json!({"user_id": row.user_id, "id": row.id, "port_id": port_id})
                    .to_string()
            })
            .collect();
        sqlx::query!(
            "SELECT pg_notify($1, p)::text AS sent FROM unnest($2::text[]) AS p",
            CHANNEL,
            &payloads
        )
        .fetch_all(&mut *conn)
        .await?;
    }
    Ok(created.into_iter().map(|row| row.id).collect())
}

/// The active members of `port_id` holding `key` there.
async fn holders(
    conn: &mut PgConnection,
    port_id: Uuid,
    key: &str,
) -> Result<Vec<String>, sqlx::Error> {
    debug_assert!(permissions::is_known(key), "`{key}` is not a permission");
    let rows = sqlx::query!(
        r#"SELECT upr.user_id, up.is_super_admin, r.permissions,
                  o.permission_overrides AS "overrides?"
           FROM user_port_roles upr
           JOIN user_profiles up ON up.user_id = upr.user_id AND up.is_active
           JOIN roles r ON r.id = upr.role_id
           LEFT JOIN port_role_overrides o ON o.role_id = r.id AND o.port_id = upr.port_id
           WHERE upr.port_id = $1"#,
        port_id
    )
    .fetch_all(&mut *conn)
    .await?;
    type Roles = Vec<(Grants, Option<Grants>)>;
    let mut members: BTreeMap<String, (bool, Roles)> = BTreeMap::new();
    for row in rows {
        let grants: Grants = serde_json::from_value(row.permissions).unwrap_or_default();
        let overrides: Option<Grants> = row.overrides.and_then(|o| serde_json::from_value(o).ok());
        let entry = members.entry(row.user_id).or_default();
        entry.0 |= row.is_super_admin;
        entry.1.push((grants, overrides));
    }
    Ok(members
        .into_iter()
        .filter(|(_, (super_admin, roles))| {
            *super_admin
                || permissions::effective(roles.iter().map(|(g, o)| (g, o.as_ref()))).contains(key)
        })
        .map(|(user_id, _)| user_id)
        .collect())
}
