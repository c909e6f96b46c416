//! The demo port's tags on its clients, and its clients' custom fields with
//! values; chosen from the client's place in the list, so every run is alike.

use super::clients::Client;
use crate::db::PortTx;
use serde_json::{Value, json};
use uuid::Uuid;

const TAGS: [(&str, &str); 8] = [
    ("VIP", "#B45309"),
    ("Broker", "#7C3AED"),
    ("Catamaran", "#0891B2"),
    ("Returning", "#16A34A"),
    ("Hot lead", "#DC2626"),
    ("Superyacht", "#1D4ED8"),
    ("Seasonal", "#CA8A04"),
    ("Referral", "#DB2777"),
];

/// Tags of client `i`: a few of the list, never the same pattern twice in a row.
fn picks(i: usize) -> Vec<usize> {
    let mut p: Vec<usize> = [
        (i.is_multiple_of(3), 0),
        (i % 5 == 1, 1),
        (i % 4 == 2, 2),
        (i % 3 == 1, 3),
    ]
    .into_iter()
    .chain([
        (i % 7 == 3, 4),
        (i % 6 == 5, 5),
        (i % 8 == 6, 6),
        (i % 9 == 4, 7),
    ])
    .filter(|(on, _)| *on)
    .map(|(_, t)| t)
    .collect();
    p.truncate(3);
    p
}

/// Inserts the tags and puts them on the clients; returns how many tags.
pub async fn insert_tags(tx: &mut PortTx, clients: &[Client]) -> anyhow::Result<usize> {
    let mut ids = Vec::new();
    for (name, color) in TAGS {
        let id = sqlx::query_scalar!(
            "INSERT INTO tags (name, color) VALUES ($1, $2) RETURNING id",
            name,
            color
        )
        .fetch_one(&mut **tx)
        .await?;
        ids.push(id);
    }
    let (mut client_ids, mut tag_ids): (Vec<Uuid>, Vec<Uuid>) = (Vec::new(), Vec::new());
    for (i, c) in clients.iter().enumerate() {
        for t in picks(i) {
            client_ids.push(c.id);
            tag_ids.push(ids[t]);
        }
    }
    sqlx::query!(
        "INSERT INTO client_tags (client_id, tag_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])",
        &client_ids,
        &tag_ids
    )
    .execute(&mut **tx)
    .await?;
    Ok(ids.len())
}

/// A demo field: name, label, type, options, required.
type Field = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static [&'static str]>,
    bool,
);

/// The clients' custom fields.
const FIELDS: [Field; 4] = [
    (
        "preferred_berth_side",
        "Preferred berth side",
        "select",
        Some(&["Port", "Starboard", "Stern-to", "No preference"]),
        false,
    ),
    (
        "annual_budget_usd",
        "Annual budget (USD)",
        "number",
        None,
        false,
    ),
    (
        "marketing_consent",
        "Marketing consent",
        "boolean",
        None,
        false,
    ),
    ("first_visit", "First visit", "date", None, false),
];

/// Client `i`'s value of field `f`, or none (not every client answered everything).
fn value(i: usize, f: usize) -> Option<Value> {
    if (i + f) % 4 == 3 {
        return None;
    }
    Some(match f {
        0 => json!(["Port", "Starboard", "Stern-to", "No preference"][i % 4]),
        1 => json!(60_000 + (i as i64 * 37_500) % 900_000),
        2 => json!(i % 3 != 2),
        _ => json!(format!(
            "20{:02}-{:02}-{:02}",
            18 + i % 8,
            1 + i % 12,
            1 + i % 28
        )),
    })
}

/// Inserts the clients' custom fields and their values; returns how many fields.
pub async fn insert_custom_fields(tx: &mut PortTx, clients: &[Client]) -> anyhow::Result<usize> {
    for (f, (name, label, kind, options, required)) in FIELDS.iter().enumerate() {
        let options = options.map(|o| json!(o));
        let field = sqlx::query_scalar!(
            "INSERT INTO custom_field_definitions
               (entity_type, field_name, field_label, field_type, select_options, is_required, sort_order)
             VALUES ('client', $1, $2, $3, $4, $5, $6) RETURNING id",
            name,
            label,
            kind,
            options,
            required,
            f as i32
        )
        .fetch_one(&mut **tx)
        .await?;
        let (mut ids, mut values) = (Vec::new(), Vec::new());
        for (i, c) in clients.iter().enumerate() {
            if let Some(v) = value(i, f) {
                ids.push(c.id);
                values.push(v);
            }
        }
        sqlx::query!(
            "INSERT INTO custom_field_values (field_id, entity_id, value)
             SELECT $1, * FROM unnest($2::uuid[], $3::jsonb[])",
            field,
            &ids,
            &values
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(FIELDS.len())
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_values_fit_their_fields() {
        use domain::custom_fields::{Definition, check_value};
        for (f, (name, _, kind, options, required)) in super::FIELDS.iter().enumerate() {
            let def = Definition {
                field_name: (*name).to_owned(),
                field_type: kind.parse().unwrap(),
                select_options: options
                    .map(|o| o.iter().map(|s| (*s).to_owned()).collect())
                    .unwrap_or_default(),
                is_required: *required,
            };
            for i in 0..60 {
                if let Some(v) = super::value(i, f) {
                    assert_eq!(check_value(&def, &v), Ok(Some(v.clone())), "{name} {i}");
                }
            }
        }
    }
}
