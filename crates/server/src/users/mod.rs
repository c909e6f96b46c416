//! Users: accounts with a password, their profile, and roles at ports.

pub mod password;

use crate::http::error::{Error, FieldErrors, on_constraint};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password: String,
    pub super_admin: bool,
    /// A port slug and a role name to assign there.
    pub port_role: Option<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreatedUser {
    pub id: String,
    pub email: String,
    pub name: String,
}

/// Normalises an e-mail address: trimmed, lower-case, and well-formed.
pub fn normalise_email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    match email.parse::<email_address::EmailAddress>() {
        Ok(_) if email.contains('.') => Ok(email),
        _ => Err(format!("`{}` is not an e-mail address", raw.trim())),
    }
}

/// Creates a user with a credential account and a profile, and assigns the role,
/// all in one transaction.
pub async fn create(pool: &PgPool, new: &NewUser) -> Result<CreatedUser, Error> {
    let mut tx = pool.begin().await?;
    let created = create_in(&mut tx, new).await?;
    tx.commit().await?;
    Ok(created)
}

/// [`create`] inside the caller's transaction, so that it commits (or not)
/// together with the caller's other changes (an accepted invitation).
pub async fn create_in(tx: &mut PgConnection, new: &NewUser) -> Result<CreatedUser, Error> {
    let mut errors = FieldErrors::new();
    let email = normalise_email(&new.email)
        .map_err(|e| errors.entry("email".into()).or_default().push(e))
        .ok();
    let name = new.name.trim().to_owned();
    if name.is_empty() {
        errors
            .entry("name".into())
            .or_default()
            .push("must not be empty".into());
    }
    if new.password.chars().count() < password::MIN_LENGTH {
        errors.entry("password".into()).or_default().push(format!(
            "must be at least {} characters",
            password::MIN_LENGTH
        ));
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Err(Error::Unprocessable(errors));
    };
    let hash = password::hash(&new.password)?;

    let id = sqlx::query_scalar!(
        "INSERT INTO users (email, name) VALUES ($1, $2) RETURNING id",
        email as _,
        name
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(on_constraint(
        "users_email_key",
        "A user with this e-mail already exists.",
    ))?;
    sqlx::query!(
        "INSERT INTO accounts (user_id, provider_id, account_id, password_hash) VALUES ($1, 'credential', $1, $2)",
        id,
        hash
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO user_profiles (user_id, display_name, is_super_admin) VALUES ($1, $2, $3)",
        id,
        name,
        new.super_admin
    )
    .execute(&mut *tx)
    .await?;
    if let Some((slug, role)) = &new.port_role {
        let port = sqlx::query_scalar!("SELECT id FROM ports WHERE slug = $1", slug)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| Error::invalid("port", format!("no port has the slug `{slug}`")))?;
        let role_id =
            sqlx::query_scalar!("SELECT id FROM roles WHERE name = $1 AND is_global", role)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| Error::invalid("role", format!("no role is named `{role}`")))?;
        sqlx::query!(
            "INSERT INTO user_port_roles (user_id, port_id, role_id) VALUES ($1, $2, $3)",
            id,
            port,
            role_id
        )
        .execute(&mut *tx)
        .await?;
    }
    Ok(CreatedUser { id, email, name })
}
