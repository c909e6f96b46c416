//! Moving an interest along the pipeline (DESIGN.md, "Pipeline").
//!
//! A stage change is an edit of `pipeline_stage`, so it shares the edit's one
//! path (`write::update_in`): the milestone of the stage moved to is stamped
//! once (`domain::interests::Milestones::stamp`), `date_last_contact` is set,
//! each changed field is audited, `interest.stage_changed` is queued for the
//! port's webhooks and the berth rules fire — all in the caller's
//! transaction. Moving back is allowed and clears no dates.

use super::model::Interest;
use super::write::update_in;
use crate::audit::Actor;
use crate::http::Result;
use domain::pipeline::Stage;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

/// The webhook event of a stage change.
pub const STAGE_CHANGED: &str = "interest.stage_changed";

/// Moves interest `interest_id` (of the transaction's port) to `stage`, as
/// `PATCH …/interests/{id} {"pipeline_stage"}` does; the caller commits.
/// Moving to the stage it is at changes nothing.
pub async fn move_to(
    conn: &mut PgConnection,
    actor: &Actor,
    interest_id: Uuid,
    stage: Stage,
) -> Result<Interest> {
    update_in(conn, actor, interest_id, super::fields::Patch::stage(stage)).await
}

/// What a stage change tells the outside: the webhook event, queued for each
/// active webhook of the port subscribed to it.
pub(super) async fn announce(
    conn: &mut PgConnection,
    actor: &Actor,
    after: &Interest,
    from: Stage,
) -> Result<()> {
    crate::webhooks::queue(
        conn,
        after.port_id,
        STAGE_CHANGED,
        json!({
            "interest_id": after.id,
            "client_id": after.client_id,
            "berth_id": after.berth_id,
            "from": from.as_str(),
            "to": after.pipeline_stage,
            "changed_by": actor.user_id,
            "changed_at": after.updated_at,
        }),
    )
    .await?;
    Ok(())
}
