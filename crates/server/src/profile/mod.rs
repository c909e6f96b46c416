//! The user's own profile and preferences (`user_profiles`): display name,
//! avatar, phone, and `preferences` (theme, locale, date format).

pub mod page;
mod sessions_page;
mod tokens_page;

use crate::access::{Access, Routes};
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::auth::{CurrentUser, SessionUser};
use crate::http::Result;
use crate::http::checked::{Checked, nullable, problems};
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use page::account_shell;

pub fn routes(routes: Routes) -> Routes {
    page::routes(
        routes
            .get("/api/v1/me/profile", Access::SignedIn, show)
            .patch("/api/v1/me/profile", Access::SignedIn, update),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Light,
    Dark,
    System,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::System => "system",
        }
    }
}

/// The date formats the pages can show.
pub const DATE_FORMATS: [&str; 4] = ["YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY"];
pub const DEFAULT_LOCALE: &str = "en";

/// The preferences as stored and shown, with defaults for what is unset.
#[derive(Debug, Clone, Serialize)]
pub struct Preferences {
    pub theme: Theme,
    pub locale: String,
    pub date_format: String,
}

impl Preferences {
    fn of(stored: &Value) -> Preferences {
        let text = |k: &str| stored.get(k).and_then(Value::as_str).map(str::to_owned);
        Preferences {
            theme: stored
                .get("theme")
                .and_then(|t| serde_json::from_value(t.clone()).ok())
                .unwrap_or(Theme::System),
            locale: text("locale").unwrap_or_else(|| DEFAULT_LOCALE.into()),
            date_format: text("date_format").unwrap_or_else(|| DATE_FORMATS[0].into()),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Profile {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    pub phone: Option<String>,
    pub is_super_admin: bool,
    pub preferences: Preferences,
    pub last_login_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// A change to the profile: only the fields given change; `null` clears the
/// avatar or phone.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub avatar_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub phone: Option<Option<String>>,
    pub preferences: Option<PreferencesPatch>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferencesPatch {
    pub theme: Option<Theme>,
    pub locale: Option<String>,
    pub date_format: Option<String>,
}

pub async fn load(state: &AppState, user_id: &str) -> Result<Profile> {
    let row = sqlx::query!(
        r#"SELECT u.id, u.email AS "email: String", p.display_name, p.avatar_url, p.phone,
                  p.is_super_admin, p.preferences, p.last_login_at, p.updated_at
           FROM users u JOIN user_profiles p ON p.user_id = u.id WHERE u.id = $1"#,
        user_id
    )
    .fetch_one(state.db.pool())
    .await?;
    Ok(Profile {
        user_id: row.id,
        email: row.email,
        display_name: row.display_name,
        avatar_url: row.avatar_url,
        phone: row.phone,
        is_super_admin: row.is_super_admin,
        preferences: Preferences::of(&row.preferences),
        last_login_at: row.last_login_at,
        updated_at: row.updated_at,
    })
}

/// An optional text: trimmed, empty meaning none.
fn cleared(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn valid_phone(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    phone.len() <= 32
        && (5..=20).contains(&digits)
        && phone
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || " ()-.".contains(c) || (c == '+' && i == 0))
}

fn valid_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 2048
        && url.len() > "https://".len()
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `ll` or `ll-RR` (a BCP 47 language, optionally with a region).
fn valid_locale(locale: &str) -> bool {
    let (lang, region) = locale.split_once('-').unwrap_or((locale, ""));
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && (region.is_empty()
            || (region.len() == 2 && region.bytes().all(|b| b.is_ascii_uppercase())))
}

/// Checks and applies `patch` to the user's profile, audited; every field's
/// problem is reported at once.
pub async fn apply(state: &AppState, user: &CurrentUser, patch: &ProfilePatch) -> Result<Profile> {
    let mut wrong = Vec::new();
    let mut note = |field: &str, msg: &str| wrong.push((field.to_owned(), msg.to_owned()));
    let display_name = patch.display_name.as_deref().map(str::trim);
    if display_name.is_some_and(|n| n.is_empty() || n.chars().count() > 100) {
        note("display_name", "must be 1 to 100 characters");
    }
    let avatar_url = patch.avatar_url.as_ref().map(cleared);
    if let Some(Some(url)) = &avatar_url
        && !valid_url(url)
    {
        note("avatar_url", "must be an http(s) address");
    }
    let phone = patch.phone.as_ref().map(cleared);
    if let Some(Some(p)) = &phone
        && !valid_phone(p)
    {
        note(
            "phone",
            "must be a phone number: digits, spaces, ( ) - . and a leading +",
        );
    }
    let prefs = patch.preferences.as_ref();
    if let Some(locale) = prefs.and_then(|p| p.locale.as_deref())
        && !valid_locale(locale)
    {
        note(
            "preferences.locale",
            "must be a language tag such as en or en-GB",
        );
    }
    if let Some(format) = prefs.and_then(|p| p.date_format.as_deref())
        && !DATE_FORMATS.contains(&format)
    {
        note(
            "preferences.date_format",
            &format!("must be one of {}", DATE_FORMATS.join(", ")),
        );
    }
    problems(wrong)?;

    let mut tx = state.db.pool().begin().await?;
    let old = sqlx::query!(
        "SELECT display_name, avatar_url, phone, preferences FROM user_profiles WHERE user_id = $1 FOR UPDATE",
        user.id
    )
    .fetch_one(&mut *tx)
    .await?;
    // Preferences merge key by key: keys this form does not know are kept.
    let mut preferences: Map<String, Value> =
        old.preferences.as_object().cloned().unwrap_or_default();
    if let Some(p) = prefs {
        if let Some(theme) = p.theme {
            preferences.insert("theme".into(), theme.as_str().into());
        }
        if let Some(locale) = &p.locale {
            preferences.insert("locale".into(), locale.clone().into());
        }
        if let Some(format) = &p.date_format {
            preferences.insert("date_format".into(), format.clone().into());
        }
    }
    let new_name = display_name
        .map(str::to_owned)
        .unwrap_or(old.display_name.clone());
    let new_avatar = avatar_url.unwrap_or(old.avatar_url.clone());
    let new_phone = phone.unwrap_or(old.phone.clone());
    let preferences = Value::Object(preferences);
    sqlx::query!(
        "UPDATE user_profiles SET display_name = $2, avatar_url = $3, phone = $4, preferences = $5 WHERE user_id = $1",
        user.id,
        new_name,
        new_avatar,
        new_phone,
        preferences
    )
    .execute(&mut *tx)
    .await?;
    if let Ok(entity) = uuid::Uuid::parse_str(&user.id) {
        audit::record_update(
            &mut tx,
            &Actor::from(user),
            None,
            "user_profile",
            entity,
            &serde_json::json!({"display_name": old.display_name, "avatar_url": old.avatar_url,
                                "phone": old.phone, "preferences": old.preferences}),
            &serde_json::json!({"display_name": new_name, "avatar_url": new_avatar,
                                "phone": new_phone, "preferences": preferences}),
        )
        .await?;
    }
    tx.commit().await?;
    load(state, &user.id).await
}

/// `GET /api/v1/me/profile`
async fn show(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Profile>> {
    Ok(Json(load(&state, &user.id).await?))
}

/// `PATCH /api/v1/me/profile`: only from a session (an API token acts for a
/// port's data, not for the account).
async fn update(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    Checked(patch): Checked<ProfilePatch>,
) -> Result<Json<Profile>> {
    Ok(Json(apply(&state, &user, &patch).await?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn phones_urls_and_locales() {
        assert!(super::valid_phone("+1 (264) 497-2000"));
        assert!(
            !super::valid_phone("12")
                && !super::valid_phone("call me")
                && !super::valid_phone("1+234567")
        );
        assert!(super::valid_url("https://example.test/a.png"));
        assert!(!super::valid_url("javascript:alert(1)") && !super::valid_url("https://"));
        assert!(
            super::valid_locale("en") && super::valid_locale("en-GB") && super::valid_locale("fil")
        );
        assert!(
            !super::valid_locale("EN")
                && !super::valid_locale("en_gb")
                && !super::valid_locale("english")
        );
    }
}
