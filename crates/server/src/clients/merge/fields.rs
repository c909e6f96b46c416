//! Which record's value each client field keeps in a merge.
//!
//! The caller may name any client column (and any client custom field as
//! `custom_fields.<field_name>`) with "surviving" or "merged". A field not
//! named keeps the surviving client's value, unless that is empty (null) and
//! the merged client's is not: then the merged value fills the gap, so a merge
//! never loses information nobody chose to drop. A yacht dimension is one
//! measurement in two units: choosing `yacht_length_ft` chooses
//! `yacht_length_m` too, and contradicting choices for the two are refused.

use crate::http::Error;
use crate::http::error::FieldErrors;
use serde_json::Value;
use std::collections::BTreeMap;

/// The client columns a merge chooses between (identity, tenancy, archive
/// state and bookkeeping stay the surviving client's).
pub const COLUMNS: [&str; 20] = [
    "full_name",
    "company_name",
    "nationality",
    "is_proxy",
    "proxy_type",
    "actual_owner_name",
    "relationship_notes",
    "yacht_name",
    "yacht_length_ft",
    "yacht_length_m",
    "yacht_width_ft",
    "yacht_width_m",
    "yacht_draft_ft",
    "yacht_draft_m",
    "berth_size_desired",
    "preferred_contact_method",
    "preferred_language",
    "timezone",
    "source",
    "source_details",
];

/// The two units of one measurement.
const UNIT_PAIRS: [(&str, &str); 3] = [
    ("yacht_length_ft", "yacht_length_m"),
    ("yacht_width_ft", "yacht_width_m"),
    ("yacht_draft_ft", "yacht_draft_m"),
];

pub const CUSTOM_PREFIX: &str = "custom_fields.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Surviving,
    Merged,
}

/// The caller's choices, checked: column → side, custom field name → side.
#[derive(Debug, Default)]
pub struct Choices {
    pub columns: BTreeMap<String, Side>,
    pub custom: BTreeMap<String, Side>,
}

/// Reads the body's `fields`; `custom_fields` are the port's client custom
/// field names. Every bad entry is named (`fields.<name>`) in one 422.
pub fn parse(
    fields: &BTreeMap<String, String>,
    custom_fields: &[String],
) -> Result<Choices, Error> {
    let mut errors = FieldErrors::new();
    let mut choices = Choices::default();
    for (name, choice) in fields {
        let side = match choice.as_str() {
            "surviving" => Some(Side::Surviving),
            "merged" => Some(Side::Merged),
            _ => None,
        };
        let key = format!("fields.{name}");
        let Some(side) = side else {
            errors.insert(key, vec!["must be \"surviving\" or \"merged\"".into()]);
            continue;
        };
        if let Some(custom) = name.strip_prefix(CUSTOM_PREFIX) {
            if custom_fields.iter().any(|f| f == custom) {
                choices.custom.insert(custom.to_owned(), side);
            } else {
                errors.insert(key, vec!["is not a custom field of clients".into()]);
            }
        } else if COLUMNS.contains(&name.as_str()) {
            choices.columns.insert(name.clone(), side);
        } else {
            errors.insert(key, vec!["is not a client field".into()]);
        }
    }
    for (ft, m) in UNIT_PAIRS {
        match (
            choices.columns.get(ft).copied(),
            choices.columns.get(m).copied(),
        ) {
            (Some(a), Some(b)) if a != b => {
                errors.insert(
                    format!("fields.{m}"),
                    vec![format!("must come from the same record as {ft}")],
                );
            }
            (Some(a), None) => {
                choices.columns.insert(m.to_owned(), a);
            }
            (None, Some(b)) => {
                choices.columns.insert(ft.to_owned(), b);
            }
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(choices)
    } else {
        Err(Error::Unprocessable(errors))
    }
}

/// Every column's side: the explicit choice, else the rule above, given both
/// records as JSON objects.
pub fn resolve(choices: &Choices, surviving: &Value, merged: &Value) -> BTreeMap<String, Side> {
    let is_null = |v: &Value, col: &str| v.get(col).is_none_or(Value::is_null);
    COLUMNS
        .iter()
        .map(|&col| {
            // A unit pair follows its ft column, so both units stay one measurement.
            let lead = UNIT_PAIRS
                .iter()
                .find(|(_, m)| *m == col)
                .map_or(col, |(ft, _)| *ft);
            let side = choices.columns.get(col).copied().unwrap_or(
                if is_null(surviving, lead) && !is_null(merged, lead) {
                    Side::Merged
                } else {
                    Side::Surviving
                },
            );
            (col.to_owned(), side)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn bad_names_and_choices_are_each_named() {
        let Err(Error::Unprocessable(errors)) = parse(
            &fields(&[
                ("full_name", "both"),
                ("shoe_size", "merged"),
                ("custom_fields.nope", "merged"),
                ("yacht_width_ft", "merged"),
                ("yacht_width_m", "surviving"),
            ]),
            &["budget".into()],
        ) else {
            panic!("accepted")
        };
        let keys: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "fields.custom_fields.nope",
                "fields.full_name",
                "fields.shoe_size",
                "fields.yacht_width_m"
            ]
        );
    }

    #[test]
    fn unnamed_fields_keep_the_survivor_unless_it_is_empty() {
        let choices = parse(
            &fields(&[("full_name", "merged"), ("yacht_length_m", "merged")]),
            &[],
        )
        .unwrap();
        let s = json!({"full_name": "A", "yacht_name": null, "company_name": "S Ltd", "yacht_width_ft": 10});
        let m = json!({"full_name": "B", "yacht_name": "Aurora", "company_name": "M Ltd", "yacht_width_ft": null});
        let sides = resolve(&choices, &s, &m);
        assert_eq!(sides["full_name"], Side::Merged);
        assert_eq!(sides["yacht_name"], Side::Merged);
        assert_eq!(sides["company_name"], Side::Surviving);
        assert_eq!(sides["yacht_length_ft"], Side::Merged);
        assert_eq!(sides["yacht_width_m"], Side::Surviving);
        assert_eq!(sides["is_proxy"], Side::Surviving);
    }
}
