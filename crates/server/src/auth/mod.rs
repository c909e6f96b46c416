//! Identity: sign-in, sessions, API tokens, CSRF.

pub mod csrf;
mod extract;
pub mod link_page;
pub mod login;
mod pages;
pub mod rate_limit;
pub mod reset;
mod reset_pages;
pub mod session;
mod sessions_api;
pub mod tokens;
pub mod verifications;

pub mod api_tokens;
pub use extract::{CurrentUser, MaybeUser, SessionUser, Via, origin_of};
pub use pages::routes as pages;

use crate::access::{Access, Routes};

/// The sign-in API and the user's own sessions.
pub fn api(routes: Routes) -> Routes {
    routes
        .post("/api/v1/auth/login", Access::Public, login::login)
        .post("/api/v1/auth/logout", Access::SignedIn, login::logout)
        .post(
            "/api/v1/auth/forgot-password",
            Access::Public,
            reset::api_forgot,
        )
        .post(
            "/api/v1/auth/reset-password",
            Access::Public,
            reset::api_reset,
        )
        .get("/api/v1/me", Access::SignedIn, login::me)
        .get("/api/v1/me/sessions", Access::SignedIn, sessions_api::list)
        .delete(
            "/api/v1/me/sessions/{id}",
            Access::SignedIn,
            sessions_api::revoke,
        )
}
