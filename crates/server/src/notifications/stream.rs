//! `GET /api/v1/notifications/stream`: the signed-in user's notifications as
//! Server-Sent Events, as they are committed by any `nimara` process.
//!
//! Events: `ready` once the stream listens (a client that reconnected reads
//! its counts again then), `notification` with the notification and the
//! user's unread count at its port, and `resync` when signals may have been
//! missed (the listener lost the database, or this stream fell behind).
//!
//! The request timeout covers producing the response head only (the
//! middleware awaits the handler, not the body), so the stream lives on; it
//! ends when the server stops or the session or token stops being valid.

use super::hub::Signal;
use super::store::{self, Notification};
use crate::app::AppState;
use crate::auth::{CurrentUser, Via};
use crate::http::Result;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Serialize;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::{Interval, MissedTickBehavior};
use uuid::Uuid;

/// Comments on an idle stream, so proxies and browsers keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How often an idle stream checks that its session still holds.
const RECHECK: Duration = Duration::from_secs(60);

#[derive(Serialize)]
struct Delivery<'a> {
    #[serde(flatten)]
    notification: &'a Notification,
    /// The user's unread notifications at the notification's port.
    unread_count: i64,
}

struct Live {
    state: AppState,
    user: CurrentUser,
    signals: broadcast::Receiver<Signal>,
    recheck: Interval,
    ready_sent: bool,
}

pub async fn stream(State(state): State<AppState>, user: CurrentUser) -> Result<Response> {
    let hub = state.notifications.clone();
    let signals = hub.subscribe().await;
    let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + RECHECK, RECHECK);
    recheck.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let live = Live {
        state,
        user,
        signals,
        recheck,
        ready_sent: false,
    };
    let events = futures_util::stream::unfold(live, next)
        .map(Ok::<Event, Infallible>)
        .take_until(hub.shutdown().clone().cancelled_owned());
    let mut res = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    // Proxies such as nginx would otherwise hold events back in a buffer.
    res.headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(res)
}

/// The next event for this user; `None` ends the stream.
async fn next(mut live: Live) -> Option<(Event, Live)> {
    if !live.ready_sent {
        live.ready_sent = true;
        return Some((Event::default().event("ready").data("{}"), live));
    }
    loop {
        tokio::select! {
            signal = live.signals.recv() => match signal {
                Ok(Signal::Created { user_id, port_id, id }) if is_for(&live.user, &user_id, port_id) => {
                    if !still_valid(&live).await {
                        return None;
                    }
                    match deliver(&live, port_id, id).await {
                        Ok(Some(event)) => return Some((event, live)),
                        Ok(None) => continue,
                        Err(e) => {
                            tracing::warn!(error = %e, "a notification could not be read for its stream");
                            return Some((resync(), live));
                        }
                    }
                }
                Ok(Signal::Created { .. }) => continue,
                Ok(Signal::Resync) | Err(RecvError::Lagged(_)) => return Some((resync(), live)),
                Err(RecvError::Closed) => return None,
            },
            _ = live.recheck.tick() => {
                if !still_valid(&live).await {
                    return None;
                }
            }
        }
    }
}

fn resync() -> Event {
    Event::default().event("resync").data("{}")
}

/// A signal concerns the stream's user; an API token sees its own port only.
fn is_for(user: &CurrentUser, user_id: &str, port_id: Uuid) -> bool {
    user.id == user_id
        && match user.via {
            Via::Token { port_id: own, .. } => own == port_id,
            Via::Session(_) => true,
        }
}

async fn deliver(live: &Live, port_id: Uuid, id: Uuid) -> Result<Option<Event>> {
    let Some((notification, unread_count)) =
        store::one(&live.state.db, &live.user.id, port_id, id).await?
    else {
        return Ok(None);
    };
    let data = serde_json::to_string(&Delivery {
        notification: &notification,
        unread_count,
    })
    .map_err(anyhow::Error::from)?;
    Ok(Some(
        Event::default()
            .event("notification")
            .id(notification.id.to_string())
            .data(data),
    ))
}

/// Whether the session or API token that opened the stream still holds (not
/// revoked or expired, the user still active). A database hiccup keeps it.
async fn still_valid(live: &Live) -> bool {
    let pool = live.state.db.pool();
    let valid = match &live.user.via {
        Via::Session(session) => {
            sqlx::query_scalar!(
                r#"SELECT EXISTS (
                     SELECT 1 FROM sessions s JOIN user_profiles p ON p.user_id = s.user_id
                     WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
                       AND s.idle_expires_at > now() AND p.is_active) AS "valid!""#,
                session.id
            )
            .fetch_one(pool)
            .await
        }
        Via::Token { id, .. } => {
            sqlx::query_scalar!(
                r#"SELECT EXISTS (
                     SELECT 1 FROM api_tokens t JOIN user_profiles p ON p.user_id = t.user_id
                     WHERE t.id = $1 AND t.revoked_at IS NULL
                       AND (t.expires_at IS NULL OR t.expires_at > now()) AND p.is_active) AS "valid!""#,
                id
            )
            .fetch_one(pool)
            .await
        }
    };
    valid.unwrap_or(true)
}
