//! Berths in the global search (`search::groups`): mooring numbers and
//! areas containing the term.

use crate::http::Result;

/// The global search's berth group: mooring numbers and areas containing the
/// term, exact and prefix matches of the mooring number first. `None` for a
/// user who may not view berths.
pub async fn group(
    ctx: &crate::access::PortCtx,
    tx: &mut crate::db::PortTx,
    q: &str,
    limit: i64,
) -> Result<Option<crate::search::Group>> {
    if !ctx.can("berths.view") {
        return Ok(None);
    }
    let rows = sqlx::query!(
        "SELECT id, mooring_number, area, status FROM berths
         WHERE mooring_number ILIKE $1 OR area ILIKE $1
         ORDER BY lower(mooring_number) = lower($2) DESC, mooring_number ILIKE $3 DESC, mooring_number, id
         LIMIT $4",
        crate::db::like::contains(q),
        q,
        format!("{}%", crate::db::like::escape(q)),
        limit
    )
    .fetch_all(&mut **tx)
    .await?;
    let slug = &ctx.port.slug;
    let items = rows
        .into_iter()
        .map(|r| {
            let status = super::list_page::status_of(&r.status).1;
            crate::search::Hit {
                url: format!("/ports/{slug}/berths/{}", r.id),
                id: r.id,
                title: format!("Berth {}", r.mooring_number),
                subtitle: [r.area.as_deref(), Some(status)]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · "),
            }
        })
        .collect();
    Ok(Some(crate::search::Group {
        kind: "berths",
        label: "Berths",
        items,
        more: format!(
            "/ports/{slug}/berths?{}",
            serde_urlencoded::to_string([("q", q)]).unwrap_or_default()
        ),
    }))
}
