//! The list page's columns: which exist (the fixed ones and the port's custom
//! fields), which are shown by default, and each row's cells as text.

use super::sql::ClientRow;
use crate::web::shell::Accent;

/// A column the chooser offers.
pub struct Column {
    /// `col=` value: a field name, or `cf.<field_name>`.
    pub key: String,
    pub label: String,
    /// The `?sort=` name when the column sorts.
    pub sort: Option<&'static str>,
    pub numeric: bool,
}

/// Fixed columns: key, label, sort name, numeric, shown by default.
const FIXED: &[(&str, &str, Option<&str>, bool, bool)] = &[
    ("company_name", "Company", Some("company_name"), false, true),
    ("email", "E-mail", None, false, true),
    ("phone", "Phone", None, false, true),
    (
        "nationality",
        "Nationality",
        Some("nationality"),
        false,
        true,
    ),
    ("yacht_name", "Yacht", Some("yacht_name"), false, true),
    (
        "yacht_length_ft",
        "Length (ft)",
        Some("yacht_length_ft"),
        true,
        true,
    ),
    (
        "yacht_length_m",
        "Length (m)",
        Some("yacht_length_m"),
        true,
        false,
    ),
    ("source", "Source", Some("source"), false, true),
    ("tags", "Tags", None, false, true),
    ("is_proxy", "Proxy", None, false, false),
    ("preferred_language", "Language", None, false, false),
    ("created_at", "Added", Some("created_at"), false, true),
    ("updated_at", "Updated", Some("updated_at"), false, false),
];

/// Every column but the name (always first), then the custom fields.
pub fn all(custom: &[(String, String)]) -> Vec<Column> {
    FIXED
        .iter()
        .map(|(key, label, sort, numeric, _)| Column {
            key: (*key).to_owned(),
            label: (*label).to_owned(),
            sort: *sort,
            numeric: *numeric,
        })
        .chain(custom.iter().map(|(name, label)| Column {
            key: format!("cf.{name}"),
            label: label.clone(),
            sort: None,
            numeric: false,
        }))
        .collect()
}

pub fn defaults() -> Vec<String> {
    FIXED
        .iter()
        .filter(|c| c.4)
        .map(|c| c.0.to_owned())
        .collect()
}

pub struct TagChip {
    pub name: String,
    /// A checked `#rrggbb`, safe in a style attribute.
    pub color: Option<String>,
}

pub struct Cell {
    pub label: String,
    pub text: String,
    pub numeric: bool,
    pub tags: Vec<TagChip>,
}

fn date(t: chrono::DateTime<chrono::Utc>, tz: chrono_tz::Tz) -> String {
    t.with_timezone(&tz).format("%-d %b %Y").to_string()
}

/// The cells of `row` for the shown `columns`, in order.
pub fn cells(row: &ClientRow, columns: &[&Column], tz: chrono_tz::Tz) -> Vec<Cell> {
    columns
        .iter()
        .map(|c| {
            let s = |v: &Option<String>| v.clone().unwrap_or_default();
            let n = |v: &Option<rust_decimal::Decimal>| {
                v.map(|d| d.normalize().to_string()).unwrap_or_default()
            };
            let mut tags = Vec::new();
            let text = match c.key.as_str() {
                "company_name" => s(&row.company_name),
                "email" => s(&row.email),
                "phone" => s(&row.phone),
                "nationality" => s(&row.nationality),
                "yacht_name" => s(&row.yacht_name),
                "yacht_length_ft" => n(&row.yacht_length_ft),
                "yacht_length_m" => n(&row.yacht_length_m),
                "source" => row
                    .source
                    .as_deref()
                    .map(|v| {
                        v.parse::<domain::clients::Source>()
                            .map_or_else(|_| v.to_owned(), |s| s.label().to_owned())
                    })
                    .unwrap_or_default(),
                "is_proxy" => if row.is_proxy { "Proxy" } else { "" }.to_owned(),
                "preferred_language" => s(&row.preferred_language),
                "created_at" => date(row.created_at, tz),
                "updated_at" => date(row.updated_at, tz),
                "tags" => {
                    tags =
                        row.tags
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|t| TagChip {
                                name: t["name"].as_str().unwrap_or_default().to_owned(),
                                color: t["color"].as_str().and_then(Accent::parse).map(|_| {
                                    t["color"].as_str().unwrap_or_default().trim().to_owned()
                                }),
                            })
                            .collect();
                    String::new()
                }
                key => match key
                    .strip_prefix("cf.")
                    .and_then(|k| row.custom_fields.get(k))
                {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(v)) => v.clone(),
                    Some(serde_json::Value::Bool(b)) => if *b { "Yes" } else { "No" }.to_owned(),
                    Some(other) => other.to_string(),
                },
            };
            Cell {
                label: c.label.clone(),
                text,
                numeric: c.numeric,
                tags,
            }
        })
        .collect()
}
