//! The demo port's clients: owners, brokers and family offices, with their
//! yachts and ways to reach them.

use crate::db::PortTx;
use domain::units::ft_to_m;
use rust_decimal::Decimal;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Client {
    pub id: Uuid,
    pub yacht_length_ft: Option<Decimal>,
    pub source: &'static str,
}

const FIRST: [&str; 20] = [
    "Amelia", "Henrik", "Sofia", "Laurent", "Camila", "James", "Yuki", "Matteo", "Olivia",
    "Rafael", "Ingrid", "Marcus", "Chloé", "Diego", "Hannah", "Nikolai", "Priya", "Thomas",
    "Elena", "Kwame",
];
const LAST: [&str; 15] = [
    "Hartley",
    "Lindqvist",
    "Moreau",
    "Castellano",
    "Whitfield",
    "Tanaka",
    "Rossi",
    "Fairbanks",
    "Okafor",
    "Delacroix",
    "Brennan",
    "Vasquez",
    "Sorensen",
    "Albrecht",
    "Kowalski",
];
/// Nationality, its time zone and the start of a mobile number that
/// libphonenumber accepts as valid once four digits are added (the numbers are
/// stored as E.164, as the API would store them).
const NATIONS: [(&str, &str, &str); 10] = [
    ("British", "Europe/London", "+44791112"),
    ("American", "America/New_York", "+1305412"),
    ("French", "Europe/Paris", "+3361234"),
    ("Italian", "Europe/Rome", "+39347123"),
    ("Swedish", "Europe/Stockholm", "+4670123"),
    ("Dutch", "Europe/Amsterdam", "+3161234"),
    ("Anguillan", "America/Anguilla", "+1264772"),
    ("Spanish", "Europe/Madrid", "+3461234"),
    ("Japanese", "Asia/Tokyo", "+81901234"),
    ("Canadian", "America/Toronto", "+1416362"),
];
/// Who a proxy client is to the owner, in turn.
const PROXY_TYPES: [&str; 4] = ["broker", "representative", "family_member", "legal_counsel"];
const YACHTS: [&str; 24] = [
    "Sea Breeze",
    "Aurora",
    "Blue Horizon",
    "Serenity",
    "Windward",
    "Calypso",
    "Northern Star",
    "Halcyon",
    "Silver Tide",
    "Odyssey",
    "Marlin",
    "Solstice",
    "Azure Dream",
    "Trade Wind",
    "Kestrel",
    "Meridian",
    "Lady Anne",
    "Sundancer",
    "Pelican",
    "Island Time",
    "Spindrift",
    "Valkyrie",
    "Coral Reef",
    "Stella Maris",
];
const SOURCES: [&str; 4] = ["website", "referral", "broker", "manual"];
const BROKERAGES: [&str; 4] = [
    "Caribbean Yacht Brokers",
    "Leeward Marine Partners",
    "Atlantic Berth Agency",
    "Harbour & Co.",
];

pub async fn insert(tx: &mut PortTx, port_id: Uuid) -> anyhow::Result<Vec<Client>> {
    let mut clients = Vec::new();
    for i in 0..60usize {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i * 7 + i / FIRST.len()) % LAST.len()];
        let (nationality, timezone, phone_prefix) = NATIONS[(i * 3) % NATIONS.len()];
        let source = SOURCES[i % SOURCES.len()];
        // Every fifth client is a broker acting for an owner.
        let is_proxy = i % 5 == 4;
        let has_yacht = i % 6 != 5;
        let length_ft = has_yacht.then(|| Decimal::from(38 + ((i * 13) % 110) as i64));
        let width_ft = length_ft.map(|l| (l * Decimal::new(28, 2) + Decimal::from(2)).round_dp(1));
        let draft_ft = length_ft.map(|l| (l * Decimal::new(65, 3) + Decimal::from(2)).round_dp(1));
        let full_name = format!("{first} {last}");
        let id = sqlx::query_scalar!(
            r#"INSERT INTO clients (port_id, full_name, company_name, nationality, is_proxy, proxy_type, actual_owner_name,
                yacht_name, yacht_length_ft, yacht_width_ft, yacht_draft_ft, yacht_length_m, yacht_width_m, yacht_draft_m,
                berth_size_desired, preferred_contact_method, preferred_language, source, source_details,
                timezone, relationship_notes, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
                $21, $22, now() - make_interval(days => $20))
               RETURNING id"#,
            port_id,
            full_name,
            if is_proxy { Some(BROKERAGES[i % BROKERAGES.len()].to_owned()) } else if i % 4 == 1 { Some(format!("{last} Holdings Ltd")) } else { None },
            nationality,
            is_proxy,
            is_proxy.then_some(PROXY_TYPES[(i / 5) % PROXY_TYPES.len()]),
            is_proxy.then(|| format!("{} {}", FIRST[(i + 5) % FIRST.len()], LAST[(i + 3) % LAST.len()])),
            has_yacht.then(|| YACHTS[i % YACHTS.len()].to_owned()),
            length_ft,
            width_ft,
            draft_ft,
            length_ft.map(ft_to_m),
            width_ft.map(ft_to_m),
            draft_ft.map(ft_to_m),
            length_ft.map(|l| format!("{} ft", (l / Decimal::from(5)).ceil() * Decimal::from(5))),
            ["email", "phone", "whatsapp"][i % 3],
            ["en", "en", "fr", "it", "es"][i % 5],
            source,
            match source {
                "referral" => Some(format!("Referred by {} {}", FIRST[(i + 2) % FIRST.len()], LAST[(i + 9) % LAST.len()])),
                "broker" => Some(BROKERAGES[(i + 1) % BROKERAGES.len()].to_owned()),
                "website" => Some("Berth inquiry form".to_owned()),
                _ => None,
            },
            (i * 5 % 300) as i32,
            timezone,
            is_proxy.then_some("Speaks for the owner on berth matters; the owner signs contracts."),
        )
        .fetch_one(&mut **tx)
        .await?;

        let local = first.to_lowercase().replace('é', "e");
        let email = format!(
            "{local}.{}@{}",
            last.to_lowercase(),
            ["mail.example", "sailmail.example", "yachting.example"][i % 3]
        );
        let phone = demo_phone(phone_prefix, i);
        sqlx::query!(
            "INSERT INTO client_contacts (port_id, client_id, channel, value, label, is_primary)
             VALUES ($1, $2, 'email', $3, 'personal', true), ($1, $2, 'phone', $4, 'mobile', true)",
            port_id,
            id,
            email,
            phone,
        )
        .execute(&mut **tx)
        .await?;
        if i.is_multiple_of(3) {
            sqlx::query!(
                "INSERT INTO client_contacts (port_id, client_id, channel, value, label, is_primary)
                 VALUES ($1, $2, 'whatsapp', $3, 'mobile', true)",
                port_id,
                id,
                phone,
            )
            .execute(&mut **tx)
            .await?;
        }
        clients.push(Client {
            id,
            yacht_length_ft: length_ft,
            source,
        });
    }
    relate(tx, &clients).await?;
    Ok(clients)
}

/// A demo mobile number: the nation's prefix and four digits.
fn demo_phone(prefix: &str, i: usize) -> String {
    format!("{prefix}{:04}", (i * 37 + 1234) % 10000)
}

/// A few relationships between demo clients, of every kind but custom.
async fn relate(tx: &mut PortTx, clients: &[Client]) -> anyhow::Result<()> {
    // (client A, client B, type): brokers (every fifth client) act for the next
    // owner; some clients were referred by an earlier one; two families; one
    // yacht shared by two clients.
    let mut pairs: Vec<(usize, usize, &str)> = Vec::new();
    for i in (4..clients.len()).step_by(5) {
        if i + 1 < clients.len() {
            pairs.push((i, i + 1, "broker_for"));
        }
    }
    for i in [2usize, 7, 13, 21, 34] {
        pairs.push((i, i / 2, "referred_by"));
    }
    pairs.push((10, 11, "family_member"));
    pairs.push((30, 31, "family_member"));
    pairs.push((16, 40, "same_vessel"));
    for (a, b, kind) in pairs {
        let (Some(a), Some(b)) = (clients.get(a), clients.get(b)) else {
            continue;
        };
        sqlx::query!(
            "INSERT INTO client_relationships (client_a_id, client_b_id, relationship_type)
             VALUES ($1, $2, $3)",
            a.id,
            b.id,
            kind
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_phone_is_valid_and_already_e164() {
        let mut bad = Vec::new();
        for (_, _, prefix) in NATIONS {
            for i in 0..60 {
                let phone = demo_phone(prefix, i);
                if domain::contacts::normalise_phone(&phone, "AI").as_deref() != Ok(phone.as_str())
                {
                    bad.push(phone);
                }
            }
        }
        assert!(bad.is_empty(), "not valid E.164: {bad:?}");
    }
}
