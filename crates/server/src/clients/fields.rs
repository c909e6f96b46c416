//! The client's editable fields: what a create or a PATCH body may hold, and
//! the rules that turn it into values to store.
//!
//! Create and update share one path: a create applies its body to an empty
//! record, a PATCH to the stored one, and the result is checked as a whole,
//! so both refuse exactly the same things. Every problem is collected at
//! once and named by its field, so a form can mark each wrong input.

use super::model::Client;
use crate::http::checked::nullable;
use domain::clients::{ContactMethod, ProxyType, Source, YachtInput};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use std::str::FromStr;

/// The fields a body may set; `None`: not given, `Some(None)`: cleared.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    #[serde(default, deserialize_with = "nullable")]
    pub full_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub company_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub nationality: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub is_proxy: Option<Option<bool>>,
    #[serde(default, deserialize_with = "nullable")]
    pub proxy_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub actual_owner_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub relationship_notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub yacht_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "decimal")]
    pub yacht_length_ft: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "decimal")]
    pub yacht_width_ft: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "decimal")]
    pub yacht_draft_ft: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "decimal")]
    pub yacht_length_m: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "decimal")]
    pub yacht_width_m: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "decimal")]
    pub yacht_draft_m: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "nullable")]
    pub berth_size_desired: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub preferred_contact_method: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub preferred_language: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub timezone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub source: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub source_details: Option<Option<String>>,
}

/// A dimension as a JSON string (`"30.48"`, as the API answers) or number.
fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Decimal>>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    let text = match value {
        None | Some(serde_json::Value::Null) => return Ok(Some(None)),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => return Ok(Some(None)),
        Some(serde_json::Value::String(s)) => s.trim().to_owned(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(_) => return Err(serde::de::Error::custom("must be a number")),
    };
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map(|d| Some(Some(d.normalize())))
        .map_err(|_| serde::de::Error::custom("must be a number"))
}

/// The values to store, after the rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields {
    pub full_name: String,
    pub company_name: Option<String>,
    pub nationality: Option<String>,
    pub is_proxy: bool,
    pub proxy_type: Option<String>,
    pub actual_owner_name: Option<String>,
    pub relationship_notes: Option<String>,
    pub yacht_name: Option<String>,
    pub yacht_length_ft: Option<Decimal>,
    pub yacht_width_ft: Option<Decimal>,
    pub yacht_draft_ft: Option<Decimal>,
    pub yacht_length_m: Option<Decimal>,
    pub yacht_width_m: Option<Decimal>,
    pub yacht_draft_m: Option<Decimal>,
    pub berth_size_desired: Option<String>,
    pub preferred_contact_method: Option<String>,
    pub preferred_language: Option<String>,
    pub timezone: Option<String>,
    pub source: Option<String>,
    pub source_details: Option<String>,
}

impl Fields {
    pub fn of(c: &Client) -> Fields {
        Fields {
            full_name: c.full_name.clone(),
            company_name: c.company_name.clone(),
            nationality: c.nationality.clone(),
            is_proxy: c.is_proxy,
            proxy_type: c.proxy_type.clone(),
            actual_owner_name: c.actual_owner_name.clone(),
            relationship_notes: c.relationship_notes.clone(),
            yacht_name: c.yacht_name.clone(),
            yacht_length_ft: c.yacht_length_ft,
            yacht_width_ft: c.yacht_width_ft,
            yacht_draft_ft: c.yacht_draft_ft,
            yacht_length_m: c.yacht_length_m,
            yacht_width_m: c.yacht_width_m,
            yacht_draft_m: c.yacht_draft_m,
            berth_size_desired: c.berth_size_desired.clone(),
            preferred_contact_method: c.preferred_contact_method.clone(),
            preferred_language: c.preferred_language.clone(),
            timezone: c.timezone.clone(),
            source: c.source.clone(),
            source_details: c.source_details.clone(),
        }
    }
}

type Problems = Vec<(String, String)>;

/// Short texts: trimmed, empty is none, at most `max` characters.
fn text(p: &mut Problems, field: &str, v: Option<String>, max: usize) -> Option<String> {
    let v = v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())?;
    if v.chars().count() > max {
        p.push((field.into(), format!("must be at most {max} characters")));
    }
    Some(v)
}

/// A closed set: the 422 lists what would have been accepted.
fn one_of<T: FromStr<Err = String>>(
    p: &mut Problems,
    field: &str,
    v: Option<String>,
) -> Option<String> {
    let v = v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())?;
    match T::from_str(&v) {
        Ok(_) => Some(v),
        Err(message) => {
            p.push((field.into(), message));
            None
        }
    }
}

/// A BCP 47 language tag in its everyday shape: `en`, `fr`, `pt-BR`, `zh-Hant`.
fn language(p: &mut Problems, v: Option<String>) -> Option<String> {
    let v = v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())?;
    let mut parts = v.split('-');
    let primary = parts.next().unwrap_or("");
    let ok = (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts
            .all(|s| (2..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()));
    if !ok {
        p.push((
            "preferred_language".into(),
            "must be a language code such as en, fr or pt-BR".into(),
        ));
    }
    Some(v)
}

fn zone(p: &mut Problems, v: Option<String>) -> Option<String> {
    let v = v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())?;
    match chrono_tz::Tz::from_str(&v) {
        Ok(tz) => Some(tz.name().to_owned()),
        Err(_) => {
            p.push((
                "timezone".into(),
                "must be an IANA time zone such as Europe/London or America/Anguilla".into(),
            ));
            None
        }
    }
}

/// A field of the patch when given, else the stored value.
fn pick<T>(given: Option<Option<T>>, stored: Option<T>) -> Option<T> {
    match given {
        Some(v) => v,
        None => stored,
    }
}

/// `base` with `patch` applied and every rule checked; the problems name
/// their fields.
pub fn apply(base: Fields, patch: Patch) -> Result<Fields, Problems> {
    let mut p = Problems::new();
    // First, while `base` and `patch` are whole: the rest moves out of them.
    let yacht = yacht(&mut p, &base, &patch);
    let full_name = match patch.full_name {
        Some(v) => match domain::clients::parse_full_name(v.as_deref().unwrap_or("")) {
            Ok(name) => name,
            Err(message) => {
                p.push(("full_name".into(), message));
                String::new()
            }
        },
        None if base.full_name.trim().is_empty() => {
            p.push(("full_name".into(), "is required".into()));
            String::new()
        }
        None => base.full_name,
    };

    let proxy_given = patch.proxy_type.as_ref().is_some_and(Option::is_some)
        || patch
            .actual_owner_name
            .as_ref()
            .is_some_and(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()));
    let is_proxy = pick(patch.is_proxy, Some(base.is_proxy)).unwrap_or(false);
    let mut proxy_type = one_of::<ProxyType>(
        &mut p,
        "proxy_type",
        pick(patch.proxy_type, base.proxy_type),
    );
    let mut actual_owner_name = text(
        &mut p,
        "actual_owner_name",
        pick(patch.actual_owner_name, base.actual_owner_name),
        200,
    );
    if !is_proxy {
        if proxy_given {
            // Saying who the owner is while saying the client is no proxy is a contradiction.
            p.push((
                "is_proxy".into(),
                "must be true when proxy_type or actual_owner_name is given".into(),
            ));
        }
        // A client who stops being a proxy keeps no proxy details.
        proxy_type = None;
        actual_owner_name = None;
    }

    let fields = Fields {
        full_name,
        company_name: text(
            &mut p,
            "company_name",
            pick(patch.company_name, base.company_name),
            200,
        ),
        nationality: text(
            &mut p,
            "nationality",
            pick(patch.nationality, base.nationality),
            100,
        ),
        is_proxy,
        proxy_type,
        actual_owner_name,
        relationship_notes: text(
            &mut p,
            "relationship_notes",
            pick(patch.relationship_notes, base.relationship_notes),
            4000,
        ),
        yacht_name: text(
            &mut p,
            "yacht_name",
            pick(patch.yacht_name, base.yacht_name),
            200,
        ),
        yacht_length_ft: yacht.length.map(|l| l.ft),
        yacht_length_m: yacht.length.map(|l| l.m),
        yacht_width_ft: yacht.width.map(|l| l.ft),
        yacht_width_m: yacht.width.map(|l| l.m),
        yacht_draft_ft: yacht.draft.map(|l| l.ft),
        yacht_draft_m: yacht.draft.map(|l| l.m),
        berth_size_desired: text(
            &mut p,
            "berth_size_desired",
            pick(patch.berth_size_desired, base.berth_size_desired),
            100,
        ),
        preferred_contact_method: one_of::<ContactMethod>(
            &mut p,
            "preferred_contact_method",
            pick(
                patch.preferred_contact_method,
                base.preferred_contact_method,
            ),
        ),
        preferred_language: language(
            &mut p,
            pick(patch.preferred_language, base.preferred_language),
        ),
        timezone: zone(&mut p, pick(patch.timezone, base.timezone)),
        source: one_of::<Source>(&mut p, "source", pick(patch.source, base.source)),
        source_details: text(
            &mut p,
            "source_details",
            pick(patch.source_details, base.source_details),
            1000,
        ),
    };
    if p.is_empty() { Ok(fields) } else { Err(p) }
}

/// The yacht's dimensions. A dimension the patch touches (in either unit) is
/// read from the patch alone, so giving feet recomputes the metres instead of
/// comparing them with the old metres; an untouched one keeps its stored pair.
fn yacht(p: &mut Problems, base: &Fields, patch: &Patch) -> domain::clients::YachtDimensions {
    let pair = |ft: Option<Option<Decimal>>,
                m: Option<Option<Decimal>>,
                old_ft: Option<Decimal>,
                old_m: Option<Decimal>| {
        if ft.is_none() && m.is_none() {
            (old_ft, old_m)
        } else {
            (ft.flatten(), m.flatten())
        }
    };
    let (length_ft, length_m) = pair(
        patch.yacht_length_ft,
        patch.yacht_length_m,
        base.yacht_length_ft,
        base.yacht_length_m,
    );
    let (width_ft, width_m) = pair(
        patch.yacht_width_ft,
        patch.yacht_width_m,
        base.yacht_width_ft,
        base.yacht_width_m,
    );
    let (draft_ft, draft_m) = pair(
        patch.yacht_draft_ft,
        patch.yacht_draft_m,
        base.yacht_draft_ft,
        base.yacht_draft_m,
    );
    YachtInput {
        length_ft,
        length_m,
        width_ft,
        width_m,
        draft_ft,
        draft_m,
    }
    .complete()
    .unwrap_or_else(|problems| {
        p.extend(problems);
        Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch(v: serde_json::Value) -> Patch {
        serde_json::from_value(v).unwrap()
    }

    fn fields_of(problems: Problems) -> Vec<String> {
        problems.into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn a_new_client_needs_a_name_and_known_values() {
        let err = apply(
            Fields::default(),
            patch(
                json!({"proxy_type": "uncle", "is_proxy": true, "timezone": "Mars/Base",
                         "source": "tv", "preferred_contact_method": "fax"}),
            ),
        )
        .unwrap_err();
        let mut f = fields_of(err);
        f.sort();
        assert_eq!(
            f,
            [
                "full_name",
                "preferred_contact_method",
                "proxy_type",
                "source",
                "timezone"
            ]
        );
    }

    #[test]
    fn feet_given_recompute_metres_even_when_metres_were_stored() {
        let base = apply(
            Fields::default(),
            patch(json!({"full_name": "Ann", "yacht_length_m": "30"})),
        )
        .unwrap();
        let next = apply(base, patch(json!({"yacht_length_ft": 50}))).unwrap();
        assert_eq!(
            next.yacht_length_m,
            Some(Decimal::from_str("15.24").unwrap())
        );
        let err = apply(
            next,
            patch(json!({"yacht_width_ft": "20", "yacht_width_m": "9"})),
        )
        .unwrap_err();
        assert_eq!(fields_of(err), ["yacht_width_m"]);
    }

    #[test]
    fn a_client_who_is_no_proxy_keeps_no_proxy_details() {
        let proxy = apply(
            Fields::default(),
            patch(
                json!({"full_name": "Ann", "is_proxy": true, "proxy_type": "broker",
                         "actual_owner_name": "Bo"}),
            ),
        )
        .unwrap();
        let plain = apply(proxy, patch(json!({"is_proxy": false}))).unwrap();
        assert_eq!((plain.proxy_type, plain.actual_owner_name), (None, None));
        let err = apply(
            Fields::default(),
            patch(json!({"full_name": "Ann", "actual_owner_name": "Bo"})),
        )
        .unwrap_err();
        assert_eq!(fields_of(err), ["is_proxy"]);
    }

    #[test]
    fn languages_and_zones_are_checked() {
        let ok = apply(
            Fields::default(),
            patch(json!({"full_name": "A", "preferred_language": "pt-BR", "timezone": "Europe/Paris"})),
        )
        .unwrap();
        assert_eq!(ok.timezone.as_deref(), Some("Europe/Paris"));
        let err = apply(
            Fields::default(),
            patch(json!({"full_name": "A", "preferred_language": "English!"})),
        )
        .unwrap_err();
        assert_eq!(fields_of(err), ["preferred_language"]);
    }
}
