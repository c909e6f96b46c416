//! Tenure reminders: fixed-term berths whose tenure ends within 90, 30 and 7
//! days notify `tenure_expiring`, once per threshold.
//!
//! Who is told: the port's members with `berths.edit` — the people who can
//! renew or change a tenure (directors and sales managers by default). Telling
//! everyone who can view berths would reach every sales agent daily with
//! notices they cannot act on.
//!
//! Once per threshold: each notice sent is recorded in `berth_tenure_notices`
//! (berth, end date, threshold), inserted in the same transaction as the
//! notifications and only notifying when the insert took. A re-run, a second
//! worker or a retry after a crash therefore never notifies twice, and the
//! record survives users deleting their notifications. A berth first seen
//! inside a threshold gets the tightest notice due (5 days left: the 7-day
//! notice, not the 90- and 30-day ones as well); a tenure given a new end
//! date is warned about afresh.

use crate::db::Db;
use crate::jobs::{Job, JobContext};
use crate::notifications::{Kind, Notice, Recipients, notify};
use chrono::{Duration, NaiveDate, Utc};
use domain::berths::{TENURE_THRESHOLDS, tenure_threshold};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use uuid::Uuid;

/// Who hears of an expiring tenure.
pub const AUDIENCE: &str = "berths.edit";

/// The daily check, per port in the port's time zone.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TenureCheck {}

impl Job for TenureCheck {
    const NAME: &'static str = "berths.tenure";

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        let ports = match ctx.port_id {
            Some(id) => vec![id],
            // Queued for the installation: every port.
            None => {
                sqlx::query_scalar!("SELECT id FROM ports WHERE is_active")
                    .fetch_all(ctx.state.db.pool())
                    .await?
            }
        };
        for port_id in ports {
            let today = today_at(&ctx.state.db, port_id).await?;
            let sent = check_port(&ctx.state.db, port_id, today).await?;
            if sent > 0 {
                tracing::info!(%port_id, sent, "tenure notices sent");
            }
        }
        Ok(())
    }
}

/// Today's date in the port's time zone.
pub async fn today_at(db: &Db, port_id: Uuid) -> anyhow::Result<NaiveDate> {
    let zone = sqlx::query_scalar!("SELECT timezone FROM ports WHERE id = $1", port_id)
        .fetch_one(db.pool())
        .await?;
    let tz = chrono_tz::Tz::from_str(&zone).unwrap_or(chrono_tz::UTC);
    Ok(Utc::now().with_timezone(&tz).date_naive())
}

/// Sends the notices due at `port_id` on `today`; returns how many berths
/// were notified about.
pub async fn check_port(db: &Db, port_id: Uuid, today: NaiveDate) -> anyhow::Result<usize> {
    let horizon = today + Duration::days(TENURE_THRESHOLDS[0]);
    let mut tx = db.begin_port(port_id).await?;
    let slug = sqlx::query_scalar!("SELECT slug FROM ports WHERE id = $1", port_id)
        .fetch_one(&mut *tx)
        .await?;
    let berths = sqlx::query!(
        r#"SELECT id, mooring_number, area, tenure_end_date AS "end!"
           FROM berths
           WHERE tenure_type = 'fixed_term' AND tenure_end_date BETWEEN $1 AND $2
           ORDER BY tenure_end_date, mooring_number"#,
        today,
        horizon
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut sent = 0;
    for b in berths {
        let days_left = (b.end - today).num_days();
        let Some(threshold) = tenure_threshold(days_left) else {
            continue;
        };
        let fresh = sqlx::query_scalar!(
            "INSERT INTO berth_tenure_notices (berth_id, tenure_end_date, threshold_days)
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING threshold_days",
            b.id,
            b.end,
            threshold as i32
        )
        .fetch_optional(&mut *tx)
        .await?;
        if fresh.is_none() {
            continue;
        }
        let when = match days_left {
            0 => "today".to_owned(),
            1 => "tomorrow".to_owned(),
            n => format!("in {n} days"),
        };
        let place = b.area.map(|a| format!(" ({a})")).unwrap_or_default();
        let notice = Notice::new(
            Kind::TenureExpiring,
            format!("Tenure of berth {}{place} ends {when}", b.mooring_number),
        )
        .description(format!(
            "The fixed-term tenure ends on {}. Renew it or plan the berth's return.",
            b.end
        ))
        .link(format!("/ports/{slug}/berths/{}", b.id))
        .entity(super::KIND, b.id);
        notify(
            &mut tx,
            port_id,
            Recipients::WithPermission(AUDIENCE),
            notice,
        )
        .await?;
        sent += 1;
    }
    tx.commit().await?;
    Ok(sent)
}
