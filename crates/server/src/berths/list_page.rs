//! `GET /ports/{port}/berths`: the berth list page. Its state lives in the
//! URL (filters, sort, cursor), so a view can be bookmarked or shared; it
//! reads the same filters as the API and runs the same single query.

use super::list::{self, BerthRow, Filters, Key, Sort};
use crate::access::{self, Access, PortCtx, Routes};
use crate::http::cursor::cursor_of;
use crate::http::error::FieldErrors;
use crate::http::{Error, Result};
use crate::web::render;
use crate::web::shell::{Section, Shell};
use askama::Template;
use axum::extract::RawQuery;
use axum::response::{IntoResponse, Response};
use domain::berths::TenureType;
use domain::settings::BerthStatus;
use rust_decimal::Decimal;
use uuid::Uuid;

const PAGE_ROWS: i64 = 50;

pub fn routes(routes: Routes) -> Routes {
    routes.get("/ports/{port}/berths", Access::Port("berths.view"), show)
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Header {
    pub label: &'static str,
    pub numeric: bool,
    pub href: Option<String>,
    pub sorted: Option<&'static str>,
}

pub struct Row {
    pub id: Uuid,
    pub mooring_number: String,
    pub area: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub length: String,
    pub width: String,
    pub draft: String,
    pub depth: String,
    pub price: String,
    pub tenure: String,
    pub tags: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "berths/list.html")]
struct ListPage {
    shell: Shell,
    slug: String,
    errors: FieldErrors,
    q: String,
    areas: Vec<Choice>,
    statuses: Vec<Choice>,
    tenures: Vec<Choice>,
    tags: Vec<Choice>,
    length_min: String,
    length_max: String,
    sort: String,
    headers: Vec<Header>,
    rows: Vec<Row>,
    count: i64,
    next: Option<String>,
    first_page: Option<String>,
    filtered: bool,
    can_create: bool,
    maintenance_href: String,
}

/// "18.29 m · 60 ft" (or "—").
pub fn pair(m: Option<Decimal>, ft: Option<Decimal>) -> String {
    match (m, ft) {
        (Some(m), Some(ft)) => format!("{} m · {} ft", m.normalize(), ft.normalize()),
        _ => "—".to_owned(),
    }
}

/// "USD 250,000" with thousands separated; "—" without a price.
pub fn money(amount: Option<Decimal>, currency: &str) -> String {
    let Some(a) = amount else {
        return "—".to_owned();
    };
    let a = a.round_dp(2).normalize();
    let text = a.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if a.is_sign_negative() { "-" } else { "" };
    match frac {
        "" => format!("{currency} {sign}{grouped}"),
        f => format!("{currency} {sign}{grouped}.{f:0<2}"),
    }
}

pub fn status_of(s: &str) -> (&'static str, &'static str) {
    match s.parse::<BerthStatus>() {
        Ok(st) => (st.as_str(), st.label()),
        Err(_) => ("unknown", "Unknown"),
    }
}

fn row(r: BerthRow) -> Row {
    let (status, status_label) = status_of(&r.status);
    let tenure = match (r.tenure_type.as_str(), r.tenure_end_date) {
        ("fixed_term", Some(end)) => format!("Fixed term to {end}"),
        ("fixed_term", None) => "Fixed term".to_owned(),
        _ => "Permanent".to_owned(),
    };
    let tags = r
        .tags
        .as_array()
        .map(|a| {
            a.iter()
                .map(|t| {
                    (
                        t["name"].as_str().unwrap_or("").to_owned(),
                        t["color"].as_str().unwrap_or("#6B7280").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Row {
        id: r.id,
        mooring_number: r.mooring_number,
        area: r.area.unwrap_or_else(|| "—".into()),
        status,
        status_label,
        length: pair(r.length_m, r.length_ft),
        width: pair(r.width_m, r.width_ft),
        draft: pair(r.draft_m, r.draft_ft),
        depth: pair(r.water_depth_m, r.water_depth),
        price: money(r.price, &r.price_currency),
        tenure,
        tags,
    }
}

/// The query string with `key` set to `value` (or removed), cursor dropped.
fn with(pairs: &[(String, String)], key: &str, value: Option<&str>) -> String {
    let mut out: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != key && k != "cursor")
        .cloned()
        .collect();
    if let Some(v) = value {
        out.push((key.to_owned(), v.to_owned()));
    }
    serde_urlencoded::to_string(&out).unwrap_or_default()
}

fn value_of(pairs: &[(String, String)], key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

/// `GET /ports/{port}/berths`
async fn show(ctx: PortCtx, RawQuery(raw): RawQuery) -> Result<Response> {
    let pairs = crate::client_list::params::pairs(raw.as_deref())?;
    // Checkboxes send one `status` per chip; the API's parser reads each.
    let (filters, errors) = match list::parse(&pairs, &["cursor"]) {
        Ok(f) => (f, FieldErrors::new()),
        Err(Error::Unprocessable(e)) => (Filters::default(), e),
        Err(e) => return Err(e),
    };
    let cursor = pairs
        .iter()
        .find(|(k, _)| k == "cursor")
        .map(|(_, v)| v.as_str());
    let after: Option<Key> = crate::http::cursor::after(cursor)?;
    let slug = ctx.port.slug.clone();
    let mut tx = ctx.begin().await?;
    let (rows, count) = if errors.is_empty() {
        let rows = list::fetch(
            &mut tx,
            ctx.port.id,
            &filters,
            after.as_ref(),
            PAGE_ROWS + 1,
        )
        .await;
        match rows {
            Ok(rows) => (rows, list::count(&mut tx, ctx.port.id, &filters).await?),
            Err(Error::Unprocessable(e)) => {
                tx.commit().await?;
                return page(&ctx, &pairs, Filters::default(), e, Vec::new(), 0, None).await;
            }
            Err(e) => return Err(e),
        }
    } else {
        (Vec::new(), 0)
    };
    tx.commit().await?;
    let more = rows.len() as i64 > PAGE_ROWS;
    let mut rows = rows;
    rows.truncate(PAGE_ROWS as usize);
    let next = more.then(|| {
        let last = rows.last().expect("a full page has a last row");
        let q = with(&pairs, "cursor", None);
        let c = cursor_of(&last.key(filters.sort));
        format!(
            "/ports/{slug}/berths?{q}{}cursor={c}",
            if q.is_empty() { "" } else { "&" }
        )
    });
    page(&ctx, &pairs, filters, errors, rows, count, next).await
}

async fn page(
    ctx: &PortCtx,
    pairs: &[(String, String)],
    filters: Filters,
    errors: FieldErrors,
    rows: Vec<BerthRow>,
    count: i64,
    next: Option<String>,
) -> Result<Response> {
    let slug = ctx.port.slug.clone();
    let mut tx = ctx.begin().await?;
    let areas = sqlx::query_scalar!(
        r#"SELECT DISTINCT area AS "area!" FROM berths WHERE area IS NOT NULL ORDER BY 1"#
    )
    .fetch_all(&mut *tx)
    .await?;
    let tag_rows = sqlx::query!("SELECT id, name FROM tags ORDER BY lower(name), id")
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    let area = filters.area.clone().unwrap_or_default();
    let sort = filters.sort;
    let header = |label: &'static str, field: Option<&'static str>, numeric: bool| {
        let sorted = field.and_then(|f| {
            (sort.field() == f).then_some(if sort.desc { "descending" } else { "ascending" })
        });
        let href = field.map(|f| {
            let spec = if sort.field() == f && !sort.desc {
                format!("-{f}")
            } else {
                f.to_owned()
            };
            format!("/ports/{slug}/berths?{}", with(pairs, "sort", Some(&spec)))
        });
        Header {
            label,
            numeric,
            href,
            sorted,
        }
    };
    let headers = vec![
        header("Mooring", Some("mooring_number"), false),
        header("Area", Some("area"), false),
        header("Status", Some("status"), false),
        header("Length", Some("length_ft"), true),
        header("Beam", Some("width_ft"), true),
        header("Draft", Some("draft_ft"), true),
        header("Water depth", Some("water_depth"), true),
        header("Price", Some("price"), true),
        header("Tenure", Some("tenure_end_date"), false),
        header("Tags", None, false),
    ];
    let (length_min, length_max) = filters.range("length_ft");
    let shown = |d: Option<Decimal>| d.map(|d| d.normalize().to_string()).unwrap_or_default();
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let html = render(&ListPage {
        shell: Shell::for_ctx("Berths", Section::Berths, ctx, &ports),
        slug: slug.clone(),
        q: filters.q.clone().unwrap_or_default(),
        areas: areas
            .into_iter()
            .map(|a| Choice {
                selected: a.eq_ignore_ascii_case(&area),
                value: a.clone(),
                label: a,
            })
            .collect(),
        statuses: BerthStatus::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: s.label().to_owned(),
                selected: filters.statuses.contains(s),
            })
            .collect(),
        tenures: TenureType::ALL
            .iter()
            .map(|t| Choice {
                value: t.as_str().to_owned(),
                label: t.label().to_owned(),
                selected: filters.tenure_type == Some(*t),
            })
            .collect(),
        tags: tag_rows
            .into_iter()
            .map(|t| Choice {
                selected: filters.tags.contains(&t.id),
                value: t.id.to_string(),
                label: t.name,
            })
            .collect(),
        length_min: shown(length_min),
        length_max: shown(length_max),
        sort: if filters.sort == Sort::default() {
            String::new()
        } else {
            filters.sort.spec()
        },
        headers,
        filtered: filters.narrows() || !errors.is_empty(),
        errors,
        rows: rows.into_iter().map(row).collect(),
        count,
        first_page: (!value_of(pairs, "cursor").is_empty())
            .then(|| format!("/ports/{slug}/berths?{}", with(pairs, "cursor", None))),
        next,
        can_create: ctx.can("berths.create"),
        maintenance_href: format!("/ports/{slug}/berths/maintenance"),
    })?;
    Ok(html.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn money_groups_thousands() {
        let d = |s| Decimal::from_str(s).ok();
        assert_eq!(money(d("250000"), "USD"), "USD 250,000");
        assert_eq!(money(d("1234567.5"), "EUR"), "EUR 1,234,567.50");
        assert_eq!(money(d("999"), "USD"), "USD 999");
        assert_eq!(money(None, "USD"), "—");
    }
}
