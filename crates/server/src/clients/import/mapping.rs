//! Which CSV column feeds which client field: the fields an import can fill,
//! a suggestion from the column names, and the checks on a chosen mapping.

use crate::http::error::{Error, FieldErrors};
use serde::Serialize;
use std::collections::BTreeMap;

domain::text_enum!(
    /// A field an import column can feed. Contact fields may be fed by several
    /// columns (each value becomes a contact); every other field by one.
    Field {
        FullName => "full_name" / "Full name",
        FirstName => "first_name" / "First name",
        LastName => "last_name" / "Last name",
        CompanyName => "company_name" / "Company",
        Nationality => "nationality" / "Nationality",
        IsProxy => "is_proxy" / "Is a proxy (yes/no)",
        ProxyType => "proxy_type" / "Proxy type",
        ActualOwnerName => "actual_owner_name" / "Actual owner",
        RelationshipNotes => "relationship_notes" / "Relationship notes",
        YachtName => "yacht_name" / "Yacht name",
        YachtLengthFt => "yacht_length_ft" / "Yacht length (ft)",
        YachtLengthM => "yacht_length_m" / "Yacht length (m)",
        YachtWidthFt => "yacht_width_ft" / "Yacht width (ft)",
        YachtWidthM => "yacht_width_m" / "Yacht width (m)",
        YachtDraftFt => "yacht_draft_ft" / "Yacht draft (ft)",
        YachtDraftM => "yacht_draft_m" / "Yacht draft (m)",
        BerthSizeDesired => "berth_size_desired" / "Berth size wanted",
        PreferredContactMethod => "preferred_contact_method" / "Preferred contact method",
        PreferredLanguage => "preferred_language" / "Preferred language",
        Timezone => "timezone" / "Time zone",
        Source => "source" / "Source",
        SourceDetails => "source_details" / "Source details",
        Email => "email" / "E-mail (contact)",
        Phone => "phone" / "Phone (contact)",
        Whatsapp => "whatsapp" / "WhatsApp (contact)",
        Ignore => "ignore" / "Do not import",
    }
);

impl Field {
    /// Contact columns: any number of them, each value one contact.
    pub fn is_contact(self) -> bool {
        matches!(self, Field::Email | Field::Phone | Field::Whatsapp)
    }
}

/// A mapping as checked: for each column (by index), its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub columns: Vec<Field>,
}

impl Mapping {
    /// The column feeding a single-valued `field`, if any.
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.columns.iter().position(|f| *f == field)
    }

    /// The columns feeding `field` (contacts), in file order.
    pub fn columns_of(&self, field: Field) -> impl Iterator<Item = usize> + '_ {
        self.columns
            .iter()
            .enumerate()
            .filter(move |(_, f)| **f == field)
            .map(|(i, _)| i)
    }

    /// As stored and answered: header → field name.
    pub fn to_json(&self, headers: &[String]) -> BTreeMap<String, String> {
        headers
            .iter()
            .zip(&self.columns)
            .map(|(h, f)| (h.clone(), f.as_str().to_owned()))
            .collect()
    }
}

/// A column name reduced for comparing: lower case, words joined by `_`.
fn key(header: &str) -> String {
    let mut out = String::new();
    for c in header.trim().to_lowercase().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// The field a column name most likely means.
pub fn guess(header: &str) -> Field {
    let k = key(header);
    if let Ok(field) = k.parse::<Field>() {
        return field;
    }
    let exact = match k.as_str() {
        "name" | "client" | "client_name" | "contact" | "contact_name" | "customer"
        | "customer_name" | "owner" | "owner_name" => Some(Field::FullName),
        "first" | "firstname" | "given_name" | "forename" => Some(Field::FirstName),
        "last" | "lastname" | "surname" | "family_name" => Some(Field::LastName),
        "company" | "organisation" | "organization" | "business" | "firm" => {
            Some(Field::CompanyName)
        }
        "country" | "citizenship" => Some(Field::Nationality),
        "proxy" | "is_a_proxy" => Some(Field::IsProxy),
        "yacht" | "vessel" | "vessel_name" | "boat" | "boat_name" => Some(Field::YachtName),
        "length_ft" | "loa_ft" | "length_feet" | "loa" => Some(Field::YachtLengthFt),
        "length_m" | "loa_m" | "length_metres" | "length_meters" => Some(Field::YachtLengthM),
        "width_ft" | "beam_ft" | "beam" => Some(Field::YachtWidthFt),
        "width_m" | "beam_m" => Some(Field::YachtWidthM),
        "draft_ft" | "draught_ft" | "draft" => Some(Field::YachtDraftFt),
        "draft_m" | "draught_m" => Some(Field::YachtDraftM),
        "berth_size" | "berth" => Some(Field::BerthSizeDesired),
        "contact_method" | "preferred_contact" => Some(Field::PreferredContactMethod),
        "language" | "lang" => Some(Field::PreferredLanguage),
        "time_zone" | "tz" => Some(Field::Timezone),
        "lead_source" | "origin" => Some(Field::Source),
        "referrer" | "referred_by" | "source_detail" => Some(Field::SourceDetails),
        _ => None,
    };
    if let Some(field) = exact {
        return field;
    }
    if k.contains("whatsapp") {
        Field::Whatsapp
    } else if k.contains("email") || k.contains("e_mail") || k == "mail" {
        Field::Email
    } else if ["phone", "mobile", "tel", "cell"]
        .iter()
        .any(|w| k.split('_').any(|part| part.starts_with(w)))
    {
        Field::Phone
    } else {
        Field::Ignore
    }
}

/// A mapping suggested from the column names: each field taken by the first
/// column that looks like it; later look-alikes are left out.
pub fn suggest(headers: &[String]) -> Mapping {
    let mut columns: Vec<Field> = Vec::with_capacity(headers.len());
    for h in headers {
        let f = guess(h);
        let taken = !f.is_contact() && f != Field::Ignore && columns.contains(&f);
        columns.push(if taken { Field::Ignore } else { f });
    }
    Mapping { columns }
}

/// Checks a mapping from a request against the file's `headers`. Columns left
/// out are not imported. 422 names `mapping` (no name column) or
/// `mapping.<column>` (an unknown column or field, a field mapped twice).
pub fn check(headers: &[String], given: &BTreeMap<String, String>) -> Result<Mapping, Error> {
    let mut errors = FieldErrors::new();
    for column in given.keys() {
        if !headers.contains(column) {
            errors
                .entry(format!("mapping.{column}"))
                .or_default()
                .push("is not a column of the file".into());
        }
    }
    let mut columns = Vec::with_capacity(headers.len());
    for h in headers {
        let field = match given.get(h) {
            None => Field::Ignore,
            Some(name) => match name.parse::<Field>() {
                Ok(f) => f,
                Err(e) => {
                    errors.entry(format!("mapping.{h}")).or_default().push(e);
                    Field::Ignore
                }
            },
        };
        if !field.is_contact()
            && field != Field::Ignore
            && let Some(first) = columns.iter().position(|f| *f == field)
        {
            errors
                .entry(format!("mapping.{h}"))
                .or_default()
                .push(format!(
                    "{} is already fed by the column \"{}\"",
                    field.as_str(),
                    headers[first]
                ));
        }
        columns.push(field);
    }
    let mapping = Mapping { columns };
    let named = mapping.column_of(Field::FullName).is_some()
        || mapping.column_of(Field::FirstName).is_some()
        || mapping.column_of(Field::LastName).is_some();
    if !named {
        errors.entry("mapping".into()).or_default().push(
            "no column is mapped to full_name (or to first_name and last_name); a client needs a name".into(),
        );
    }
    if errors.is_empty() {
        Ok(mapping)
    } else {
        Err(Error::Unprocessable(errors))
    }
}

/// The fields a mapping can choose, for the page's selects and the API's errors.
#[derive(Debug, Clone, Serialize)]
pub struct FieldChoice {
    pub value: &'static str,
    pub label: &'static str,
}

pub fn choices() -> Vec<FieldChoice> {
    Field::ALL
        .iter()
        .map(|f| FieldChoice {
            value: f.as_str(),
            label: f.label(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn common_column_names_are_recognised() {
        let headers = h(&[
            "Full Name",
            "Company",
            "E-mail",
            "Mobile Phone",
            "WhatsApp",
            "Length (ft)",
            "Beam (m)",
            "Yacht",
            "Time zone",
            "Email 2",
            "Notes",
            "Name",
        ]);
        let m = suggest(&headers);
        let names: Vec<&str> = m.columns.iter().map(|f| f.as_str()).collect();
        assert_eq!(
            names,
            [
                "full_name",
                "company_name",
                "email",
                "phone",
                "whatsapp",
                "yacht_length_ft",
                "yacht_width_m",
                "yacht_name",
                "timezone",
                "email",
                "ignore",
                "ignore"
            ]
        );
    }

    #[test]
    fn a_mapping_without_a_name_or_with_a_field_twice_is_refused() {
        let headers = h(&["A", "B"]);
        let given: BTreeMap<String, String> =
            [("A".into(), "email".into()), ("B".into(), "phone".into())].into();
        let Err(Error::Unprocessable(e)) = check(&headers, &given) else {
            panic!()
        };
        assert!(e.contains_key("mapping"));
        let given: BTreeMap<String, String> = [
            ("A".into(), "full_name".into()),
            ("B".into(), "full_name".into()),
            ("C".into(), "nope".into()),
        ]
        .into();
        let Err(Error::Unprocessable(e)) = check(&headers, &given) else {
            panic!()
        };
        assert!(
            e.contains_key("mapping.B") && e.contains_key("mapping.C"),
            "{e:?}"
        );
    }
}
