//! The board's query string, read once for the API and the pages: the filters
//! (`area`, `lead_category`, `tag` (repeatable, all of them), `reminders`),
//! and what the caller pages with. Unknown names answer 422 naming them, so a
//! typo never silently shows the whole pipeline.

use crate::http::error::FieldErrors;
use crate::http::{Error, Result};
use domain::interests::LeadCategory;
use domain::pipeline::Stage;
use uuid::Uuid;

/// Which interests the reminders filter keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminders {
    /// With an open (pending or snoozed) reminder assigned to the user asking.
    Mine,
    /// With an open reminder, whoever it is assigned to.
    Any,
}

impl Reminders {
    pub fn as_str(self) -> &'static str {
        match self {
            Reminders::Mine => "mine",
            Reminders::Any => "any",
        }
    }
}

/// The filters, checked and typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    /// The linked berth's area, as stored.
    pub area: Option<String>,
    pub lead_category: Option<LeadCategory>,
    /// Interests carrying every one of these tags.
    pub tags: Vec<Uuid>,
    pub reminders: Option<Reminders>,
}

impl Filters {
    pub fn narrows(&self) -> bool {
        *self != Filters::default()
    }

    /// The filters as query pairs, for links that keep them.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(a) = &self.area {
            out.push(("area".to_owned(), a.clone()));
        }
        if let Some(l) = self.lead_category {
            out.push(("lead_category".to_owned(), l.as_str().to_owned()));
        }
        for t in &self.tags {
            out.push(("tag".to_owned(), t.to_string()));
        }
        if let Some(r) = self.reminders {
            out.push(("reminders".to_owned(), r.as_str().to_owned()));
        }
        out
    }
}

const FILTER_KEYS: &[&str] = &["area", "lead_category", "tag", "reminders"];

/// Reads the filters of `pairs`. Keys in `also` belong to the caller and are
/// skipped; any other unknown key is a 422 naming it. An empty value means
/// "no filter", as an untouched form field sends it.
pub fn parse(pairs: &[(String, String)], also: &[&str]) -> Result<Filters> {
    let mut f = Filters::default();
    let mut errors = FieldErrors::new();
    let mut bad = |field: &str, msg: String| errors.entry(field.to_owned()).or_default().push(msg);
    for (key, raw) in pairs {
        let (key, value) = (key.as_str(), raw.trim());
        if also.contains(&key) || crate::web::SCRIPT_PARAMS.contains(&key) {
            continue;
        }
        if !FILTER_KEYS.contains(&key) {
            bad(key, "is not a filter of the pipeline".into());
            continue;
        }
        if value.is_empty() {
            continue;
        }
        match key {
            "area" => f.area = Some(value.chars().take(200).collect()),
            "lead_category" => match value.parse() {
                Ok(v) => f.lead_category = Some(v),
                Err(e) => bad(key, e),
            },
            "tag" => match Uuid::parse_str(value) {
                Ok(id) if !f.tags.contains(&id) => f.tags.push(id),
                Ok(_) => {}
                Err(_) => bad(key, format!("{value} is not a tag id")),
            },
            "reminders" => match value {
                "mine" => f.reminders = Some(Reminders::Mine),
                "any" => f.reminders = Some(Reminders::Any),
                _ => bad(key, "must be one of mine, any".into()),
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

/// `stage=`: a stage name, or 422 listing the allowed ones.
pub fn stage(value: &str) -> Result<Stage> {
    value
        .trim()
        .parse()
        .map_err(|e: domain::pipeline::UnknownStage| Error::invalid("stage", e.to_string()))
}

/// The value of `key`, when given and not empty.
pub fn value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, v)| k == key && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client_list::params::pairs;

    fn p(q: &str) -> Result<Filters> {
        parse(&pairs(Some(q)).unwrap(), &["limit"])
    }

    fn fields(e: Error) -> Vec<String> {
        match e {
            Error::Unprocessable(errors) => errors.into_keys().collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn filters_read_and_round_trip() {
        let tag = Uuid::new_v4();
        let f = p(&format!(
            "area=Pier+A&lead_category=hot_lead&tag={tag}&reminders=mine&limit=5&tag={tag}"
        ))
        .unwrap();
        assert_eq!(f.area.as_deref(), Some("Pier A"));
        assert_eq!(f.tags, [tag]);
        assert_eq!(f.reminders, Some(Reminders::Mine));
        let again = parse(&f.pairs(), &[]).unwrap();
        assert_eq!(again, f);
        assert!(!p("area=&reminders=").unwrap().narrows());
    }

    #[test]
    fn bad_values_and_unknown_keys_are_named() {
        assert_eq!(
            fields(p("colour=red&lead_category=warm&reminders=yours&tag=x").unwrap_err()),
            ["colour", "lead_category", "reminders", "tag"]
        );
        let Error::Unprocessable(e) = stage("won").unwrap_err() else {
            panic!()
        };
        assert!(e["stage"][0].contains("deposit_10pct"));
    }
}
