//! Rules of the client record: the closed value sets of its text columns, and
//! the yacht's dimensions kept in feet and metres together.

use crate::units::{Length, LengthError};
use rust_decimal::Decimal;

crate::text_enum!(
    /// Who a proxy client is to the yacht's actual owner.
    ProxyType {
        Broker => "broker" / "Broker",
        Representative => "representative" / "Representative",
        FamilyMember => "family_member" / "Family member",
        LegalCounsel => "legal_counsel" / "Legal counsel",
        Other => "other" / "Other",
    }
);

crate::text_enum!(
    /// How the client prefers to be reached.
    ContactMethod {
        Email => "email" / "Email",
        Phone => "phone" / "Phone",
        Whatsapp => "whatsapp" / "WhatsApp",
    }
);

crate::text_enum!(
    /// Where the client came from.
    Source {
        Website => "website" / "Website",
        Manual => "manual" / "Entered by hand",
        Referral => "referral" / "Referral",
        Broker => "broker" / "Broker",
        Import => "import" / "Imported",
    }
);

crate::text_enum!(
    /// How two clients are related. A relationship reads from client A:
    /// "A referred_by B", "A broker_for B".
    RelationshipType {
        ReferredBy => "referred_by" / "Referred by",
        BrokerFor => "broker_for" / "Broker for",
        FamilyMember => "family_member" / "Family member of",
        SameVessel => "same_vessel" / "Same vessel as",
        Custom => "custom" / "Related to",
    }
);

impl RelationshipType {
    /// The same relationship read from client B's side.
    pub fn inverse_label(self) -> &'static str {
        match self {
            RelationshipType::ReferredBy => "Referred",
            RelationshipType::BrokerFor => "Represented by broker",
            other => other.label(),
        }
    }
}

/// The yacht's three dimensions as given: any of them in either unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YachtInput {
    pub length_ft: Option<Decimal>,
    pub length_m: Option<Decimal>,
    pub width_ft: Option<Decimal>,
    pub width_m: Option<Decimal>,
    pub draft_ft: Option<Decimal>,
    pub draft_m: Option<Decimal>,
}

/// The yacht's dimensions in both units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YachtDimensions {
    pub length: Option<Length>,
    pub width: Option<Length>,
    pub draft: Option<Length>,
}

impl YachtInput {
    /// Completes each dimension from the unit given. A problem is reported on
    /// the field it concerns (`yacht_length_m` when feet and metres disagree).
    pub fn complete(&self) -> Result<YachtDimensions, Vec<(String, String)>> {
        let mut problems = Vec::new();
        let mut one = |name: &str, ft: Option<Decimal>, m: Option<Decimal>| {
            Length::from_parts(ft, m).unwrap_or_else(|e| {
                let field = match (&e, ft.is_some()) {
                    (LengthError::Negative, true) if ft.is_some_and(|v| v.is_sign_negative()) => {
                        format!("yacht_{name}_ft")
                    }
                    _ => format!("yacht_{name}_m"),
                };
                problems.push((field, e.to_string()));
                None
            })
        };
        let dims = YachtDimensions {
            length: one("length", self.length_ft, self.length_m),
            width: one("width", self.width_ft, self.width_m),
            draft: one("draft", self.draft_ft, self.draft_m),
        };
        if problems.is_empty() {
            Ok(dims)
        } else {
            Err(problems)
        }
    }
}

/// A full name as stored: trimmed, inner runs of spaces made one, not empty.
pub fn parse_full_name(raw: &str) -> Result<String, String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        Err("is required".to_owned())
    } else if name.chars().count() > 200 {
        Err("must be at most 200 characters".to_owned())
    } else {
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn dimensions_given_in_one_unit_are_completed() {
        let dims = YachtInput {
            length_ft: Some(d("100")),
            width_m: Some(d("6")),
            ..Default::default()
        }
        .complete()
        .unwrap();
        assert_eq!(dims.length.unwrap().m, d("30.48"));
        assert_eq!(dims.width.unwrap().ft, d("19.69"));
        assert!(dims.draft.is_none());
    }

    #[test]
    fn inconsistent_units_name_the_field() {
        let err = YachtInput {
            draft_ft: Some(d("10")),
            draft_m: Some(d("5")),
            length_ft: Some(d("-3")),
            ..Default::default()
        }
        .complete()
        .unwrap_err();
        let fields: Vec<&str> = err.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["yacht_length_ft", "yacht_draft_m"]);
    }

    #[test]
    fn enums_list_allowed_values() {
        assert_eq!(ProxyType::from_str("broker"), Ok(ProxyType::Broker));
        let e = Source::from_str("tv").unwrap_err();
        assert!(
            e.contains("website, manual, referral, broker, import"),
            "{e}"
        );
        assert_eq!(
            serde_json::from_str::<RelationshipType>("\"same_vessel\"").unwrap(),
            RelationshipType::SameVessel
        );
    }

    #[test]
    fn names_are_trimmed_and_required() {
        assert_eq!(parse_full_name("  Jane   Doe ").unwrap(), "Jane Doe");
        assert!(parse_full_name("   ").is_err());
    }
}
