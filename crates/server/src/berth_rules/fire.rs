//! One trigger on one berth: read the port's rules, decide, and apply the
//! status or store the suggestion (notifying those who may decide it).

use super::{KIND, trigger_label, trigger_name};
use crate::audit::{self, Action, Actor, Entry};
use crate::berths::status::{self, Changed};
use crate::http::{Error, Result};
use crate::notifications::{self, Kind, Notice, Recipients};
use domain::berth_rules::{Decision, decide, still_open};
use domain::settings::{BerthStatus, BerthStatusRules, Trigger};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

/// What a trigger did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Nothing,
    Changed(Changed),
    /// A new pending suggestion; `None` when the same one was already waiting.
    Suggested(Option<Uuid>),
}

/// Fires `trigger` on `berth_id` (of the transaction's port, `port_id`),
/// set off by `interest_id`. The berth row is locked first, so two changes
/// of interests on one berth are decided one after the other.
pub async fn fire(
    conn: &mut PgConnection,
    port_id: Uuid,
    berth_id: Uuid,
    interest_id: Option<Uuid>,
    trigger: Trigger,
) -> Result<Outcome> {
    let current = locked_status(conn, berth_id).await?;
    let rules = crate::settings::get::<BerthStatusRules>(&mut *conn, Some(port_id)).await?;
    match decide(&rules, trigger, current) {
        Decision::Nothing => Ok(Outcome::Nothing),
        Decision::Apply(to) => {
            let reason = status::rule_reason(trigger);
            match status::change(conn, &Actor::system(), berth_id, to, &reason).await? {
                Some(changed) => {
                    close_outrun(conn, &Actor::system(), port_id, &changed, None).await?;
                    Ok(Outcome::Changed(changed))
                }
                None => Ok(Outcome::Nothing),
            }
        }
        Decision::Suggest(to) => {
            let id = suggest(conn, port_id, berth_id, interest_id, trigger, to).await?;
            Ok(Outcome::Suggested(id))
        }
    }
}

/// The berth's status, its row locked for the rest of the transaction.
pub(super) async fn locked_status(conn: &mut PgConnection, berth_id: Uuid) -> Result<BerthStatus> {
    let status = sqlx::query_scalar!(
        "SELECT status FROM berths WHERE id = $1 AND port_id = app_port_id() FOR UPDATE",
        berth_id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound)?;
    status.parse().map_err(|e: String| {
        Error::Internal(anyhow::anyhow!("berth {berth_id} has status {status}: {e}"))
    })
}

/// Stores a pending suggestion unless the same one (berth and target) is
/// already waiting, audits it and tells those holding `berths.change_status`.
async fn suggest(
    conn: &mut PgConnection,
    port_id: Uuid,
    berth_id: Uuid,
    interest_id: Option<Uuid>,
    trigger: Trigger,
    to: BerthStatus,
) -> Result<Option<Uuid>> {
    let name = trigger_name(trigger);
    let id = sqlx::query_scalar!(
        "INSERT INTO berth_status_suggestions (port_id, berth_id, interest_id, trigger, target_status)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (berth_id, target_status) WHERE status = 'pending' DO NOTHING
         RETURNING id",
        port_id,
        berth_id,
        interest_id,
        name,
        to.as_str()
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else {
        return Ok(None);
    };
    let mut entry = Entry::new(Some(port_id), Action::Create, KIND, Some(id));
    entry.new = Some(json!({"trigger": name, "target_status": to.as_str(), "status": "pending"}));
    entry.metadata = json!({"berth_id": berth_id, "interest_id": interest_id});
    audit::record(&mut *conn, &Actor::system(), entry).await?;

    let about = sqlx::query!(
        r#"SELECT p.slug, b.mooring_number, c.full_name AS "client_name?"
           FROM berths b JOIN ports p ON p.id = b.port_id
           LEFT JOIN interests i ON i.id = $2
           LEFT JOIN clients c ON c.id = i.client_id
           WHERE b.id = $1"#,
        berth_id,
        interest_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let mut description = format!("{}.", trigger_label(trigger));
    if let Some(client) = about.client_name {
        description = format!("{description} Interest of {client}.");
    }
    notifications::notify(
        conn,
        port_id,
        Recipients::WithPermission("berths.change_status"),
        Notice::new(
            Kind::SystemAlert,
            format!(
                "Berth {}: suggested status {}",
                about.mooring_number,
                to.label()
            ),
        )
        .description(description)
        .link(format!("/ports/{}/berths/{berth_id}", about.slug))
        .entity("berth", berth_id),
    )
    .await?;
    Ok(Some(id))
}

/// Closes the berth's pending suggestions a status change made pointless
/// (see `domain::berth_rules::still_open`), except `keep` (the one being
/// accepted); each closed one is dismissed by the system, audited.
pub(super) async fn close_outrun(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    changed: &Changed,
    keep: Option<Uuid>,
) -> Result<()> {
    let pending = sqlx::query!(
        "SELECT id, target_status FROM berth_status_suggestions
         WHERE berth_id = $1 AND status = 'pending' AND id IS DISTINCT FROM $2
         FOR UPDATE",
        changed.berth_id,
        keep
    )
    .fetch_all(&mut *conn)
    .await?;
    for s in pending {
        let open = s
            .target_status
            .parse::<BerthStatus>()
            .is_ok_and(|target| still_open(changed.from, changed.to, target));
        if open {
            continue;
        }
        sqlx::query!(
            "UPDATE berth_status_suggestions SET status = 'dismissed', decided_by = $2, decided_at = now()
             WHERE id = $1",
            s.id,
            status::SYSTEM
        )
        .execute(&mut *conn)
        .await?;
        let mut entry = Entry::new(Some(port_id), Action::Update, KIND, Some(s.id));
        entry.field = Some("status");
        entry.old = Some(json!("pending"));
        entry.new = Some(json!("dismissed"));
        entry.metadata = json!({
            "berth_id": changed.berth_id,
            "reason": format!("the berth became {}", changed.to.as_str()),
        });
        audit::record(&mut *conn, actor, entry).await?;
    }
    Ok(())
}
