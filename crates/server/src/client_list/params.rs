//! The list's query string, read once for the API, the page and the export:
//! filters named after fields, `tag` (repeatable), `cf.<field>`, `archived`,
//! `q` and `sort`. Unknown names answer 422 naming them, so a typo never
//! silently shows every client.

use crate::http::error::FieldErrors;
use crate::http::{Error, Result};
use domain::clients::{ContactMethod, ProxyType, Source};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Which archived clients a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Archived {
    #[default]
    Hide,
    Include,
    Only,
}

/// A column the list sorts by, and how its key is written in SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortField {
    pub name: &'static str,
    pub kind: Kind,
    pub nullable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Numeric,
    Time,
}

const fn field(name: &'static str, kind: Kind, nullable: bool) -> SortField {
    SortField {
        name,
        kind,
        nullable,
    }
}

/// Every sortable column; migration 0041 has an index for each.
pub const SORT_FIELDS: &[SortField] = &[
    field("full_name", Kind::Text, false),
    field("company_name", Kind::Text, true),
    field("nationality", Kind::Text, true),
    field("yacht_name", Kind::Text, true),
    field("yacht_length_ft", Kind::Numeric, true),
    field("yacht_length_m", Kind::Numeric, true),
    field("source", Kind::Text, true),
    field("created_at", Kind::Time, false),
    field("updated_at", Kind::Time, false),
];

/// The order of a list: a column either way, or search rank (best first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Field { field: SortField, desc: bool },
    Rank,
}

impl Sort {
    pub const DEFAULT: Sort = Sort::Field {
        field: SORT_FIELDS[0],
        desc: false,
    };

    pub fn parse(raw: &str) -> Option<Sort> {
        let (desc, name) = match raw.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, raw),
        };
        SORT_FIELDS
            .iter()
            .find(|f| f.name == name)
            .map(|&field| Sort::Field { field, desc })
    }

    /// As `?sort=` writes it; the cursor carries it so a cursor of another
    /// order is refused rather than misread.
    pub fn spec(&self) -> String {
        match self {
            Sort::Field { field, desc: true } => format!("-{}", field.name),
            Sort::Field { field, desc: false } => field.name.to_owned(),
            Sort::Rank => "rank".to_owned(),
        }
    }
}

/// The filters, checked and typed.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub nationality: Option<String>,
    pub source: Option<Source>,
    pub is_proxy: Option<bool>,
    pub proxy_type: Option<ProxyType>,
    pub preferred_contact_method: Option<ContactMethod>,
    pub preferred_language: Option<String>,
    pub tags: Vec<Uuid>,
    /// `cf.<field_name>` → value, checked against the definitions later.
    pub custom: BTreeMap<String, String>,
    pub archived: Archived,
    pub q: Option<String>,
    /// `None`: the default (by rank when searching, else by name).
    pub sort: Option<Sort>,
}

impl Filters {
    /// Whether any filter besides the search term narrows the list.
    pub fn narrows(&self) -> bool {
        self.nationality.is_some()
            || self.source.is_some()
            || self.is_proxy.is_some()
            || self.proxy_type.is_some()
            || self.preferred_contact_method.is_some()
            || self.preferred_language.is_some()
            || !self.tags.is_empty()
            || !self.custom.is_empty()
            || self.archived != Archived::Hide
    }

    pub fn effective_sort(&self) -> Sort {
        match (self.sort, &self.q) {
            (Some(sort), _) => sort,
            (None, Some(_)) => Sort::Rank,
            (None, None) => Sort::DEFAULT,
        }
    }
}

/// The names a list's query string may carry, besides `cf.*`.
const FILTER_KEYS: &[&str] = &[
    "nationality",
    "source",
    "is_proxy",
    "proxy_type",
    "preferred_contact_method",
    "preferred_language",
    "tag",
    "archived",
    "q",
    "sort",
];

/// Paging and the page's own keys are read by their callers.
pub const PAGING_KEYS: &[&str] = &["limit", "cursor"];

/// Reads `pairs` (the decoded query string). Keys in `also` belong to the
/// caller and are skipped; any other unknown key is a 422 naming it. An empty
/// value means "no filter", as an untouched form field sends it.
pub fn parse(pairs: &[(String, String)], also: &[&str]) -> Result<Filters> {
    let mut f = Filters::default();
    let mut errors = FieldErrors::new();
    let mut bad = |field: &str, msg: String| errors.entry(field.to_owned()).or_default().push(msg);
    for (key, raw) in pairs {
        let value = raw.trim();
        let key = key.as_str();
        if also.contains(&key) || crate::web::SCRIPT_PARAMS.contains(&key) {
            continue;
        }
        if let Some(name) = key.strip_prefix("cf.") {
            if name.is_empty() {
                bad(key, "names no custom field".into());
            } else if !value.is_empty() {
                f.custom.insert(name.to_owned(), value.to_owned());
            }
            continue;
        }
        if !FILTER_KEYS.contains(&key) {
            bad(key, "is not a filter of this list".into());
            continue;
        }
        if value.is_empty() {
            continue;
        }
        match key {
            "nationality" => f.nationality = Some(value.to_owned()),
            "preferred_language" => f.preferred_language = Some(value.to_owned()),
            "source" => match value.parse() {
                Ok(v) => f.source = Some(v),
                Err(e) => bad(key, e),
            },
            "proxy_type" => match value.parse() {
                Ok(v) => f.proxy_type = Some(v),
                Err(e) => bad(key, e),
            },
            "preferred_contact_method" => match value.parse() {
                Ok(v) => f.preferred_contact_method = Some(v),
                Err(e) => bad(key, e),
            },
            "is_proxy" => match value {
                "true" => f.is_proxy = Some(true),
                "false" => f.is_proxy = Some(false),
                _ => bad(key, "must be true or false".into()),
            },
            "tag" => match Uuid::parse_str(value) {
                Ok(id) if !f.tags.contains(&id) => f.tags.push(id),
                Ok(_) => {}
                Err(_) => bad(key, format!("{value} is not a tag id")),
            },
            "archived" => match value {
                "false" => f.archived = Archived::Hide,
                "true" => f.archived = Archived::Include,
                "only" => f.archived = Archived::Only,
                _ => bad(key, "must be true, false or only".into()),
            },
            "q" => f.q = Some(value.chars().take(200).collect()),
            "sort" => match Sort::parse(value) {
                Some(s) => f.sort = Some(s),
                None => bad(
                    key,
                    format!(
                        "{value} is not a sortable column; sort by one of {} (with - for descending)",
                        SORT_FIELDS
                            .iter()
                            .map(|f| f.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            },
            _ => unreachable!("every key of FILTER_KEYS is read above"),
        }
    }
    if errors.is_empty() {
        Ok(f)
    } else {
        Err(Error::Unprocessable(errors))
    }
}

/// The query string decoded into pairs; a malformed one is a 400.
pub fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>> {
    serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|_| Error::BadRequest("The query string is malformed.".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str) -> Result<Filters> {
        parse(&pairs(Some(q)).unwrap(), PAGING_KEYS)
    }

    fn field_of(e: Error) -> Vec<String> {
        match e {
            Error::Unprocessable(errors) => errors.into_keys().collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_filters_and_sorts_are_named() {
        assert_eq!(field_of(p("colour=red").unwrap_err()), ["colour"]);
        assert_eq!(field_of(p("sort=-shoe_size").unwrap_err()), ["sort"]);
        assert_eq!(
            field_of(p("source=fax&is_proxy=maybe").unwrap_err()),
            ["is_proxy", "source"]
        );
        assert_eq!(field_of(p("tag=nope").unwrap_err()), ["tag"]);
    }

    #[test]
    fn empty_values_are_no_filter_and_sorts_read_both_ways() {
        let f = p("source=&q=&sort=-yacht_length_ft&cf.hull=steel&limit=5").unwrap();
        assert!(f.source.is_none() && f.q.is_none());
        assert_eq!(f.sort.unwrap().spec(), "-yacht_length_ft");
        assert_eq!(f.custom.get("hull").map(String::as_str), Some("steel"));
        assert_eq!(p("q=hart").unwrap().effective_sort(), Sort::Rank);
        assert_eq!(p("").unwrap().effective_sort(), Sort::DEFAULT);
    }
}
