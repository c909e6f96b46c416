//! The one way a berth's status changes.
//!
//! A manual change (`POST …/berths/{id}/status`), an automatic rule and an
//! accepted suggestion all call [`change`], so every change locks the row,
//! records who and why in the berth's own columns and writes its audit entry
//! in the caller's transaction, the same way whatever caused it.

use crate::audit::{self, Action, Actor, Entry};
use crate::http::{Error, Result};
use domain::settings::BerthStatus;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

/// What `status_last_changed_by` holds when no user acted (a rule, a job).
pub const SYSTEM: &str = "system";

/// `status_last_changed_reason` of a change made by hand.
pub const MANUAL: &str = "manual";

/// `status_last_changed_reason` of a change made by a rule: `rule:<trigger>`.
pub fn rule_reason(trigger: domain::settings::Trigger) -> String {
    format!("rule:{}", crate::berth_rules::trigger_name(trigger))
}

/// A status change that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub berth_id: Uuid,
    pub mooring_number: String,
    pub from: BerthStatus,
    pub to: BerthStatus,
}

/// Moves berth `berth_id` (of the transaction's port) to `to`.
///
/// `reason` is what `status_last_changed_reason` records: `manual`, or
/// `rule:<trigger>` (see [`rule_reason`]). `Ok(None)` when the berth already
/// has that status: nothing is written, nothing audited. A missing berth, or
/// another port's, is 404. The caller commits.
pub async fn change(
    conn: &mut PgConnection,
    actor: &Actor,
    berth_id: Uuid,
    to: BerthStatus,
    reason: &str,
) -> Result<Option<Changed>> {
    change_with_note(conn, actor, berth_id, to, reason, None).await
}

/// [`change`] with the words a person gave for it (a manual change's reason
/// text), kept in the audit entry's metadata as `note`.
pub async fn change_with_note(
    conn: &mut PgConnection,
    actor: &Actor,
    berth_id: Uuid,
    to: BerthStatus,
    reason: &str,
    note: Option<&str>,
) -> Result<Option<Changed>> {
    // The lock makes concurrent changes of one berth apply one after the
    // other, each seeing (and auditing) the status the previous one left.
    let row = sqlx::query!(
        "SELECT port_id, mooring_number, status FROM berths
         WHERE id = $1 AND port_id = app_port_id() FOR UPDATE",
        berth_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound)?;
    let from: BerthStatus = row.status.parse().map_err(|e: String| {
        Error::Internal(anyhow::anyhow!(
            "berth {berth_id} has status {}: {e}",
            row.status
        ))
    })?;
    if from == to {
        return Ok(None);
    }
    let by = actor.user_id.as_deref().unwrap_or(SYSTEM);
    sqlx::query!(
        "UPDATE berths SET status = $2, status_last_changed_by = $3, status_last_changed_reason = $4,
                status_last_modified = now(), updated_at = now()
         WHERE id = $1",
        berth_id,
        to.as_str(),
        by,
        reason,
    )
    .execute(&mut *conn)
    .await?;
    let mut entry = Entry::new(
        Some(row.port_id),
        Action::Update,
        super::KIND,
        Some(berth_id),
    );
    entry.field = Some("status");
    entry.old = Some(json!(from.as_str()));
    entry.new = Some(json!(to.as_str()));
    entry.metadata = json!({
        "reason": reason,
        "note": note,
        "mooring_number": row.mooring_number,
    });
    audit::record(conn, actor, entry).await?;
    if to == BerthStatus::Available {
        crate::waiting_list::notify_available(conn, row.port_id, berth_id).await?;
    }

    let changed = Changed {
        berth_id,
        mooring_number: row.mooring_number,
        from,
        to,
    };
    // What follows a change, in the same transaction, goes here: the waiting
    // list's notice when a berth becomes available (`changed.to ==
    // BerthStatus::Available`) is called from this point, so every path that
    // frees a berth (manual, rule, accepted suggestion) notifies alike.
    Ok(Some(changed))
}

/// `POST …/berths/{id}/status`: a change by hand, with the reason the
/// person gives for it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    pub status: String,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Longest reason text kept.
pub const REASON_MAX: usize = 500;

/// Checks a manual change's body: a known status, and a reason (required,
/// at most [`REASON_MAX`] characters). Problems name their fields.
pub fn check(body: &StatusBody) -> Result<(BerthStatus, String)> {
    let mut problems = Vec::new();
    let status = body
        .status
        .trim()
        .parse::<BerthStatus>()
        .map_err(|e| problems.push(("status".to_owned(), e)))
        .ok();
    let reason = body.reason.as_deref().unwrap_or("").trim().to_owned();
    if reason.is_empty() {
        problems.push((
            "reason".to_owned(),
            "is required: say why the status changes".to_owned(),
        ));
    } else if reason.chars().count() > REASON_MAX {
        problems.push((
            "reason".to_owned(),
            format!("must be at most {REASON_MAX} characters"),
        ));
    }
    crate::http::checked::problems(problems)?;
    Ok((status.unwrap_or(BerthStatus::Available), reason))
}

/// Changes a berth's status by hand for the request's user and commits.
pub async fn change_manually(
    ctx: &crate::access::PortCtx,
    id: Uuid,
    body: &StatusBody,
) -> Result<Option<Changed>> {
    let (to, reason) = check(body)?;
    let mut tx = ctx.begin().await?;
    let changed =
        change_with_note(&mut tx, &Actor::from(ctx), id, to, MANUAL, Some(&reason)).await?;
    tx.commit().await?;
    Ok(changed)
}

/// `POST /api/v1/ports/{port}/berths/{id}/status` `{"status", "reason"}` →
/// 200 with the berth (unchanged when it had that status already).
pub async fn api(
    ctx: crate::access::PortCtx,
    axum::extract::Path((_, id)): axum::extract::Path<(String, String)>,
    crate::http::checked::Checked(body): crate::http::checked::Checked<StatusBody>,
) -> Result<axum::Json<super::write::BerthOut>> {
    let id = super::model::parse_id(&id)?;
    change_manually(&ctx, id, &body).await?;
    let mut tx = ctx.begin().await?;
    let out = super::write::find_out(&mut tx, id).await?;
    tx.commit().await?;
    Ok(axum::Json(out))
}
