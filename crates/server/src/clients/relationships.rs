//! Relationships between two clients of a port (`client_relationships`).
//!
//! A relationship reads from client A ("A referred_by B"); both clients list
//! it, each with the other client and the label read from its own side
//! (`label` for A, `inverse_label` for B). The other client must be of the
//! same port (404 otherwise: the port transaction cannot see it), and a client
//! cannot relate to itself (422).

use super::model::{find, parse_id};
use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry};
use crate::http::checked::Checked;
use crate::http::cursor::List;
use crate::http::error::on_constraint;
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::clients::RelationshipType;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::PgConnection;
use std::str::FromStr;
use uuid::Uuid;

/// The audit log's name for a relationship.
pub const KIND: &str = "client_relationship";

/// A relationship as one of its two clients sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Relationship {
    pub id: Uuid,
    pub client_a_id: Uuid,
    pub client_b_id: Uuid,
    pub relationship_type: String,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The client on the other side, and their name.
    pub other_client_id: Uuid,
    pub other_client_name: String,
    pub other_client_archived: bool,
    /// How the relationship reads from this client's side: "Referred by".
    pub label: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRelationship {
    pub client_b_id: String,
    pub relationship_type: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// The label of `kind` read from `client_id`'s side.
fn label_for(kind: &str, is_a: bool) -> String {
    match RelationshipType::from_str(kind) {
        Ok(t) if is_a => t.label().to_owned(),
        Ok(t) => t.inverse_label().to_owned(),
        Err(_) => kind.to_owned(),
    }
}

/// Every relationship of `client_id`, from either side, newest first.
pub async fn of_client(conn: &mut PgConnection, client_id: Uuid) -> Result<Vec<Relationship>> {
    let rows = sqlx::query!(
        r#"SELECT r.id, r.client_a_id, r.client_b_id, r.relationship_type, r.description, r.created_at,
                  o.id AS other_id, o.full_name AS other_name, o.archived_at IS NOT NULL AS "other_archived!"
           FROM client_relationships r
           JOIN clients o ON o.id = CASE WHEN r.client_a_id = $1 THEN r.client_b_id ELSE r.client_a_id END
           WHERE (r.client_a_id = $1 OR r.client_b_id = $1) AND r.port_id = app_port_id()
           ORDER BY r.created_at DESC, r.id DESC"#,
        client_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Relationship {
            label: label_for(&r.relationship_type, r.client_a_id == client_id),
            id: r.id,
            client_a_id: r.client_a_id,
            client_b_id: r.client_b_id,
            relationship_type: r.relationship_type,
            description: r.description,
            created_at: r.created_at,
            other_client_id: r.other_id,
            other_client_name: r.other_name,
            other_client_archived: r.other_archived,
        })
        .collect())
}

/// `GET …/clients/{id}/relationships`
pub async fn list(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<List<Relationship>>> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    find(&mut tx, id).await?;
    let rows = of_client(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(List::whole(rows)))
}

/// Relates client `a_id` to another; the pages and the API share it.
pub async fn add(ctx: &PortCtx, a_id: Uuid, body: NewRelationship) -> Result<Relationship> {
    let kind = RelationshipType::from_str(body.relationship_type.trim())
        .map_err(|m| Error::invalid("relationship_type", m))?;
    let b_id = Uuid::parse_str(body.client_b_id.trim())
        .map_err(|_| Error::invalid("client_b_id", "must be a client's id"))?;
    if a_id == b_id {
        return Err(Error::invalid(
            "client_b_id",
            "a client cannot be related to itself",
        ));
    }
    let description = body
        .description
        .map(|d| d.trim().to_owned())
        .filter(|d| !d.is_empty());
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 500)
    {
        return Err(Error::invalid(
            "description",
            "must be at most 500 characters",
        ));
    }
    let mut tx = ctx.begin().await?;
    find(&mut tx, a_id).await?;
    // Checked here, not left to the foreign key: FK checks ignore row-level
    // security, and another port's client must look missing.
    find(&mut tx, b_id).await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO client_relationships (client_a_id, client_b_id, relationship_type, description)
         VALUES ($1, $2, $3, $4) RETURNING id",
        a_id,
        b_id,
        kind.as_str(),
        description
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(on_constraint(
        "uq_client_relationships_pair",
        "These clients are already related that way.",
    ))?;
    let mut entry = Entry::new(Some(ctx.port.id), Action::Create, KIND, Some(id));
    entry.new = Some(json!({
        "client_a_id": a_id, "client_b_id": b_id,
        "relationship_type": kind.as_str(), "description": description,
    }));
    entry.metadata = json!({ "client_id": a_id, "other_client_id": b_id });
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    let created = of_client(&mut tx, a_id)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(created)
}

/// `POST …/clients/{id}/relationships` → 201.
pub async fn create(
    ctx: PortCtx,
    Path((slug, id)): Path<(String, String)>,
    Checked(body): Checked<NewRelationship>,
) -> Result<Response> {
    let a_id = parse_id(&id)?;
    let rel = add(&ctx, a_id, body).await?;
    let location = format!(
        "/api/v1/ports/{slug}/clients/{a_id}/relationships/{}",
        rel.id
    );
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(rel),
    )
        .into_response())
}

/// Removes relationship `rel_id` of `client_id` (from either side).
pub async fn remove(ctx: &PortCtx, client_id: Uuid, rel_id: Uuid) -> Result<()> {
    let mut tx = ctx.begin().await?;
    find(&mut tx, client_id).await?;
    let gone = sqlx::query!(
        "DELETE FROM client_relationships
         WHERE id = $1 AND (client_a_id = $2 OR client_b_id = $2) AND port_id = app_port_id()
         RETURNING client_a_id, client_b_id, relationship_type, description",
        rel_id,
        client_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::NotFound)?;
    let mut entry = Entry::new(Some(ctx.port.id), Action::Delete, KIND, Some(rel_id));
    entry.old = Some(json!({
        "client_a_id": gone.client_a_id, "client_b_id": gone.client_b_id,
        "relationship_type": gone.relationship_type, "description": gone.description,
    }));
    entry.metadata = json!({ "client_id": gone.client_a_id, "other_client_id": gone.client_b_id });
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    tx.commit().await?;
    Ok(())
}

/// `DELETE …/clients/{id}/relationships/{rel_id}` → 204.
pub async fn delete(
    ctx: PortCtx,
    Path((_, id, rel_id)): Path<(String, String, String)>,
) -> Result<StatusCode> {
    remove(&ctx, parse_id(&id)?, parse_id(&rel_id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::label_for;

    #[test]
    fn each_side_reads_its_own_label() {
        assert_eq!(label_for("referred_by", true), "Referred by");
        assert_eq!(label_for("referred_by", false), "Referred");
        assert_eq!(label_for("same_vessel", false), "Same vessel as");
    }
}
