//! `GET /api/v1/openapi.json`: the API's routes, generated from the same
//! declarations that route requests, so the document cannot drift from them.
//!
//! It lists every path and method with who may call it (the permission a
//! port member needs, or sign-in). Request and response bodies follow the
//! column names of `docs/schema.md`, as API.md states.

use crate::access::{Access, Declared};
use crate::app::AppState;
use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value, json};

pub async fn document(State(state): State<AppState>) -> Json<Value> {
    let (_, declared) = super::routes(&state).into_parts();
    Json(build(&declared))
}

pub fn build(declared: &[Declared]) -> Value {
    let mut paths = Map::new();
    for route in declared.iter().filter(|r| r.path.starts_with("/api/")) {
        let (summary, security) = match route.access {
            Access::Public => ("Open to anyone.".to_owned(), json!([])),
            Access::SignedIn => (
                "Any signed-in user.".to_owned(),
                json!([{"session": []}, {"token": []}]),
            ),
            Access::SuperAdmin => (
                "Super admins only.".to_owned(),
                json!([{"session": []}, {"token": []}]),
            ),
            Access::Member => (
                "Any member of the port.".to_owned(),
                json!([{"session": []}, {"token": []}]),
            ),
            Access::Port(key) => (
                format!("Members of the port holding `{key}`."),
                json!([{"session": []}, {"token": []}]),
            ),
            Access::AnyOf(keys) => (
                format!(
                    "Members of the port holding any of `{}`.",
                    keys.join("`, `")
                ),
                json!([{"session": []}, {"token": []}]),
            ),
        };
        let parameters: Vec<Value> = route
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        let permission = match route.access {
            Access::Port(key) => Value::String(key.to_owned()),
            _ => Value::Null,
        };
        let operation = json!({
            "summary": summary,
            "parameters": parameters,
            "security": security,
            "x-permission": permission,
            "responses": {
                "default": {"description": "Success, or an RFC 9457 problem (application/problem+json)."}
            }
        });
        let entry = paths
            .entry(route.path.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[route.method.as_str().to_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Port Nimara CRM", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": crate::auth::session::COOKIE},
                "token": {"type": "http", "scheme": "bearer"}
            }
        }
    })
}
