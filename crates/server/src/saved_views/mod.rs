//! Saved views (`saved_views`): a list's filters, sort and columns under a
//! name, the user's own or shared with the port, one of them the user's
//! default per list. The API is here; each list page offers them through
//! [`visible`], [`create`] and [`default_for`].

mod api;

pub use api::{NewView, change_own, create, default_for, visible};

use crate::access::{Access, Routes};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// The lists a view can belong to (`saved_views.entity_type`).
pub const ENTITY_TYPES: &[&str] = &["clients", "interests", "berths", "expenses", "invoices"];

#[derive(Debug, Clone, Serialize)]
pub struct SavedView {
    pub id: Uuid,
    pub port_id: Uuid,
    pub user_id: String,
    pub entity_type: String,
    pub name: String,
    pub filters: Value,
    pub sort_config: Option<Value>,
    pub column_config: Option<Value>,
    pub is_shared: bool,
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Any member may keep views; what a view shows is still checked by the
/// list it opens (clients.view for the client list).
pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/api/v1/ports/{port}/saved-views",
            Access::Member,
            api::index,
        )
        .post(
            "/api/v1/ports/{port}/saved-views",
            Access::Member,
            api::create_api,
        )
        .get(
            "/api/v1/ports/{port}/saved-views/{id}",
            Access::Member,
            api::show,
        )
        .patch(
            "/api/v1/ports/{port}/saved-views/{id}",
            Access::Member,
            api::update,
        )
        .delete(
            "/api/v1/ports/{port}/saved-views/{id}",
            Access::Member,
            api::delete,
        )
}
