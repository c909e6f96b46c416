//! Ways to reach a client (`client_contacts`): the channels and how a value is
//! normalised before it is stored or compared.
//!
//! Normalising on the way in is what makes duplicates findable: an e-mail is
//! compared lower-cased and trimmed, a phone number as E.164 read in the port's
//! region (DESIGN.md, "Duplicates and merge").

crate::text_enum!(
    /// The channel of a contact.
    Channel {
        Email => "email" / "Email",
        Phone => "phone" / "Phone",
        Whatsapp => "whatsapp" / "WhatsApp",
        Other => "other" / "Other",
    }
);

impl Channel {
    /// Phone and WhatsApp values are both phone numbers.
    pub fn is_phone(self) -> bool {
        matches!(self, Channel::Phone | Channel::Whatsapp)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactError {
    #[error("must not be empty")]
    Empty,
    #[error("is not a valid e-mail address")]
    Email,
    #[error(
        "is not a valid phone number for region {0}; write it with its country code, e.g. +1 264 772 1234"
    )]
    Phone(String),
    #[error("{0} is not a known region code")]
    Region(String),
}

/// An e-mail address as stored and compared: trimmed, lower-cased, checked.
pub fn normalise_email(raw: &str) -> Result<String, ContactError> {
    let value = raw.trim().to_lowercase();
    if value.is_empty() {
        return Err(ContactError::Empty);
    }
    // email_address accepts forms a mail server would refuse in practice (no
    // dot in the domain, quoted local parts); a CRM wants the everyday shape.
    let plain = value
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if plain && email_address::EmailAddress::is_valid(&value) {
        Ok(value)
    } else {
        Err(ContactError::Email)
    }
}

/// A phone number as E.164 (`+12647721234`). Numbers written without a country
/// code are read in `region`, the port's ISO 3166 country code.
pub fn normalise_phone(raw: &str, region: &str) -> Result<String, ContactError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(ContactError::Empty);
    }
    let country: phonenumber::country::Id = region
        .to_uppercase()
        .parse()
        .map_err(|_| ContactError::Region(region.to_owned()))?;
    let number = phonenumber::parse(Some(country), trimmed)
        .map_err(|_| ContactError::Phone(region.to_uppercase()))?;
    if !phonenumber::is_valid(&number) {
        return Err(ContactError::Phone(region.to_uppercase()));
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// Whether `region` is a region code the phone parser knows.
pub fn is_region(region: &str) -> bool {
    region.len() == 2
        && region
            .to_uppercase()
            .parse::<phonenumber::country::Id>()
            .is_ok()
}

/// A contact value normalised for its channel.
pub fn normalise(channel: Channel, raw: &str, region: &str) -> Result<String, ContactError> {
    match channel {
        Channel::Email => normalise_email(raw),
        Channel::Phone | Channel::Whatsapp => normalise_phone(raw, region),
        Channel::Other => {
            let value = raw.trim();
            if value.is_empty() {
                Err(ContactError::Empty)
            } else {
                Ok(value.to_owned())
            }
        }
    }
}

/// What someone typed into a search box, read as a phone number if it looks
/// like one (at least six digits and nothing but phone punctuation), so that
/// "0264 772 1234" finds "+12647721234".
pub fn phone_query(q: &str, region: &str) -> Option<String> {
    let digits = q.chars().filter(char::is_ascii_digit).count();
    let phoney = q
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if digits >= 6 && phoney {
        normalise_phone(q, region).ok().or_else(|| {
            Some(format!(
                "+{}",
                q.chars().filter(char::is_ascii_digit).collect::<String>()
            ))
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            normalise_email("  Jane.Doe@Example.COM ").unwrap(),
            "jane.doe@example.com"
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.com",
            "jane@example",
            "a b@c.com",
        ] {
            assert!(normalise_email(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn phones_become_e164_in_the_ports_region() {
        assert_eq!(
            normalise_phone("(264) 772-1234", "AI").unwrap(),
            "+12647721234"
        );
        assert_eq!(
            normalise_phone("+44 7911 123456", "AI").unwrap(),
            "+447911123456"
        );
        assert_eq!(
            normalise_phone("07911 123456", "GB").unwrap(),
            "+447911123456"
        );
        assert_eq!(
            normalise_phone("06 12 34 56 78", "fr").unwrap(),
            "+33612345678"
        );
    }

    #[test]
    fn malformed_phones_are_refused() {
        for bad in ["", "12", "call me", "+999 123"] {
            assert!(normalise_phone(bad, "AI").is_err(), "{bad} accepted");
        }
        assert_eq!(
            normalise_phone("123456", "ZZ"),
            Err(ContactError::Region("ZZ".into()))
        );
    }

    #[test]
    fn channels_parse_and_name_the_allowed_values() {
        assert_eq!("whatsapp".parse::<Channel>(), Ok(Channel::Whatsapp));
        assert!(
            "fax"
                .parse::<Channel>()
                .unwrap_err()
                .contains("email, phone")
        );
    }

    #[test]
    fn phone_like_queries_are_normalised() {
        assert_eq!(
            phone_query("264 772 1234", "AI").as_deref(),
            Some("+12647721234")
        );
        assert_eq!(phone_query("hartley", "AI"), None);
        assert_eq!(phone_query("772", "AI"), None);
    }
}
