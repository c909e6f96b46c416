//! Writing notes, for the API and the panel alike: each change in its own
//! transaction with its audit entry and the mention notifications.

use super::lock::{Refusal, may_edit};
use super::mentions::{members_only, named_ids};
use super::{Subject, store};
use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry};
use crate::http::{Error, Result};
use crate::notifications::{self, Kind, Notice, Recipients};
use chrono::Utc;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

pub const MAX_CONTENT: usize = 10_000;

/// The content as stored: trimmed, not empty, not huge (422 naming `content`).
pub fn checked_content(raw: &str) -> Result<String> {
    let content = raw.trim();
    if content.is_empty() {
        return Err(Error::invalid("content", "Write something first."));
    }
    if content.chars().count() > MAX_CONTENT {
        return Err(Error::invalid(
            "content",
            format!("A note holds at most {MAX_CONTENT} characters."),
        ));
    }
    Ok(content.to_owned())
}

pub async fn create<S: Subject>(ctx: &PortCtx, parent: Uuid, raw: &str) -> Result<Uuid> {
    let mut tx = ctx.begin().await?;
    if !store::parent_exists::<S>(&mut tx, parent).await? {
        return Err(Error::NotFound);
    }
    let content = checked_content(raw)?;
    let mentions = members_only(&mut tx, ctx.port.id, &named_ids(&content)).await?;
    let id = store::insert::<S>(&mut tx, parent, &ctx.user.id, &content, &mentions).await?;
    let mut entry = Entry::new(Some(ctx.port.id), Action::Create, S::ENTITY, Some(id));
    entry.new = Some(json!({"content": content, "mentions": mentions}));
    entry.metadata = json!({ S::PARENT_KEY: parent });
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    tell::<S>(&mut tx, ctx, parent, &content, &mentions).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes the content; locked notes answer 409 (and get their flag set),
/// someone else's 403.
pub async fn edit<S: Subject>(ctx: &PortCtx, parent: Uuid, id: Uuid, raw: &str) -> Result<()> {
    let mut tx = ctx.begin().await?;
    let note = store::find_for_update::<S>(&mut tx, parent, id)
        .await?
        .ok_or(Error::NotFound)?;
    if let Err(refusal) = may_edit(
        &ctx.user.id,
        &note.author_id,
        note.created_at,
        note.is_locked,
        Utc::now(),
    ) {
        return Err(refuse::<S>(tx, &note, refusal).await?);
    }
    let content = checked_content(raw)?;
    let mentions = members_only(&mut tx, ctx.port.id, &named_ids(&content)).await?;
    store::update::<S>(&mut tx, id, &content, &mentions).await?;
    audit::record_update(
        &mut tx,
        &Actor::from(ctx),
        Some(ctx.port.id),
        S::ENTITY,
        id,
        &json!({"content": note.content, "mentions": note.mentions}),
        &json!({"content": content, "mentions": mentions}),
    )
    .await?;
    // Only those this edit newly names hear of it.
    let fresh: Vec<String> = mentions
        .iter()
        .filter(|m| !note.mentions.contains(m))
        .cloned()
        .collect();
    tell::<S>(&mut tx, ctx, parent, &content, &fresh).await?;
    tx.commit().await?;
    Ok(())
}

/// Withdraws a note inside its window (same rules as an edit).
pub async fn delete<S: Subject>(ctx: &PortCtx, parent: Uuid, id: Uuid) -> Result<()> {
    let mut tx = ctx.begin().await?;
    let note = store::find_for_update::<S>(&mut tx, parent, id)
        .await?
        .ok_or(Error::NotFound)?;
    if let Err(refusal) = may_edit(
        &ctx.user.id,
        &note.author_id,
        note.created_at,
        note.is_locked,
        Utc::now(),
    ) {
        return Err(refuse::<S>(tx, &note, refusal).await?);
    }
    store::delete::<S>(&mut tx, id).await?;
    let mut entry = Entry::new(Some(ctx.port.id), Action::Delete, S::ENTITY, Some(id));
    entry.old = Some(json!({"content": note.content, "mentions": note.mentions}));
    entry.metadata = json!({ S::PARENT_KEY: parent });
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    tx.commit().await?;
    Ok(())
}

/// The error for a refused change; a note refused for its age keeps
/// `is_locked` true from now on (committed, though the request fails).
async fn refuse<S: Subject>(
    mut tx: crate::db::PortTx,
    note: &store::Note,
    refusal: Refusal,
) -> Result<Error> {
    if matches!(refusal, Refusal::Locked { .. }) && !note.is_locked {
        store::lock::<S>(&mut tx, note.id).await?;
        tx.commit().await?;
    }
    Ok(refusal.into_error())
}

/// Notifies the mentioned members, never the author.
async fn tell<S: Subject>(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    parent: Uuid,
    content: &str,
    mentioned: &[String],
) -> Result<()> {
    let users: Vec<String> = mentioned
        .iter()
        .filter(|m| **m != ctx.user.id)
        .cloned()
        .collect();
    if users.is_empty() {
        return Ok(());
    }
    let on = store::parent_name::<S>(conn, parent).await?;
    notifications::notify(
        conn,
        ctx.port.id,
        Recipients::Users(users),
        Notice::new(
            Kind::Mention,
            format!("{} mentioned you on {on}", ctx.user.name),
        )
        .description(excerpt(content))
        .link(S::page(&ctx.port.slug, parent))
        .entity(S::PARENT_TABLE.trim_end_matches('s'), parent),
    )
    .await?;
    Ok(())
}

/// The note as plain text (mentions as `@Name`), cut to a notification's length.
pub fn excerpt(content: &str) -> String {
    use super::mentions::{Piece, pieces};
    let plain: String = pieces(content)
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => t.to_owned(),
            Piece::Mention { name, .. } => format!("@{name}"),
        })
        .collect();
    let flat = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 200 {
        format!("{}…", flat.chars().take(199).collect::<String>())
    } else {
        flat
    }
}
