//! Berth status rules (BR-001): a change of an interest fires triggers on its
//! berth, and the port's `berth_status_rules` setting decides what each does —
//! change the status at once (`auto`, forward only), store a suggestion for a
//! user to accept or dismiss (`suggest`), or nothing (`off`).
//!
//! `fire` evaluates one trigger on one berth; [`after_change`] works out which
//! triggers a change of an interest fires and fires them, in the transaction
//! of that change. Every status change goes through `berths::status::change`.
//! `suggestions` is the API of the stored suggestions, `panel` their section
//! of the berth page.

mod fire;
pub mod panel;
pub mod suggestions;

pub use fire::{Outcome, fire};
pub use panel::berth_panel;

use crate::access::{Access, Routes};
use crate::http::Result;
use crate::interests::Interest;
use domain::interests::{Milestones, milestone_triggers};
use domain::pipeline::Stage;
use domain::settings::Trigger;
use sqlx::PgConnection;

/// The audit log's name for a suggestion.
pub const KIND: &str = "berth_status_suggestion";

pub fn routes(routes: Routes) -> Routes {
    const API: &str = "/api/v1/ports/{port}/berths/{id}/status-suggestions";
    let routes = routes
        .get(API, Access::Port("berths.view"), suggestions::list)
        .post(
            &format!("{API}/{{sid}}/accept"),
            Access::Port("berths.change_status"),
            suggestions::accept_api,
        )
        .post(
            &format!("{API}/{{sid}}/dismiss"),
            Access::Port("berths.change_status"),
            suggestions::dismiss_api,
        );
    panel::routes(routes)
}

/// The triggers a change of an interest fires, and fires them: `before` is
/// the interest as it was (`None` when it was just created), `after` as it is
/// now, both in the caller's transaction.
///
/// * Its berth released (unlinked, moved to another berth or the interest
///   archived) while no other active interest is on it: `interest_released`.
/// * On a berth it was not on before (linked, moved, restored): every
///   milestone it has reached, most advanced first, then `interest_linked` —
///   so the berth follows how far the interest is, and a suggestion the
///   milestones already outran is not made.
/// * On the same berth: the milestones this change reached.
pub async fn after_change(
    conn: &mut PgConnection,
    before: Option<&Interest>,
    after: &Interest,
) -> Result<Vec<Outcome>> {
    let active_before = before.filter(|b| !b.is_archived());
    let was_on = active_before.and_then(|b| b.berth_id);
    let now_on = after.berth_id.filter(|_| !after.is_archived());
    let mut out = Vec::new();
    if let Some(old) = was_on
        && now_on != Some(old)
        && !others_active(conn, old, after).await?
    {
        out.push(
            fire(
                conn,
                after.port_id,
                old,
                Some(after.id),
                Trigger::InterestReleased,
            )
            .await?,
        );
    }
    let Some(berth) = now_on else {
        return Ok(out);
    };
    let newly_on = was_on != Some(berth);
    let (from, from_stage) = match active_before {
        Some(b) if !newly_on => (b.milestones(), b.stage()),
        _ => (Milestones::default(), Stage::Open),
    };
    let mut triggers =
        milestone_triggers((&from, from_stage), (&after.milestones(), after.stage()));
    triggers.sort_by(|a, b| b.cmp(a));
    if newly_on {
        triggers.push(Trigger::InterestLinked);
    }
    for trigger in triggers {
        out.push(fire(conn, after.port_id, berth, Some(after.id), trigger).await?);
    }
    Ok(out)
}

/// Whether another active interest than `this` is on `berth`.
async fn others_active(
    conn: &mut PgConnection,
    berth: uuid::Uuid,
    this: &Interest,
) -> Result<bool> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM interests
                          WHERE berth_id = $1 AND archived_at IS NULL AND id <> $2) AS "e!""#,
        berth,
        this.id
    )
    .fetch_one(conn)
    .await?)
}

/// A trigger's stored name: `interest_linked`.
pub fn trigger_name(trigger: Trigger) -> String {
    serde_json::to_value(trigger)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// How people read a trigger.
pub fn trigger_label(trigger: Trigger) -> &'static str {
    match trigger {
        Trigger::InterestLinked => "An interest is linked to the berth",
        Trigger::EoiSent => "The EOI is sent",
        Trigger::EoiSigned => "The EOI is signed",
        Trigger::DepositReceived => "The 10% deposit is received",
        Trigger::ContractSent => "The contract is sent",
        Trigger::ContractSigned => "The contract is signed",
        Trigger::InterestCompleted => "The interest is completed",
        Trigger::InterestReleased => "The last active interest is archived or unlinked",
    }
}

/// A stored trigger name read back.
pub fn parse_trigger(name: &str) -> Option<Trigger> {
    Trigger::ALL.into_iter().find(|t| trigger_name(*t) == name)
}
