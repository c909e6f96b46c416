//! Custom fields: directors define extra fields per entity type (clients now,
//! interests and berths later); values are checked here against their
//! definition, so the API, the pages and the CSV import refuse the same things
//! with the same words.

use chrono::NaiveDate;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

crate::text_enum!(
    /// The records a port can give custom fields to.
    EntityType {
        Client => "client" / "Clients",
        Interest => "interest" / "Interests",
        Berth => "berth" / "Berths",
    }
);

crate::text_enum!(
    /// What a field holds, and so which input edits it.
    FieldType {
        Text => "text" / "Text",
        Number => "number" / "Number",
        Date => "date" / "Date",
        Boolean => "boolean" / "Yes / no",
        Select => "select" / "Choice from a list",
    }
);

/// Longest text value: a field, not a document.
pub const MAX_TEXT: usize = 1000;
/// Longest field name and label.
pub const MAX_NAME: usize = 60;
pub const MAX_LABEL: usize = 100;
/// Most options a select may have, and the longest option.
pub const MAX_OPTIONS: usize = 100;
pub const MAX_OPTION: usize = 100;

/// What validation needs to know of a definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub field_name: String,
    pub field_type: FieldType,
    pub select_options: Vec<String>,
    pub is_required: bool,
}

/// A field name: lower-case letters, digits and `_`, starting with a letter,
/// so it can be a JSON key, a CSV header and a list column alike.
pub fn field_name_problem(name: &str) -> Option<String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    let starts = name.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    if name.is_empty() || name.len() > MAX_NAME || !ok_chars || !starts {
        Some(format!(
            "must be 1 to {MAX_NAME} lower-case letters, digits or _, starting with a letter"
        ))
    } else {
        None
    }
}

/// A field name made from a label: "Annual budget (USD)" → `annual_budget_usd`.
pub fn slug_of(label: &str) -> String {
    let mut out = String::new();
    for c in label.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_');
    let out = out.trim_start_matches(|c: char| c.is_ascii_digit() || c == '_');
    out.chars().take(MAX_NAME).collect::<String>()
}

/// The options of a definition: required and non-empty for a select, distinct
/// after trimming; refused for any other type. Returns the cleaned list.
pub fn options_for(
    field_type: FieldType,
    options: Option<&[String]>,
) -> Result<Vec<String>, String> {
    match (field_type, options) {
        (FieldType::Select, None) => Err("a select field needs its options".into()),
        (FieldType::Select, Some(list)) => {
            let cleaned: Vec<String> = list.iter().map(|o| o.trim().to_owned()).collect();
            if cleaned.is_empty() {
                return Err("must list at least one option".into());
            }
            if cleaned.len() > MAX_OPTIONS {
                return Err(format!("at most {MAX_OPTIONS} options"));
            }
            if cleaned
                .iter()
                .any(|o| o.is_empty() || o.chars().count() > MAX_OPTION)
            {
                return Err(format!("each option must be 1 to {MAX_OPTION} characters"));
            }
            let mut seen = BTreeSet::new();
            if let Some(dup) = cleaned.iter().find(|o| !seen.insert(o.to_lowercase())) {
                return Err(format!("`{dup}` is listed twice"));
            }
            Ok(cleaned)
        }
        (_, None) => Ok(Vec::new()),
        (t, Some(_)) => Err(format!("only a select field has options, not {t}")),
    }
}

/// One value checked against its definition: `Ok(None)` clears it, `Ok(Some)`
/// is what to store (numbers as JSON numbers, dates as `YYYY-MM-DD`).
pub fn check_value(def: &Definition, raw: &Value) -> Result<Option<Value>, String> {
    let empty_text = raw.as_str().is_some_and(|s| s.trim().is_empty());
    if raw.is_null() || empty_text {
        return if def.is_required {
            Err("is required".into())
        } else {
            Ok(None)
        };
    }
    let stored = match def.field_type {
        FieldType::Text => {
            let s = raw.as_str().ok_or("must be text")?.trim();
            if s.chars().count() > MAX_TEXT {
                return Err(format!("must be at most {MAX_TEXT} characters"));
            }
            Value::String(s.to_owned())
        }
        FieldType::Number => Value::Number(number(raw).ok_or("must be a number")?),
        FieldType::Date => {
            let s = raw.as_str().ok_or("must be a date as YYYY-MM-DD")?.trim();
            let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| "must be a date as YYYY-MM-DD")?;
            Value::String(d.format("%Y-%m-%d").to_string())
        }
        FieldType::Boolean => match raw {
            Value::Bool(b) => Value::Bool(*b),
            Value::String(s) => match s.trim() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => return Err("must be true or false".into()),
            },
            _ => return Err("must be true or false".into()),
        },
        FieldType::Select => {
            let s = raw.as_str().map(str::trim);
            match s.and_then(|s| def.select_options.iter().find(|o| o.as_str() == s)) {
                Some(o) => Value::String(o.clone()),
                None => {
                    return Err(format!("must be one of: {}", def.select_options.join(", ")));
                }
            }
        }
    };
    Ok(Some(stored))
}

/// A JSON number, or a string holding one (a form or a CSV sends text).
fn number(raw: &Value) -> Option<serde_json::Number> {
    match raw {
        Value::Number(n) => Some(n.clone()),
        Value::String(s) => {
            let s = s.trim();
            if let Ok(i) = s.parse::<i64>() {
                return Some(i.into());
            }
            s.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .and_then(serde_json::Number::from_f64)
        }
        _ => None,
    }
}

/// A change to one field: its name and the value to store (`None` clears it).
pub type Change = (String, Option<Value>);

/// Checks a whole input object (`{"field_name": value, …}`) against the
/// entity's definitions. Errors name `custom_fields.<field_name>`. Fields not
/// in the input are left as they are.
pub fn check_input(
    defs: &[Definition],
    input: &Map<String, Value>,
) -> Result<Vec<Change>, Vec<(String, String)>> {
    let mut changes = Vec::new();
    let mut problems = Vec::new();
    for (name, raw) in input {
        let key = format!("custom_fields.{name}");
        match defs.iter().find(|d| &d.field_name == name) {
            None => problems.push((key, "is not a custom field of this record".into())),
            Some(def) => match check_value(def, raw) {
                Ok(v) => changes.push((name.clone(), v)),
                Err(m) => problems.push((key, m)),
            },
        }
    }
    if problems.is_empty() {
        Ok(changes)
    } else {
        Err(problems)
    }
}

/// The required fields that have no value once `changes` are applied to
/// `present` (the names holding a value now): for a record being created.
pub fn missing_required(
    defs: &[Definition],
    present: &BTreeSet<String>,
    changes: &[Change],
) -> Vec<(String, String)> {
    defs.iter()
        .filter(|d| d.is_required)
        .filter(|d| {
            let set_now = changes
                .iter()
                .find(|(n, _)| n == &d.field_name)
                .map(|(_, v)| v.is_some());
            !set_now.unwrap_or_else(|| present.contains(&d.field_name))
        })
        .map(|d| {
            (
                format!("custom_fields.{}", d.field_name),
                "is required".into(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(name: &str, t: FieldType, required: bool) -> Definition {
        Definition {
            field_name: name.into(),
            field_type: t,
            select_options: if t == FieldType::Select {
                vec!["Port".into(), "Starboard".into()]
            } else {
                vec![]
            },
            is_required: required,
        }
    }

    #[test]
    fn values_are_checked_and_stored_by_type() {
        let n = def("budget", FieldType::Number, false);
        assert_eq!(check_value(&n, &json!(12.5)), Ok(Some(json!(12.5))));
        assert_eq!(check_value(&n, &json!(" 4000 ")), Ok(Some(json!(4000))));
        assert!(check_value(&n, &json!("lots")).is_err());
        assert!(check_value(&n, &json!(true)).is_err());

        let d = def("since", FieldType::Date, false);
        assert_eq!(
            check_value(&d, &json!("2026-02-28")),
            Ok(Some(json!("2026-02-28")))
        );
        assert!(check_value(&d, &json!("2026-02-30")).is_err());
        assert!(check_value(&d, &json!("28/02/2026")).is_err());

        let b = def("consent", FieldType::Boolean, false);
        assert_eq!(check_value(&b, &json!(false)), Ok(Some(json!(false))));
        assert_eq!(check_value(&b, &json!("true")), Ok(Some(json!(true))));
        assert!(check_value(&b, &json!("yes")).is_err());

        let t = def("note", FieldType::Text, false);
        assert_eq!(check_value(&t, &json!("  hi ")), Ok(Some(json!("hi"))));
        assert!(check_value(&t, &json!("x".repeat(MAX_TEXT + 1))).is_err());
        assert_eq!(check_value(&t, &json!("   ")), Ok(None));
    }

    #[test]
    fn a_select_value_outside_its_options_lists_them() {
        let s = def("side", FieldType::Select, false);
        assert_eq!(check_value(&s, &json!("Port")), Ok(Some(json!("Port"))));
        let e = check_value(&s, &json!("Bow")).unwrap_err();
        assert!(e.contains("Port, Starboard"), "{e}");
    }

    #[test]
    fn required_fields_cannot_be_cleared_and_unknown_fields_are_named() {
        let defs = [
            def("side", FieldType::Select, true),
            def("budget", FieldType::Number, false),
        ];
        let input = json!({"side": null, "budget": null, "colour": "red"});
        let errs = check_input(&defs, input.as_object().unwrap()).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["custom_fields.colour", "custom_fields.side"]);

        let ok = check_input(&defs, json!({"budget": "7"}).as_object().unwrap()).unwrap();
        assert_eq!(ok, vec![("budget".to_owned(), Some(json!(7)))]);
        assert_eq!(
            missing_required(&defs, &BTreeSet::new(), &ok),
            vec![("custom_fields.side".to_owned(), "is required".to_owned())]
        );
        let present: BTreeSet<String> = ["side".to_owned()].into();
        assert!(missing_required(&defs, &present, &ok).is_empty());
    }

    #[test]
    fn options_are_required_for_selects_only_and_distinct() {
        let opts = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(options_for(FieldType::Select, None).is_err());
        assert!(options_for(FieldType::Select, Some(&[])).is_err());
        assert!(options_for(FieldType::Select, Some(&opts(&["A", " a"]))).is_err());
        assert_eq!(
            options_for(FieldType::Select, Some(&opts(&[" A ", "B"]))),
            Ok(opts(&["A", "B"]))
        );
        assert!(options_for(FieldType::Text, Some(&opts(&["A"]))).is_err());
        assert_eq!(options_for(FieldType::Number, None), Ok(vec![]));
    }

    #[test]
    fn field_names_are_lower_case_slugs() {
        assert!(field_name_problem("annual_budget_usd").is_none());
        for bad in ["", "Budget", "1st", "_x", "a-b", "a b"] {
            assert!(field_name_problem(bad).is_some(), "{bad}");
        }
        assert_eq!(slug_of("Annual budget (USD)"), "annual_budget_usd");
        assert_eq!(slug_of("  2nd Home? "), "nd_home");
    }
}
