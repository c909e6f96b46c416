//! The catalogue of custom fields over the API; the settings page calls the
//! same functions.

use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry};
use crate::http::checked::{Checked, problems};
use crate::http::cursor::{List, PageQuery};
use crate::http::error::on_constraint;
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::custom_fields::{
    self as rules, Definition, EntityType, FieldType, MAX_LABEL, field_name_problem, options_for,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct DefinitionOut {
    pub id: Uuid,
    pub entity_type: EntityType,
    pub field_name: String,
    pub field_label: String,
    pub field_type: FieldType,
    pub select_options: Option<Vec<String>>,
    pub is_required: bool,
    pub sort_order: i32,
    pub created_at: DateTime<Utc>,
}

impl DefinitionOut {
    /// What the value checks need.
    pub fn rule(&self) -> Definition {
        Definition {
            field_name: self.field_name.clone(),
            field_type: self.field_type,
            select_options: self.select_options.clone().unwrap_or_default(),
            is_required: self.is_required,
        }
    }

    fn audited(&self) -> Value {
        json!({
            "field_name": self.field_name,
            "field_label": self.field_label,
            "field_type": self.field_type,
            "select_options": self.select_options,
            "is_required": self.is_required,
            "sort_order": self.sort_order,
        })
    }
}

struct Raw {
    id: Uuid,
    entity_type: String,
    field_name: String,
    field_label: String,
    field_type: String,
    select_options: Option<Value>,
    is_required: bool,
    sort_order: i32,
    created_at: DateTime<Utc>,
}

impl Raw {
    /// Rows are written only through this module, so a value that does not
    /// parse is a bug worth a 500 rather than a silent default.
    fn parse(self) -> Result<DefinitionOut> {
        let bad =
            |what: &str| Error::Internal(anyhow::anyhow!("stored custom field has a bad {what}"));
        Ok(DefinitionOut {
            id: self.id,
            entity_type: self.entity_type.parse().map_err(|_| bad("entity_type"))?,
            field_name: self.field_name,
            field_label: self.field_label,
            field_type: self.field_type.parse().map_err(|_| bad("field_type"))?,
            select_options: self
                .select_options
                .map(serde_json::from_value)
                .transpose()
                .map_err(|_| bad("select_options"))?,
            is_required: self.is_required,
            sort_order: self.sort_order,
            created_at: self.created_at,
        })
    }
}

/// The port's definitions for one entity type, in their order.
pub async fn definitions_of(
    conn: &mut PgConnection,
    entity: EntityType,
) -> Result<Vec<DefinitionOut>> {
    sqlx::query_as!(
        Raw,
        "SELECT id, entity_type, field_name, field_label, field_type, select_options, is_required,
                sort_order, created_at
         FROM custom_field_definitions WHERE entity_type = $1
         ORDER BY sort_order, field_name",
        entity.as_str()
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(Raw::parse)
    .collect()
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<DefinitionOut> {
    sqlx::query_as!(
        Raw,
        "SELECT id, entity_type, field_name, field_label, field_type, select_options, is_required,
                sort_order, created_at
         FROM custom_field_definitions WHERE id = $1",
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound)?
    .parse()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDefinition {
    pub entity_type: EntityType,
    /// Made from the label when left out.
    #[serde(default)]
    pub field_name: Option<String>,
    pub field_label: String,
    pub field_type: FieldType,
    #[serde(default)]
    pub select_options: Option<Vec<String>>,
    #[serde(default)]
    pub is_required: bool,
    /// After the last field of the entity type when left out.
    #[serde(default)]
    pub sort_order: Option<i32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefinitionPatch {
    pub field_name: Option<String>,
    pub field_label: Option<String>,
    pub select_options: Option<Vec<String>>,
    pub is_required: Option<bool>,
    pub sort_order: Option<i32>,
}

fn label_problem(label: &str) -> Option<(String, String)> {
    (label.is_empty() || label.chars().count() > MAX_LABEL).then(|| {
        (
            "field_label".to_owned(),
            format!("must be 1 to {MAX_LABEL} characters"),
        )
    })
}

const TAKEN: &str = "Another custom field of this record type has this name.";

async fn name_free(
    conn: &mut PgConnection,
    entity: EntityType,
    name: &str,
    except: Option<Uuid>,
) -> Result<()> {
    let taken = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM custom_field_definitions
                          WHERE entity_type = $1 AND field_name = $2 AND id IS DISTINCT FROM $3) AS "t!""#,
        entity.as_str(),
        name,
        except
    )
    .fetch_one(conn)
    .await?;
    if taken {
        Err(Error::Conflict(format!(
            "A custom field named `{name}` exists already for {}.",
            entity.label().to_lowercase()
        )))
    } else {
        Ok(())
    }
}

fn options_json(options: &[String]) -> Option<Value> {
    (!options.is_empty()).then(|| json!(options))
}

pub async fn create_definition(ctx: &PortCtx, new: &NewDefinition) -> Result<DefinitionOut> {
    let label = new.field_label.trim();
    let name = match new.field_name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => n.to_owned(),
        _ => rules::slug_of(label),
    };
    let options = options_for(new.field_type, new.select_options.as_deref());
    problems(
        label_problem(label)
            .into_iter()
            .chain(field_name_problem(&name).map(|m| ("field_name".to_owned(), m)))
            .chain(
                options
                    .clone()
                    .err()
                    .map(|m| ("select_options".to_owned(), m)),
            ),
    )?;
    let options = options.unwrap_or_default();
    let mut tx = ctx.begin().await?;
    name_free(&mut tx, new.entity_type, &name, None).await?;
    let sort_order = match new.sort_order {
        Some(n) => n,
        None => sqlx::query_scalar!(
            r#"SELECT COALESCE(max(sort_order) + 1, 0) AS "n!" FROM custom_field_definitions WHERE entity_type = $1"#,
            new.entity_type.as_str()
        )
        .fetch_one(&mut *tx)
        .await?,
    };
    let id = sqlx::query_scalar!(
        "INSERT INTO custom_field_definitions
           (entity_type, field_name, field_label, field_type, select_options, is_required, sort_order)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        new.entity_type.as_str(),
        name,
        label,
        new.field_type.as_str(),
        options_json(&options),
        new.is_required,
        sort_order
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(on_constraint(
        "custom_field_definitions_port_id_entity_type_field_name_key",
        TAKEN,
    ))?;
    let def = find(&mut tx, id).await?;
    let mut entry = Entry::new(Some(ctx.port.id), Action::Create, "custom_field", Some(id));
    entry.new = Some(def.audited());
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    tx.commit().await?;
    Ok(def)
}

/// The stored values of a select that its new options would leave out.
async fn orphaned(conn: &mut PgConnection, id: Uuid, options: &[String]) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT DISTINCT value #>> '{}' AS "v!" FROM custom_field_values
           WHERE field_id = $1 AND NOT (value #>> '{}' = ANY($2))
           ORDER BY 1"#,
        id,
        options
    )
    .fetch_all(conn)
    .await?)
}

pub async fn update_definition(
    ctx: &PortCtx,
    id: Uuid,
    patch: &DefinitionPatch,
) -> Result<DefinitionOut> {
    let mut tx = ctx.begin().await?;
    let old = find(&mut tx, id).await?;
    let label = patch.field_label.as_deref().map(str::trim);
    let name = patch.field_name.as_deref().map(str::trim);
    let options = match &patch.select_options {
        Some(list) => options_for(old.field_type, Some(list)).map(Some),
        None => Ok(None),
    };
    problems(
        label
            .and_then(label_problem)
            .into_iter()
            .chain(
                name.and_then(field_name_problem)
                    .map(|m| ("field_name".to_owned(), m)),
            )
            .chain(
                options
                    .clone()
                    .err()
                    .map(|m| ("select_options".to_owned(), m)),
            ),
    )?;
    let options = options.ok().flatten();
    if let Some(list) = &options {
        let left_out = orphaned(&mut tx, id, list).await?;
        if !left_out.is_empty() {
            return Err(Error::invalid(
                "select_options",
                format!(
                    "records still hold {}; keep those options",
                    left_out.join(", ")
                ),
            ));
        }
    }
    let name = name.unwrap_or(&old.field_name).to_owned();
    name_free(&mut tx, old.entity_type, &name, Some(id)).await?;
    let options = options
        .or_else(|| old.select_options.clone())
        .unwrap_or_default();
    sqlx::query!(
        "UPDATE custom_field_definitions
         SET field_name = $2, field_label = $3, select_options = $4, is_required = $5, sort_order = $6
         WHERE id = $1",
        id,
        name,
        label.unwrap_or(&old.field_label),
        options_json(&options),
        patch.is_required.unwrap_or(old.is_required),
        patch.sort_order.unwrap_or(old.sort_order)
    )
    .execute(&mut *tx)
    .await
    .map_err(on_constraint(
        "custom_field_definitions_port_id_entity_type_field_name_key",
        TAKEN,
    ))?;
    let new = find(&mut tx, id).await?;
    audit::record_update(
        &mut tx,
        &Actor::from(ctx),
        Some(ctx.port.id),
        "custom_field",
        id,
        &old.audited(),
        &new.audited(),
    )
    .await?;
    tx.commit().await?;
    Ok(new)
}

/// Deletes a definition and, with it, every record's value of it.
pub async fn delete_definition(ctx: &PortCtx, id: Uuid) -> Result<()> {
    let mut tx = ctx.begin().await?;
    let old = find(&mut tx, id).await?;
    let values = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM custom_field_values WHERE field_id = $1"#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM custom_field_definitions WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    let mut entry = Entry::new(Some(ctx.port.id), Action::Delete, "custom_field", Some(id));
    entry.old = Some(old.audited());
    entry.metadata = json!({"entity_type": old.entity_type, "values_deleted": values});
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a definition one place up or down among its entity type's fields,
/// renumbering them 0, 1, 2… so equal sort orders cannot stall a move.
pub async fn move_definition(ctx: &PortCtx, id: Uuid, up: bool) -> Result<()> {
    let mut tx = ctx.begin().await?;
    let def = find(&mut tx, id).await?;
    let mut order: Vec<Uuid> = definitions_of(&mut tx, def.entity_type)
        .await?
        .iter()
        .map(|d| d.id)
        .collect();
    let at = order.iter().position(|d| *d == id).ok_or(Error::NotFound)?;
    let to = if up {
        at.checked_sub(1)
    } else {
        Some(at + 1).filter(|t| *t < order.len())
    };
    let Some(to) = to else {
        return Ok(());
    };
    order.swap(at, to);
    let positions: Vec<i32> = (0..order.len() as i32).collect();
    sqlx::query!(
        "UPDATE custom_field_definitions d SET sort_order = o.pos
         FROM unnest($1::uuid[], $2::int[]) AS o(id, pos) WHERE d.id = o.id",
        &order,
        &positions
    )
    .execute(&mut *tx)
    .await?;
    let mut entry = Entry::new(Some(ctx.port.id), Action::Update, "custom_field", Some(id));
    entry.field = Some("sort_order");
    entry.old = Some(json!(at));
    entry.new = Some(json!(to));
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub entity_type: Option<String>,
    // Not a flattened PageQuery: flattening makes the query's numbers text.
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// `GET /api/v1/ports/{port}/custom-fields[?entity_type=client]`: by entity
/// type, then in their order.
pub async fn list(ctx: PortCtx, Query(q): Query<ListQuery>) -> Result<Json<List<DefinitionOut>>> {
    let entity = q
        .entity_type
        .as_deref()
        .map(str::parse::<EntityType>)
        .transpose()
        .map_err(|m| Error::invalid("entity_type", m))?;
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    };
    let limit = page.limit()?;
    let after: Option<(String, i32, String)> = page.after()?;
    let (a_entity, a_order, a_name) = match after {
        Some((e, o, n)) => (Some(e), Some(o), Some(n)),
        None => (None, None, None),
    };
    let mut tx = ctx.begin().await?;
    let rows = sqlx::query_as!(
        Raw,
        "SELECT id, entity_type, field_name, field_label, field_type, select_options, is_required,
                sort_order, created_at
         FROM custom_field_definitions
         WHERE ($1::text IS NULL OR entity_type = $1)
           AND ($2::text IS NULL OR (entity_type, sort_order, field_name) > ($2, $3, $4))
         ORDER BY entity_type, sort_order, field_name
         LIMIT $5",
        entity.map(|e| e.as_str()),
        a_entity,
        a_order,
        a_name,
        limit + 1
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(Raw::parse)
    .collect::<Result<Vec<_>>>()?;
    tx.commit().await?;
    Ok(Json(List::page(rows, limit, |d| {
        (
            d.entity_type.as_str().to_owned(),
            d.sort_order,
            d.field_name.clone(),
        )
    })))
}

/// `POST /api/v1/ports/{port}/custom-fields`
pub async fn create(ctx: PortCtx, Checked(new): Checked<NewDefinition>) -> Result<Response> {
    let def = create_definition(&ctx, &new).await?;
    let location = format!("/api/v1/ports/{}/custom-fields/{}", ctx.port.slug, def.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(def),
    )
        .into_response())
}

/// `PATCH /api/v1/ports/{port}/custom-fields/{id}`: the type and the entity
/// type stay as created (values were checked against them).
pub async fn update(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    Checked(patch): Checked<DefinitionPatch>,
) -> Result<Json<DefinitionOut>> {
    Ok(Json(update_definition(&ctx, id, &patch).await?))
}

/// `DELETE /api/v1/ports/{port}/custom-fields/{id}`
pub async fn delete(ctx: PortCtx, Path((_, id)): Path<(String, Uuid)>) -> Result<StatusCode> {
    delete_definition(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
