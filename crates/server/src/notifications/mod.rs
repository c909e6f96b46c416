//! Notifications: one call tells the users of a port that something happened.
//!
//! [`notify`] honours each recipient's preferences for the kind at that port
//! (in-app row, e-mail through the mail transport, or both) and signals every
//! `nimara` process through PostgreSQL `LISTEN/NOTIFY` in the caller's
//! transaction. Each process's [`Hub`] fans the signals out to the open
//! Server-Sent Event streams of their users; the pages show a bell with the
//! unread count, a panel of the latest, and a page of them all.
//!
//! ```ignore
//! let mut tx = ctx.begin().await?;
//! // … the change itself, its audit entry …
//! notifications::notify(
//!     &mut tx,
//!     ctx.port.id,
//!     Recipients::WithPermission("berths.change_status"),
//!     Notice::new(Kind::WaitingList, "Berth A-12 is available")
//!         .description("3 clients are waiting for it.")
//!         .link(format!("/ports/{}/berths/{id}", ctx.port.slug))
//!         .entity("berth", id),
//! )
//! .await?;
//! tx.commit().await?;
//! ```

mod api;
mod create;
pub mod email;
pub mod hub;
mod kind;
mod pages;
mod preferences;
mod preferences_page;
pub mod store;
mod stream;

pub use create::{Notice, Recipients, notify};
pub use hub::Hub;
pub use kind::Kind;
pub use pages::ago;

use crate::access::{self, Access, Routes};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::http::{Error, Result};
use crate::ports::Port;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// The API and the pages; every route is the signed-in user's own.
pub fn routes(routes: Routes) -> Routes {
    let routes = routes
        .get("/api/v1/notifications", Access::SignedIn, api::list)
        .get(
            "/api/v1/notifications/stream",
            Access::SignedIn,
            stream::stream,
        )
        .post(
            "/api/v1/notifications/read-all",
            Access::SignedIn,
            api::read_all,
        )
        .post(
            "/api/v1/notifications/{id}/read",
            Access::SignedIn,
            api::read,
        )
        .get(
            "/api/v1/me/notification-preferences",
            Access::SignedIn,
            preferences::get,
        )
        .put(
            "/api/v1/me/notification-preferences",
            Access::SignedIn,
            preferences::put,
        )
        .get("/notifications", Access::SignedIn, pages::page)
        .get("/notifications/panel", Access::SignedIn, pages::panel)
        .get("/notifications/badge", Access::SignedIn, pages::badge)
        .post("/notifications/read-all", Access::SignedIn, pages::read_all)
        .post("/notifications/{id}/read", Access::SignedIn, pages::read);
    preferences_page::routes(routes)
}

/// The user's ports a request covers: all of them, or the one `slug` names
/// (404 when it is not one of theirs, as if it did not exist).
async fn ports_in_scope(
    state: &AppState,
    user: &CurrentUser,
    slug: Option<&str>,
) -> Result<Vec<Port>> {
    let ports = access::ports_of(state, user).await?;
    match slug {
        None => Ok(ports),
        Some(slug) => {
            let one: Vec<Port> = ports.into_iter().filter(|p| p.slug == slug).collect();
            if one.is_empty() {
                Err(Error::NotFound)
            } else {
                Ok(one)
            }
        }
    }
}

async fn scope(state: &AppState, user: &CurrentUser, slug: Option<&str>) -> Result<Vec<Uuid>> {
    Ok(ports_in_scope(state, user, slug)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect())
}

/// Query parameters into `T`; what does not fit is a 400 problem, like a bad body.
fn query<T: DeserializeOwned + Default>(raw: Option<String>) -> Result<T> {
    match raw.as_deref() {
        None | Some("") => Ok(T::default()),
        Some(raw) => serde_urlencoded::from_str(raw)
            .map_err(|e| Error::BadRequest(format!("The query parameters do not fit: {e}."))),
    }
}
