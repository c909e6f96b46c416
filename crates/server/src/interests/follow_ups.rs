//! Automatic follow-ups (DESIGN.md, "Follow-ups"): every quarter of an hour,
//! per port, an interest with `reminder_enabled` and no contact
//! (`date_last_contact`, else its creation) for `reminder_days` (else the
//! port's `follow_up_defaults.reminder_days`) gets a reminder — a `reminders`
//! row with `auto_generated`, linked to the interest, its client and berth,
//! due now — and a `follow_up_created` notification. Only inside the port's
//! send window in the port's time zone; at most once per `cooldown_hours`,
//! kept in `reminder_last_fired`, however often the job runs.
//!
//! Who the reminder is for: the interests have no owner, so it is assigned to
//! the member who last changed the interest (its creator when no one has
//! since) if they can still open the port; that member is notified. With no
//! such member the reminder stays unassigned and every member who may edit
//! interests is notified, so it is never lost.

use crate::audit::{self, Action, Actor, Entry};
use crate::jobs::{Job, JobContext};
use crate::notifications::{self, Kind, Notice, Recipients};
use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use domain::follow_ups::{Quiet, in_window};
use domain::settings::FollowUpDefaults;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// The recurring job, one per port (`Scope::EachPort`).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct FollowUps {}

impl Job for FollowUps {
    const NAME: &'static str = "interests.follow_ups";

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        let port_id = ctx
            .port_id
            .ok_or_else(|| anyhow::anyhow!("a follow-up run is for one port"))?;
        let made = run_at(&ctx.state.db, port_id, Utc::now()).await?;
        if made > 0 {
            tracing::info!(%port_id, made, "follow-up reminders created");
        }
        Ok(())
    }
}

/// One run for `port_id` as of `now`, in one port transaction; how many
/// reminders it made. Outside the send window it makes none.
pub async fn run_at(
    db: &crate::db::Db,
    port_id: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let mut tx = db.begin_port(port_id).await?;
    let port = sqlx::query!("SELECT slug, timezone FROM ports WHERE id = $1", port_id)
        .fetch_one(&mut *tx)
        .await?;
    let tz: Tz = port.timezone.parse().unwrap_or(chrono_tz::UTC);
    let settings = crate::settings::get::<FollowUpDefaults>(&mut tx, Some(port_id))
        .await
        .map_err(|e| anyhow::anyhow!("reading follow_up_defaults: {e}"))?;
    let local = now.with_timezone(&tz);
    if !in_window(&settings.send_window, local.hour() * 60 + local.minute()) {
        tx.commit().await?;
        return Ok(0);
    }
    // Those due, locked so that a second run at the same moment skips them.
    let due = sqlx::query!(
        r#"SELECT i.id, i.client_id, i.berth_id, i.reminder_days, i.reminder_last_fired,
                  COALESCE(i.date_last_contact, i.created_at) AS "since!",
                  c.full_name, b.mooring_number AS "mooring_number?",
                  (SELECT a.user_id FROM audit_logs a
                   WHERE a.entity_type = 'interest' AND a.entity_id = i.id AND a.user_id IS NOT NULL
                     AND a.port_id = $1
                     AND EXISTS (SELECT 1 FROM user_port_roles r JOIN user_profiles p ON p.user_id = r.user_id
                                 WHERE r.user_id = a.user_id AND r.port_id = $1 AND p.is_active)
                   ORDER BY a.created_at DESC LIMIT 1) AS assignee
           FROM interests i
           JOIN clients c ON c.id = i.client_id
           LEFT JOIN berths b ON b.id = i.berth_id
           WHERE i.port_id = $1 AND i.reminder_enabled AND i.archived_at IS NULL
             AND COALESCE(i.date_last_contact, i.created_at)
                 <= $2::timestamptz - make_interval(days => COALESCE(i.reminder_days, $3))
             AND (i.reminder_last_fired IS NULL
                  OR i.reminder_last_fired <= $2::timestamptz - make_interval(hours => $4))
           ORDER BY i.id
           FOR UPDATE OF i SKIP LOCKED"#,
        port_id,
        now,
        settings.reminder_days as i32,
        settings.cooldown_hours as i32,
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut made = 0;
    for i in due {
        let days = i
            .reminder_days
            .map_or(settings.reminder_days, |d| d.max(0) as u32);
        let quiet = Quiet {
            since: i.since,
            reminder_days: days,
            last_fired: i.reminder_last_fired,
        };
        if !quiet.is_due(settings.cooldown_hours, now) {
            continue;
        }
        let about = match &i.mooring_number {
            Some(m) => format!("{} (berth {m})", i.full_name),
            None => i.full_name.clone(),
        };
        let title = format!("Follow up with {about}");
        let note = format!("No contact for {days} days; this reminder was made automatically.");
        let reminder = sqlx::query_scalar!(
            "INSERT INTO reminders (port_id, title, note, due_at, assigned_to, created_by, client_id,
                                    interest_id, berth_id, auto_generated)
             VALUES ($1, $2, $3, $4, $5, 'system', $6, $7, $8, true)
             RETURNING id",
            port_id,
            title,
            note,
            now,
            i.assignee,
            i.client_id,
            i.id,
            i.berth_id,
        )
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query!(
            "UPDATE interests SET reminder_last_fired = $2 WHERE id = $1",
            i.id,
            now
        )
        .execute(&mut *tx)
        .await?;
        let mut entry = Entry::new(Some(port_id), Action::Create, "reminder", Some(reminder));
        entry.new =
            Some(json!({"title": title, "assigned_to": i.assignee, "auto_generated": true}));
        entry.metadata = json!({"interest_id": i.id, "client_id": i.client_id});
        audit::record(&mut tx, &Actor::system(), entry).await?;
        let recipients = match &i.assignee {
            Some(user) => Recipients::Users(vec![user.clone()]),
            None => Recipients::WithPermission("interests.edit"),
        };
        notifications::notify(
            &mut tx,
            port_id,
            recipients,
            Notice::new(Kind::FollowUpCreated, title)
                .description(note)
                .link(format!("/ports/{}/interests/{}", port.slug, i.id))
                .entity("interest", i.id),
        )
        .await?;
        made += 1;
    }
    tx.commit().await?;
    Ok(made)
}
