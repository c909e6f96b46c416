//! The invitee's page: `GET /invitations/{token}` shows the invitation,
//! `POST` accepts it — in one transaction the token is claimed, the account
//! created (or the existing one found) and the role added — then a session
//! opens and the invitee lands in the port.

use super::mail::role_label;
use crate::app::AppState;
use crate::audit::{self, Action, Actor, Entry};
use crate::auth::link_page::{LinkProblem, Way};
use crate::auth::login::{self, Credentials, RequestOrigin};
use crate::auth::verifications::{self, INVITATION, Standing, Verification};
use crate::auth::{MaybeUser, session};
use crate::http::error::FieldErrors;
use crate::http::{Error, Result};
use crate::users::{self, NewUser, password};
use crate::web::render;
use crate::web::shell::Shell;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

/// What the page shows about a usable invitation.
struct Details {
    port_name: String,
    port_slug: String,
    role: String,
    inviter: Option<String>,
    /// The active account that already has the invited address.
    account: Option<String>,
}

impl Details {
    async fn load(state: &AppState, v: &Verification) -> Result<Details> {
        let row = sqlx::query!(
            r#"SELECT p.name AS port_name, p.slug, r.name AS role,
                      (SELECT display_name FROM user_profiles WHERE user_id = $3) AS inviter,
                      (SELECT u.id FROM users u JOIN user_profiles up ON up.user_id = u.id
                        WHERE u.email = $4 AND up.is_active) AS account
               FROM ports p, roles r WHERE p.id = $1 AND r.id = $2"#,
            v.port_id,
            v.role_id,
            v.invited_by,
            v.identifier.clone() as _
        )
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(Error::NotFound)?;
        Ok(Details {
            port_name: row.port_name,
            port_slug: row.slug,
            role: role_label(&row.role),
            inviter: row.inviter,
            account: row.account,
        })
    }
}

#[derive(Template)]
#[template(path = "invitations/accept.html")]
struct AcceptPage {
    shell: Shell,
    action: String,
    port_name: String,
    role: String,
    inviter: Option<String>,
    email: String,
    has_account: bool,
    signed_in_as_invitee: bool,
    /// Someone else is signed in in this browser.
    signed_in_as: Option<String>,
    name: String,
    errors: FieldErrors,
    form_error: Option<String>,
    min_length: usize,
    /// The field that takes the focus: the name when it is in error or nothing
    /// is; else the password (neither password is sent back, so both are typed again).
    focus: &'static str,
}

impl AcceptPage {
    fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field).map(|m| m.join(" "))
    }
}

fn page(
    token: &str,
    v: &Verification,
    d: &Details,
    user: Option<&crate::auth::CurrentUser>,
) -> AcceptPage {
    let signed_in_as_invitee = user.is_some_and(|u| u.email == v.identifier);
    AcceptPage {
        shell: Shell::bare(&format!("Join {}", d.port_name), None),
        action: format!("/invitations/{token}"),
        port_name: d.port_name.clone(),
        role: d.role.clone(),
        inviter: d.inviter.clone(),
        email: v.identifier.clone(),
        has_account: d.account.is_some(),
        signed_in_as_invitee,
        signed_in_as: user
            .filter(|u| u.email != v.identifier)
            .map(|u| u.email.clone()),
        name: String::new(),
        errors: FieldErrors::new(),
        form_error: None,
        min_length: password::MIN_LENGTH,
        focus: "name",
    }
}

/// `GET /invitations/{token}`
pub async fn show(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(token): Path<String>,
) -> Result<Response> {
    match verifications::look_up(state.db.pool(), &token, INVITATION).await? {
        Standing::Usable(v) => {
            let d = Details::load(&state, &v).await?;
            Ok(render(&page(&token, &v, &d, user.as_ref()))?.into_response())
        }
        other => explain(&state, other).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

/// `POST /invitations/{token}`
pub async fn submit(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    RequestOrigin(origin): RequestOrigin,
    jar: CookieJar,
    Path(token): Path<String>,
    axum::Form(form): axum::Form<AcceptForm>,
) -> Result<Response> {
    let v = match verifications::look_up(state.db.pool(), &token, INVITATION).await? {
        Standing::Usable(v) => v,
        other => return explain(&state, other).await,
    };
    let d = Details::load(&state, &v).await?;
    let again = |errors: FieldErrors, form_error: Option<String>, status: StatusCode| {
        let mut p = page(&token, &v, &d, user.as_ref());
        p.name = form.name.clone();
        p.focus = if errors.contains_key("name") || errors.is_empty() {
            "name"
        } else {
            "password"
        };
        p.errors = errors;
        p.form_error = form_error;
        Ok::<_, Error>((status, render(&p)?).into_response())
    };

    // Who accepts: the existing account (proved by its session or password),
    // or a new one from the form.
    let existing = match &d.account {
        Some(id) if user.as_ref().is_some_and(|u| &u.id == id) => Some(id.clone()),
        Some(_) => {
            let creds = Credentials {
                email: v.identifier.clone(),
                password: form.password.clone(),
            };
            match login::authenticate(&state, &creds, &origin).await {
                Ok(id) => Some(id),
                Err(Error::Unauthorized) => {
                    let mut errors = FieldErrors::new();
                    errors.insert(
                        "password".into(),
                        vec!["That is not the password of this account.".into()],
                    );
                    return again(errors, None, StatusCode::UNPROCESSABLE_ENTITY);
                }
                Err(Error::TooManyRequests { retry_after_secs }) => {
                    let minutes = retry_after_secs.div_ceil(60);
                    return again(
                        FieldErrors::new(),
                        Some(format!(
                            "Too many failed attempts. Try again in {minutes} minute{}.",
                            if minutes == 1 { "" } else { "s" }
                        )),
                        StatusCode::TOO_MANY_REQUESTS,
                    );
                }
                Err(e) => return Err(e),
            }
        }
        None => {
            let mut errors = password::check_new(&form.password, &form.password_confirm);
            if form.name.trim().is_empty() {
                errors.insert("name".into(), vec!["Tell us your name.".into()]);
            }
            if !errors.is_empty() {
                return again(errors, None, StatusCode::UNPROCESSABLE_ENTITY);
            }
            None
        }
    };

    let port_id = v.port_id.ok_or(Error::NotFound)?;
    let mut tx = state.db.begin_port(port_id).await?;
    // The one place the token is spent: a second submit finds nothing to claim.
    let Some(v) = verifications::claim(&mut tx, &token, INVITATION).await? else {
        drop(tx);
        let now = verifications::look_up(state.db.pool(), &token, INVITATION).await?;
        return explain(&state, now).await;
    };
    let role_id = v.role_id.ok_or(Error::NotFound)?;
    let (user_id, created) = match existing {
        Some(id) => (id, false),
        None => {
            let new = NewUser {
                email: v.identifier.clone(),
                name: form.name.trim().to_owned(),
                password: form.password.clone(),
                super_admin: false,
                port_role: None,
            };
            (users::create_in(&mut tx, &new).await?.id, true)
        }
    };
    let actor = Actor::user(&user_id, &origin);
    if created {
        let mut entry = Entry::new(
            Some(port_id),
            Action::Create,
            "user",
            Uuid::parse_str(&user_id).ok(),
        );
        entry.new = Some(json!({"email": v.identifier, "name": form.name.trim()}));
        entry.metadata = json!({"invitation_id": v.id});
        audit::record(&mut tx, &actor, entry).await?;
    }
    let assigned = sqlx::query_scalar!(
        "INSERT INTO user_port_roles (user_id, port_id, role_id, assigned_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, port_id, role_id) DO NOTHING RETURNING id",
        user_id,
        port_id,
        role_id,
        v.invited_by
    )
    .fetch_optional(&mut *tx)
    .await?;
    let mut entry = Entry::new(Some(port_id), Action::Create, "user_port_role", assigned);
    entry.new = Some(json!({"user_id": user_id, "role_id": role_id}));
    entry.metadata = json!({"invitation_id": v.id, "invited_by": v.invited_by});
    audit::record(&mut tx, &actor, entry).await?;
    tx.commit().await?;

    let session = login::open_session(&state, &user_id, &origin).await?;
    let jar = jar.add(session::cookie(session, login::secure_cookies(&state)));
    Ok((jar, Redirect::to(&format!("/ports/{}", d.port_slug))).into_response())
}

/// The page for an invitation link that does not work, saying why.
async fn explain(state: &AppState, standing: Standing) -> Result<Response> {
    let ask = "Ask the person who invited you to send a new invitation.";
    let problem = match standing {
        Standing::Unknown => LinkProblem::new(
            "unknown",
            "This invitation link does not work",
            format!(
                "No invitation has this address. The link may have been cut short: \
                 copy the whole address from the e-mail. Otherwise, {}",
                lower_first(ask)
            ),
        ),
        Standing::Used(_) => LinkProblem::new(
            "used",
            "This invitation has already been used",
            "Each invitation link works once, and this one has been accepted. \
             If it was you, sign in with your e-mail address and password."
                .into(),
        )
        .way(Way::primary("/login", "Sign in"))
        .way(Way::other("/forgot-password", "Forgot your password?")),
        Standing::Revoked(v) => {
            let inviter = inviter(state, &v).await?;
            let problem = LinkProblem::new(
                "revoked",
                "This invitation was withdrawn",
                format!(
                    "It was cancelled, or replaced by a newer invitation to the same address: \
                     look for a newer e-mail, or ask {} for a new invitation.",
                    inviter
                        .as_ref()
                        .map_or("the person who invited you".into(), Inviter::label)
                ),
            );
            write_to(problem, inviter.as_ref())
        }
        Standing::Expired(v) => {
            let inviter = inviter(state, &v).await?;
            let who = inviter
                .as_ref()
                .map_or("the person who invited you".into(), Inviter::label);
            let problem = LinkProblem::new(
                "expired",
                "This invitation has expired",
                format!(
                    "Invitations are valid for {} days, and this one ended on {}. Ask {who} to send you a new one.",
                    super::VALID_FOR.num_days(),
                    crate::mail::when(v.expires_at)
                ),
            );
            write_to(problem, inviter.as_ref())
        }
        // A usable token never comes here; say nothing more than for an unknown one.
        Standing::Usable(_) => {
            LinkProblem::new("unknown", "This invitation link does not work", ask.into())
        }
    };
    problem.respond()
}

/// Who sent an invitation.
struct Inviter {
    name: String,
    email: String,
}

impl Inviter {
    /// "Dana Reyes (dana@example.com)"
    fn label(&self) -> String {
        format!("{} ({})", self.name, self.email)
    }
}

async fn inviter(state: &AppState, v: &Verification) -> Result<Option<Inviter>> {
    let Some(id) = v.invited_by.as_deref() else {
        return Ok(None);
    };
    let row = sqlx::query!(
        r#"SELECT p.display_name, u.email AS "email: String" FROM users u JOIN user_profiles p ON p.user_id = u.id WHERE u.id = $1"#,
        id
    )
    .fetch_optional(state.db.pool())
    .await?;
    Ok(row.map(|r| Inviter {
        name: r.display_name,
        email: r.email,
    }))
}

/// Offers to write to the inviter, when they are known.
fn write_to(problem: LinkProblem, inviter: Option<&Inviter>) -> LinkProblem {
    match inviter {
        Some(i) => problem.way(Way::primary(
            &format!("mailto:{}", i.email),
            &format!("Write to {}", i.name),
        )),
        None => problem,
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}
