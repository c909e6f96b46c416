//! `GET /ports/{port}`: the port's dashboard, counted in a port transaction.

use super::shell::{Section, Shell};
use super::{Count, render};
use crate::access::{self, PortCtx};
use crate::app::AppState;
use crate::http::Result;
use crate::ports::Port;
use askama::Template;
use axum::response::Html;
use domain::pipeline::Stage;
use uuid::Uuid;

pub struct StatCard {
    /// A stable name for tests and styling (`berths_available`, `clients`).
    pub key: &'static str,
    pub label: &'static str,
    pub value: Count,
    pub hint: String,
    pub tone: &'static str,
}

pub struct StageRow {
    pub key: &'static str,
    pub label: &'static str,
    pub count: Count,
    /// Width of its bar, 0–100, relative to the busiest stage.
    pub share: String,
}

/// One status's slice of the berth bar, in the bar's 0–100 coordinates.
pub struct Segment {
    pub tone: &'static str,
    pub x: String,
    pub width: String,
}

pub struct LegendItem {
    pub tone: &'static str,
    pub label: &'static str,
    pub count: Count,
    pub percent: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub shell: Shell,
    pub port: Port,
    pub empty: bool,
    pub cards: Vec<StatCard>,
    pub stages: Vec<StageRow>,
    pub interests_total: Count,
    pub berths_total: Count,
    pub berth_segments: Vec<Segment>,
    pub berth_legend: Vec<LegendItem>,
}

/// The numbers the dashboard shows.
#[derive(Debug, Default, PartialEq)]
pub struct Figures {
    pub available: i64,
    pub under_offer: i64,
    pub sold: i64,
    pub clients: i64,
    /// Active (not archived) interests per stage, in `Stage::ALL` order.
    pub stages: [i64; 8],
}

/// `GET /ports/{port}`, for any member of the port.
pub async fn show(ctx: PortCtx) -> Result<Html<String>> {
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let figures = figures(ctx.state(), ctx.port.id).await?;
    let shell = Shell::for_ctx("Dashboard", Section::Dashboard, &ctx, &ports);
    render(&page(shell, ctx.port.clone(), &figures))
}

/// Counts for `port_id`, read under row-level security as that port.
pub async fn figures(state: &AppState, port_id: Uuid) -> Result<Figures> {
    let mut tx = state.db.begin_port(port_id).await?;
    let counts = sqlx::query!(
        r#"SELECT
             count(*) FILTER (WHERE status = 'available') AS "available!",
             count(*) FILTER (WHERE status = 'under_offer') AS "under_offer!",
             count(*) FILTER (WHERE status = 'sold') AS "sold!",
             (SELECT count(*) FROM clients WHERE port_id = $1 AND archived_at IS NULL) AS "clients!"
           FROM berths WHERE port_id = $1"#,
        port_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let by_stage = sqlx::query!(
        r#"SELECT pipeline_stage, count(*) AS "count!"
           FROM interests WHERE port_id = $1 AND archived_at IS NULL
           GROUP BY pipeline_stage"#,
        port_id
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;

    let mut stages = [0; 8];
    for row in by_stage {
        // A stage name the pipeline does not know is left out rather than guessed.
        if let Some(i) = Stage::ALL
            .iter()
            .position(|s| s.as_str() == row.pipeline_stage)
        {
            stages[i] = row.count;
        }
    }
    Ok(Figures {
        available: counts.available,
        under_offer: counts.under_offer,
        sold: counts.sold,
        clients: counts.clients,
        stages,
    })
}

pub fn page(shell: Shell, port: Port, f: &Figures) -> DashboardPage {
    let berths = f.available + f.under_offer + f.sold;
    let interests: i64 = f.stages.iter().sum();
    let of_berths = |n: i64| {
        if berths == 0 {
            "No berths yet".to_owned()
        } else {
            format!("{} of {} berths", percent(n, berths), Count(berths))
        }
    };
    let cards = vec![
        StatCard {
            key: "berths_available",
            label: "Available berths",
            value: Count(f.available),
            hint: of_berths(f.available),
            tone: "available",
        },
        StatCard {
            key: "berths_under_offer",
            label: "Under offer",
            value: Count(f.under_offer),
            hint: of_berths(f.under_offer),
            tone: "under-offer",
        },
        StatCard {
            key: "berths_sold",
            label: "Sold",
            value: Count(f.sold),
            hint: of_berths(f.sold),
            tone: "sold",
        },
        StatCard {
            key: "clients",
            label: "Clients",
            value: Count(f.clients),
            hint: format!(
                "{} active interest{}",
                Count(interests),
                if interests == 1 { "" } else { "s" }
            ),
            tone: "clients",
        },
    ];
    let busiest = f.stages.iter().copied().max().unwrap_or(0);
    let stages = Stage::ALL
        .iter()
        .zip(f.stages)
        .map(|(stage, n)| StageRow {
            key: stage.as_str(),
            label: stage.label(),
            count: Count(n),
            share: if busiest == 0 {
                "0".into()
            } else {
                format!("{:.2}", n as f64 * 100.0 / busiest as f64)
            },
        })
        .collect();
    let statuses = [
        ("available", "Available", f.available),
        ("under-offer", "Under offer", f.under_offer),
        ("sold", "Sold", f.sold),
    ];
    let mut x = 0.0;
    let mut berth_segments = Vec::new();
    for (tone, _, n) in statuses {
        if berths > 0 && n > 0 {
            let width = n as f64 * 100.0 / berths as f64;
            berth_segments.push(Segment {
                tone,
                x: format!("{x:.2}"),
                width: format!("{width:.2}"),
            });
            x += width;
        }
    }
    let berth_legend = statuses
        .iter()
        .map(|&(tone, label, n)| LegendItem {
            tone,
            label,
            count: Count(n),
            percent: percent(n, berths),
        })
        .collect();
    DashboardPage {
        shell,
        port,
        empty: berths == 0 && f.clients == 0 && interests == 0,
        cards,
        stages,
        interests_total: Count(interests),
        berths_total: Count(berths),
        berth_segments,
        berth_legend,
    }
}

/// `n` as a whole percentage of `total`; a dash when there is no total.
fn percent(n: i64, total: i64) -> String {
    if total == 0 {
        "–".to_owned()
    } else {
        format!("{}%", (n as f64 * 100.0 / total as f64).round())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port() -> Port {
        Port {
            id: Uuid::nil(),
            name: "North <Harbour>".into(),
            slug: "north".into(),
            timezone: "Europe/Lisbon".into(),
            default_currency: "EUR".into(),
            primary_color: None,
        }
    }

    fn render_with(f: &Figures) -> String {
        let shell = Shell::for_port("Dashboard", Section::Dashboard, &port(), &[port()]);
        page(shell, port(), f).render().unwrap()
    }

    #[test]
    fn an_empty_port_shows_zeros_and_says_what_to_do() {
        let html = render_with(&Figures::default());
        assert!(html.contains("Nothing here yet"));
        assert!(
            html.contains("North &#60;Harbour&#62;"),
            "names are escaped"
        );
        for stage in Stage::ALL {
            assert!(
                html.contains(&format!(
                    "data-stage=\"{}\" class=\"is-zero\"",
                    stage.as_str()
                )),
                "{stage}"
            );
        }
        assert!(html.contains("No berths yet"));
    }

    #[test]
    fn figures_become_cards_stage_rows_and_a_berth_bar() {
        let f = Figures {
            available: 3,
            under_offer: 1,
            sold: 0,
            clients: 1234,
            stages: [2, 0, 0, 0, 0, 0, 1, 0],
        };
        let page = page(Shell::bare("x", None), port(), &f);
        assert!(!page.empty);
        assert_eq!(page.cards[0].hint, "75% of 4 berths");
        assert_eq!(page.cards[3].value.to_string(), "1,234");
        assert_eq!(page.cards[3].hint, "3 active interests");
        assert_eq!(page.stages[0].share, "100.00");
        assert_eq!(page.stages[6].share, "50.00");
        assert_eq!(
            page.berth_segments.len(),
            2,
            "no slice for a status without berths"
        );
        assert_eq!(page.berth_segments[1].x, "75.00");
    }
}
