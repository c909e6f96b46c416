//! The pages: the notifications page, and the bell's panel and badge that
//! htmx loads into the top bar. Forms post with the session's CSRF token and
//! answer with a redirect back, so they work without JavaScript too.

use super::store::{self, Filter, Notification};
use super::{Kind, query, scope};
use crate::access;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfForm;
use crate::http::cursor::{self, cursor_of};
use crate::http::{Error, Result};
use crate::ports::Port;
use crate::web::shell::{ASSET_URLS, AssetUrls, Section, Shell, UserMenu};
use crate::web::{Count, render};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;

const PAGE_SIZE: i64 = 25;
const PANEL_SIZE: i64 = 6;

/// A notification as a list shows it.
pub struct Item {
    pub id: Uuid,
    pub kind: &'static str,
    pub title: String,
    pub description: Option<String>,
    /// Where opening it leads: its record, or back here when it has none.
    pub open: String,
    pub has_link: bool,
    pub is_read: bool,
    pub ago: String,
    /// The exact time in the port's time zone, for the hover title.
    pub exact: String,
    pub iso: String,
}

impl Item {
    fn of(n: &Notification, tz: Tz, here: &str, now: DateTime<Utc>) -> Item {
        let link = n.link.as_deref().filter(|l| is_local(l));
        Item {
            id: n.id,
            kind: Kind::parse(&n.kind).map_or("Notification", Kind::label),
            title: n.title.clone(),
            description: n.description.clone().filter(|d| !d.is_empty()),
            open: link.unwrap_or(here).to_owned(),
            has_link: link.is_some(),
            is_read: n.is_read,
            ago: ago(n.created_at, now),
            exact: n
                .created_at
                .with_timezone(&tz)
                .format("%-d %b %Y, %H:%M %Z")
                .to_string(),
            iso: n
                .created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

/// What a fragment template needs of the layout: the icon sprite's URL.
pub struct Fragment {
    pub assets: &'static AssetUrls,
}

const FRAGMENT: Fragment = Fragment {
    assets: &ASSET_URLS,
};

/// Another port with unread notifications, linked from the page.
pub struct Elsewhere {
    pub name: String,
    pub slug: String,
    pub unread: Count,
}

#[derive(Template)]
#[template(path = "notifications/page.html")]
pub struct NotificationsPage {
    pub shell: Shell,
    pub csrf: String,
    pub port: Port,
    pub unread_only: bool,
    pub unread: Count,
    pub items: Vec<Item>,
    /// The next page's URL, when there is more.
    pub more: Option<String>,
    /// Whether this is a later page (offer the way back to the newest).
    pub paged: bool,
    pub elsewhere: Vec<Elsewhere>,
    /// This page's URL, where its forms come back to.
    pub here: String,
}

#[derive(Template)]
#[template(path = "notifications/panel.html")]
pub struct PanelFragment {
    pub shell: Fragment,
    pub csrf: String,
    pub slug: String,
    pub unread: Count,
    pub items: Vec<Item>,
    pub here: String,
}

#[derive(Template)]
#[template(path = "notifications/badge.html")]
pub struct BadgeFragment {
    pub slug: String,
    pub unread: i64,
}

impl BadgeFragment {
    /// What the badge shows: a count, capped so it fits the bell.
    pub fn label(&self) -> String {
        if self.unread > 99 {
            "99+".to_owned()
        } else {
            self.unread.to_string()
        }
    }
}

#[derive(Deserialize, Default)]
struct PageQuery {
    port: Option<String>,
    unread: Option<bool>,
    cursor: Option<String>,
}

/// `GET /notifications`: the notifications of one of the user's ports (the
/// first by default), all or the unread, newest first.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let q: PageQuery = query(raw)?;
    let ports = access::ports_of(&state, &user).await?;
    let port = match &q.port {
        Some(slug) => ports
            .iter()
            .find(|p| &p.slug == slug)
            .ok_or(Error::NotFound)?,
        // No port at all: the home page says what to do about that.
        None => match ports.first() {
            Some(port) => port,
            None => return Ok(Redirect::to("/").into_response()),
        },
    };
    let unread_only = q.unread.unwrap_or(false);
    let filter = Filter {
        unread_only,
        after: cursor::after(q.cursor.as_deref())?,
    };
    let list = store::page(&state.db, &user.id, &[port.id], filter, PAGE_SIZE).await?;
    let ids: Vec<Uuid> = ports.iter().map(|p| p.id).collect();
    let counts = store::unread_each(&state.db, &user.id, &ids).await?;
    let unread = ports
        .iter()
        .zip(&counts)
        .find(|(p, _)| p.id == port.id)
        .map_or(0, |(_, n)| *n);
    let elsewhere = ports
        .iter()
        .zip(&counts)
        .filter(|(p, n)| p.id != port.id && **n > 0)
        .map(|(p, n)| Elsewhere {
            name: p.name.clone(),
            slug: p.slug.clone(),
            unread: Count(*n),
        })
        .collect();

    let list_url = |cursor: Option<String>| {
        let mut params = vec![("port", port.slug.clone())];
        if unread_only {
            params.push(("unread", "true".into()));
        }
        if let Some(c) = cursor {
            params.push(("cursor", c));
        }
        format!(
            "/notifications?{}",
            serde_urlencoded::to_string(params).unwrap_or_default()
        )
    };
    let here = list_url(filter.after.as_ref().map(cursor_of));
    let tz: Tz = port.timezone.parse().unwrap_or(Tz::UTC);
    let now = Utc::now();
    let mut shell = Shell::for_port("Notifications", Section::Dashboard, port, &ports);
    // The page belongs to no section of the navigation.
    for item in &mut shell.nav {
        item.current = false;
    }
    shell.user = Some(UserMenu::of(&user));
    let page = NotificationsPage {
        csrf: user.csrf_token(),
        port: port.clone(),
        unread_only,
        unread: Count(unread),
        items: list
            .data
            .iter()
            .map(|n| Item::of(n, tz, &here, now))
            .collect(),
        more: list.next_cursor.map(|c| list_url(Some(c))),
        paged: filter.after.is_some(),
        elsewhere,
        here,
        shell,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize, Default)]
struct PortQuery {
    port: Option<String>,
}

/// The port a fragment is for: the one named, else the user's first.
async fn fragment_port(state: &AppState, user: &CurrentUser, raw: Option<String>) -> Result<Port> {
    let q: PortQuery = query(raw)?;
    let ports = super::ports_in_scope(state, user, q.port.as_deref()).await?;
    ports.into_iter().next().ok_or(Error::NotFound)
}

/// `GET /notifications/panel?port=`: the bell's panel, the latest few.
pub async fn panel(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>> {
    let port = fragment_port(&state, &user, raw).await?;
    let rows = store::page(
        &state.db,
        &user.id,
        &[port.id],
        Filter::default(),
        PANEL_SIZE,
    )
    .await?
    .data;
    let unread = store::unread(&state.db, &user.id, &[port.id]).await?;
    let here =
        current_page(&headers).unwrap_or_else(|| format!("/notifications?port={}", port.slug));
    let tz: Tz = port.timezone.parse().unwrap_or(Tz::UTC);
    let now = Utc::now();
    render(&PanelFragment {
        shell: FRAGMENT,
        csrf: user.csrf_token(),
        items: rows.iter().map(|n| Item::of(n, tz, &here, now)).collect(),
        slug: port.slug,
        unread: Count(unread),
        here,
    })
}

/// `GET /notifications/badge?port=`: the bell's unread count at the port.
pub async fn badge(
    State(state): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>> {
    let port = fragment_port(&state, &user, raw).await?;
    let unread = store::unread(&state.db, &user.id, &[port.id]).await?;
    render(&BadgeFragment {
        slug: port.slug,
        unread,
    })
}

#[derive(Deserialize)]
pub struct ReadForm {
    next: Option<String>,
}

/// `POST /notifications/{id}/read`: marks it read, then on to `next` (its
/// record, or back to the list).
pub async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<ReadForm>,
) -> Result<Response> {
    let ports = scope(&state, &user, None).await?;
    store::mark_read(&state.db, &user.id, &ports, id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Redirect::to(&back_to(form.next.as_deref())).into_response())
}

#[derive(Deserialize)]
pub struct ReadAllForm {
    port: Option<String>,
    next: Option<String>,
}

/// `POST /notifications/read-all`: every unread one at the port (or all ports).
pub async fn read_all(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<ReadAllForm>,
) -> Result<Response> {
    let ports = scope(&state, &user, form.port.as_deref()).await?;
    store::mark_all_read(&state.db, &user.id, &ports).await?;
    Ok(Redirect::to(&back_to(form.next.as_deref())).into_response())
}

/// A path of ours only: never another site, so a form cannot send anyone away.
fn is_local(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.contains('\\')
}

fn back_to(next: Option<&str>) -> String {
    next.filter(|n| is_local(n))
        .unwrap_or("/notifications")
        .to_owned()
}

/// The page htmx asked from (`HX-Current-URL`), as a local path.
fn current_page(headers: &HeaderMap) -> Option<String> {
    let url = headers.get("hx-current-url")?.to_str().ok()?;
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = &after_scheme[after_scheme.find('/')?..];
    let path = path.split('#').next().unwrap_or(path);
    is_local(path).then(|| path.to_owned())
}

/// "just now", "5 min ago", "3 h ago", "2 days ago", then the date.
pub fn ago(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds().max(0);
    match secs {
        0..60 => "just now".to_owned(),
        60..3_600 => format!("{} min ago", secs / 60),
        3_600..86_400 => format!("{} h ago", secs / 3_600),
        86_400..172_800 => "yesterday".to_owned(),
        172_800..604_800 => format!("{} days ago", secs / 86_400),
        _ => then.format("%-d %b %Y").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_people_say_them() {
        let now = DateTime::parse_from_rfc3339("2025-03-12T12:00:00Z")
            .unwrap()
            .to_utc();
        let at = |secs: i64| ago(now - chrono::Duration::seconds(secs), now);
        assert_eq!(at(5), "just now");
        assert_eq!(at(-30), "just now");
        assert_eq!(at(60 * 7), "7 min ago");
        assert_eq!(at(3_600 * 5), "5 h ago");
        assert_eq!(at(86_400 + 10), "yesterday");
        assert_eq!(at(86_400 * 3), "3 days ago");
        assert_eq!(at(86_400 * 30), "10 Feb 2025");
    }

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(
            back_to(Some("/ports/north/clients/1")),
            "/ports/north/clients/1"
        );
        for bad in [
            "https://evil.test/",
            "//evil.test",
            "/\\evil.test",
            "javascript:x",
            "",
        ] {
            assert_eq!(back_to(Some(bad)), "/notifications", "{bad}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            "hx-current-url",
            "http://127.0.0.1:8080/ports/north?tab=1#x".parse().unwrap(),
        );
        assert_eq!(
            current_page(&headers).as_deref(),
            Some("/ports/north?tab=1")
        );
    }
}
