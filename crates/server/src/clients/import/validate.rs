//! One CSV row read into a client and its contacts, by the domain's rules:
//! every problem names the column it came from.

use super::mapping::{Field, Mapping};
use domain::clients::{ContactMethod, ProxyType, Source, YachtInput, parse_full_name};
use domain::contacts::{Channel, normalise_email, normalise_phone};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// A client's columns as a row gives them; `None` where the row gives nothing
/// (an update leaves those as they are).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientFields {
    pub full_name: String,
    pub company_name: Option<String>,
    pub nationality: Option<String>,
    pub is_proxy: Option<bool>,
    pub proxy_type: Option<String>,
    pub actual_owner_name: Option<String>,
    pub relationship_notes: Option<String>,
    pub yacht_name: Option<String>,
    pub yacht_length_ft: Option<Decimal>,
    pub yacht_length_m: Option<Decimal>,
    pub yacht_width_ft: Option<Decimal>,
    pub yacht_width_m: Option<Decimal>,
    pub yacht_draft_ft: Option<Decimal>,
    pub yacht_draft_m: Option<Decimal>,
    pub berth_size_desired: Option<String>,
    pub preferred_contact_method: Option<String>,
    pub preferred_language: Option<String>,
    pub timezone: Option<String>,
    pub source: Option<String>,
    pub source_details: Option<String>,
}

/// A contact as it will be stored: the value normalised for its channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub channel: Channel,
    pub value: String,
    pub is_primary: bool,
}

/// A row that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub line: usize,
    pub client: ClientFields,
    pub contacts: Vec<NewContact>,
}

/// What is wrong with one value of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The column of the file, as its header reads; `null` for the row itself.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub column: Option<String>,
    /// The client field the column feeds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub field: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn row(message: impl Into<String>) -> Problem {
        Problem {
            column: None,
            field: None,
            message: message.into(),
        }
    }
}

/// Longest text accepted in a free-text column.
const MAX_TEXT: usize = 2000;

/// Reads one row's fields. `region` reads phone numbers written without a
/// country code.
pub fn row(
    line: usize,
    fields: &[String],
    headers: &[String],
    mapping: &Mapping,
    region: &str,
) -> Result<Candidate, Vec<Problem>> {
    let mut problems = Vec::new();
    let problem = |problems: &mut Vec<Problem>, col: usize, field: Field, message: String| {
        problems.push(Problem {
            column: Some(headers[col].clone()),
            field: Some(field.as_str().to_owned()),
            message,
        })
    };
    let cell = |field: Field| -> Option<(usize, &str)> {
        let col = mapping.column_of(field)?;
        let v = fields[col].trim();
        (!v.is_empty()).then_some((col, v))
    };
    let text = |problems: &mut Vec<Problem>, field: Field| -> Option<String> {
        let (col, v) = cell(field)?;
        if v.chars().count() > MAX_TEXT {
            problem(
                problems,
                col,
                field,
                format!("must be at most {MAX_TEXT} characters"),
            );
            return None;
        }
        Some(v.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let mut c = ClientFields::default();

    // The name: one column, or first and last name joined.
    let raw_name = match mapping.column_of(Field::FullName) {
        Some(col) => Some((col, Field::FullName, fields[col].clone())),
        None => {
            let first = mapping.column_of(Field::FirstName);
            let last = mapping.column_of(Field::LastName);
            let joined = [first, last]
                .iter()
                .flatten()
                .map(|&i| fields[i].trim())
                .collect::<Vec<_>>()
                .join(" ");
            first
                .map(|i| (i, Field::FirstName))
                .or(last.map(|i| (i, Field::LastName)))
                .map(|(i, f)| (i, f, joined))
        }
    };
    if let Some((col, field, raw)) = raw_name {
        match parse_full_name(&raw) {
            Ok(name) => c.full_name = name,
            Err(e) => problem(&mut problems, col, field, e),
        }
    }

    c.company_name = text(&mut problems, Field::CompanyName);
    c.nationality = text(&mut problems, Field::Nationality);
    c.actual_owner_name = text(&mut problems, Field::ActualOwnerName);
    c.relationship_notes = text(&mut problems, Field::RelationshipNotes);
    c.yacht_name = text(&mut problems, Field::YachtName);
    c.berth_size_desired = text(&mut problems, Field::BerthSizeDesired);
    c.preferred_language = text(&mut problems, Field::PreferredLanguage);
    c.source_details = text(&mut problems, Field::SourceDetails);

    if let Some((col, v)) = cell(Field::IsProxy) {
        match v.to_lowercase().as_str() {
            "yes" | "y" | "true" | "1" | "x" => c.is_proxy = Some(true),
            "no" | "n" | "false" | "0" => c.is_proxy = Some(false),
            _ => problem(
                &mut problems,
                col,
                Field::IsProxy,
                "must be yes or no".into(),
            ),
        }
    }
    let choice = |v: &str| v.trim().to_lowercase().replace([' ', '-'], "_");
    if let Some((col, v)) = cell(Field::ProxyType) {
        match ProxyType::from_str(&choice(v)) {
            Ok(t) => {
                c.proxy_type = Some(t.as_str().to_owned());
                c.is_proxy.get_or_insert(true);
            }
            Err(e) => problem(&mut problems, col, Field::ProxyType, e),
        }
    }
    if let Some((col, v)) = cell(Field::PreferredContactMethod) {
        match ContactMethod::from_str(&choice(v)) {
            Ok(m) => c.preferred_contact_method = Some(m.as_str().to_owned()),
            Err(e) => problem(&mut problems, col, Field::PreferredContactMethod, e),
        }
    }
    if let Some((col, v)) = cell(Field::Source) {
        match Source::from_str(&choice(v)) {
            Ok(s) => c.source = Some(s.as_str().to_owned()),
            Err(e) => problem(&mut problems, col, Field::Source, e),
        }
    }
    if let Some((col, v)) = cell(Field::Timezone) {
        match chrono_tz::Tz::from_str(v) {
            Ok(tz) => c.timezone = Some(tz.name().to_owned()),
            Err(_) => problem(
                &mut problems,
                col,
                Field::Timezone,
                "must be a time zone such as Europe/London or America/Anguilla".into(),
            ),
        }
    }

    // The yacht: each dimension in feet, metres or both (then they must agree).
    let mut number = |field: Field| -> Option<Decimal> {
        let (col, v) = cell(field)?;
        let plain = if v.contains('.') {
            v.to_owned()
        } else {
            v.replace(',', ".")
        };
        match Decimal::from_str(plain.trim()) {
            Ok(d) => Some(d),
            Err(_) => {
                problem(
                    &mut problems,
                    col,
                    field,
                    "must be a number such as 45.5".into(),
                );
                None
            }
        }
    };
    let yacht = YachtInput {
        length_ft: number(Field::YachtLengthFt),
        length_m: number(Field::YachtLengthM),
        width_ft: number(Field::YachtWidthFt),
        width_m: number(Field::YachtWidthM),
        draft_ft: number(Field::YachtDraftFt),
        draft_m: number(Field::YachtDraftM),
    };
    match yacht.complete() {
        Ok(dims) => {
            let (l, w, d) = (dims.length, dims.width, dims.draft);
            (c.yacht_length_ft, c.yacht_length_m) = (l.map(|x| x.ft), l.map(|x| x.m));
            (c.yacht_width_ft, c.yacht_width_m) = (w.map(|x| x.ft), w.map(|x| x.m));
            (c.yacht_draft_ft, c.yacht_draft_m) = (d.map(|x| x.ft), d.map(|x| x.m));
        }
        Err(list) => {
            for (field_name, message) in list {
                let field: Field = field_name.parse().unwrap_or(Field::Ignore);
                // The column named, or the other unit's when only that one is mapped.
                let col = mapping.column_of(field).or_else(|| {
                    let other = field_name
                        .strip_suffix("_m")
                        .map(|b| format!("{b}_ft"))
                        .unwrap_or_default();
                    other.parse().ok().and_then(|f| mapping.column_of(f))
                });
                problems.push(Problem {
                    column: col.map(|i| headers[i].clone()),
                    field: Some(field_name),
                    message,
                });
            }
        }
    }

    // Contacts: every mapped contact column's value, normalised; the first of
    // each channel is the primary one. The same value twice is kept once.
    let mut contacts: Vec<NewContact> = Vec::new();
    for (field, channel) in [
        (Field::Email, Channel::Email),
        (Field::Phone, Channel::Phone),
        (Field::Whatsapp, Channel::Whatsapp),
    ] {
        for col in mapping.columns_of(field) {
            let raw = fields[col].trim();
            if raw.is_empty() {
                continue;
            }
            let value = match channel {
                Channel::Email => normalise_email(raw),
                _ => normalise_phone(raw, region),
            };
            match value {
                Ok(value) => {
                    if !contacts
                        .iter()
                        .any(|k| k.channel == channel && k.value == value)
                    {
                        let is_primary = !contacts.iter().any(|k| k.channel == channel);
                        contacts.push(NewContact {
                            channel,
                            value,
                            is_primary,
                        });
                    }
                }
                Err(e) => problem(&mut problems, col, field, e.to_string()),
            }
        }
    }

    if problems.is_empty() {
        Ok(Candidate {
            line,
            client: c,
            contacts,
        })
    } else {
        Err(problems)
    }
}

/// A name reduced to compare rows of one file: lower case, words sorted, so
/// "Hartley, Amelia" and "amelia  HARTLEY" are the same person.
pub fn name_key(name: &str) -> String {
    let lower = name.to_lowercase();
    let mut words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.sort_unstable();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::import::mapping::suggest;

    fn read(headers: &[&str], values: &[&str]) -> Result<Candidate, Vec<Problem>> {
        let headers: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        let fields: Vec<String> = values.iter().map(|s| s.to_string()).collect();
        let mapping = suggest(&headers);
        row(2, &fields, &headers, &mapping, "AI")
    }

    #[test]
    fn a_good_row_becomes_a_client_with_contacts() {
        let c = read(
            &["Name", "Email", "Phone", "Length (ft)", "Source"],
            &[
                " Ann  Lee ",
                "Ann@X.io",
                "(264) 772-1234",
                "100",
                "Referral",
            ],
        )
        .unwrap();
        assert_eq!(c.client.full_name, "Ann Lee");
        assert_eq!(
            c.client.yacht_length_m,
            Some(Decimal::from_str("30.48").unwrap())
        );
        assert_eq!(c.client.source.as_deref(), Some("referral"));
        assert_eq!(c.contacts[0].value, "ann@x.io");
        assert_eq!(c.contacts[1].value, "+12647721234");
        assert!(c.contacts.iter().all(|k| k.is_primary));
    }

    #[test]
    fn each_problem_names_its_column() {
        let e = read(
            &["Name", "Email", "Phone", "Length (ft)", "Length (m)"],
            &["", "nope", "12", "100", "40"],
        )
        .unwrap_err();
        let cols: Vec<&str> = e.iter().filter_map(|p| p.column.as_deref()).collect();
        assert_eq!(cols, ["Name", "Length (m)", "Email", "Phone"]);
    }

    #[test]
    fn names_compare_by_their_words() {
        assert_eq!(name_key("Hartley, Amelia"), name_key("amelia  HARTLEY"));
    }
}
