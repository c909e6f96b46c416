//! The system roles' permissions follow the catalogue in code: at every start
//! they are rewritten from `domain::permissions`, so a new permission reaches
//! the roles that should have it without a hand-written migration.

use domain::permissions::{SYSTEM_ROLES, system_role};
use serde_json::{Map, Value};
use sqlx::PgPool;

pub async fn sync_system_roles(pool: &PgPool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    for name in SYSTEM_ROLES {
        let grants: Map<String, Value> = system_role(name)
            .unwrap_or_default()
            .into_iter()
            .map(|k| (k, Value::Bool(true)))
            .collect();
        sqlx::query!(
            "UPDATE roles SET permissions = $2 WHERE name = $1 AND is_system AND permissions IS DISTINCT FROM $2",
            name,
            Value::Object(grants)
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}
