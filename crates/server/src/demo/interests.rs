//! The demo pipeline: interests at every stage, their milestones stamped as the
//! pipeline rules would have stamped them, and berth statuses to match; the
//! suggestions the default rules leave waiting on berths of early interests;
//! and a few berths with a second, less advanced interest, which follow the
//! most advanced one.

use super::berths::Berth;
use super::clients::Client;
use crate::db::PortTx;
use chrono::{DateTime, Duration, Utc};
use domain::pipeline::Stage;
use uuid::Uuid;

/// Five interests per stage.
const PER_STAGE: usize = 5;

struct Milestones {
    first_contact: Option<DateTime<Utc>>,
    eoi_sent: Option<DateTime<Utc>>,
    eoi_signed: Option<DateTime<Utc>>,
    deposit: Option<DateTime<Utc>>,
    contract_sent: Option<DateTime<Utc>>,
    contract_signed: Option<DateTime<Utc>>,
}

/// The dates a stage implies, counted from when the interest was created.
fn milestones(stage: Stage, created: DateTime<Utc>) -> Milestones {
    let at = |reached: Stage, days: i64| (stage >= reached).then(|| created + Duration::days(days));
    Milestones {
        first_contact: at(Stage::DetailsSent, 2),
        eoi_sent: at(Stage::SignedEoiNda, 18),
        eoi_signed: at(Stage::SignedEoiNda, 21),
        deposit: at(Stage::Deposit10pct, 35),
        contract_sent: at(Stage::Contract, 49),
        contract_signed: at(Stage::Completed, 63),
    }
}

pub async fn insert(
    tx: &mut PortTx,
    port_id: Uuid,
    clients: &[Client],
    berths: &[Berth],
) -> anyhow::Result<usize> {
    let now = Utc::now();
    let owners: Vec<&Client> = clients
        .iter()
        .filter(|c| c.yacht_length_ft.is_some())
        .collect();
    let mut used = vec![false; berths.len()];
    let mut count = 0;
    // (interest, berth index, stage) of each interest linked to a berth.
    let mut linked: Vec<(Uuid, usize, Stage)> = Vec::new();
    for (i, client) in owners.iter().take(Stage::ALL.len() * PER_STAGE).enumerate() {
        let stage = Stage::ALL[i % Stage::ALL.len()];
        let length = client.yacht_length_ft.unwrap_or_default();
        // The smallest free berth the yacht fits; early open inquiries have none yet.
        let general_inquiry = stage == Stage::Open && i.is_multiple_of(2);
        let berth = if general_inquiry {
            None
        } else {
            let mut fitting: Vec<usize> = (0..berths.len())
                .filter(|&b| !used[b] && berths[b].length_ft >= length)
                .collect();
            fitting.sort_by_key(|&b| (berths[b].length_ft, b));
            fitting.first().copied().inspect(|&b| used[b] = true)
        };
        let created = now - Duration::days(75 + (i as i64 * 3) % 90);
        let m = milestones(stage, created);
        let last_contact = (stage > Stage::Open).then(|| now - Duration::days((i as i64 * 5) % 24));
        let lead_category = if stage >= Stage::Visited {
            "hot_lead"
        } else if berth.is_some() {
            "specific_qualified"
        } else {
            "general_interest"
        };
        let id = sqlx::query_scalar!(
            r#"INSERT INTO interests (port_id, client_id, berth_id, pipeline_stage, lead_category, source,
                eoi_status, contract_status, deposit_status,
                date_first_contact, date_last_contact, date_eoi_sent, date_eoi_signed, date_contract_sent,
                date_contract_signed, date_deposit_received, reminder_enabled, reminder_days, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
               RETURNING id"#,
            port_id,
            client.id,
            berth.map(|b| berths[b].id),
            stage.as_str(),
            lead_category,
            client.source,
            m.eoi_signed.map(|_| "signed"),
            if m.contract_signed.is_some() { Some("signed") } else { m.contract_sent.map(|_| "sent") },
            m.deposit.map(|_| "received"),
            m.first_contact,
            last_contact,
            m.eoi_sent,
            m.eoi_signed,
            m.contract_sent,
            m.contract_signed,
            m.deposit,
            stage < Stage::Completed,
            (stage < Stage::Completed).then_some(7),
            created,
        )
        .fetch_one(&mut **tx)
        .await?;
        if let Some(b) = berth {
            linked.push((id, b, stage));
        }

        // Berth statuses as the default rules (BR-001) would have left them.
        let rule = match stage {
            Stage::Completed => Some(("sold", "rule:interest_completed", m.contract_signed)),
            Stage::Contract | Stage::Deposit10pct => {
                Some(("under_offer", "rule:deposit_received", m.deposit))
            }
            Stage::SignedEoiNda => Some(("under_offer", "rule:eoi_signed", m.eoi_signed)),
            _ => None,
        };
        if let (Some(b), Some((status, reason, when))) = (berth, rule) {
            sqlx::query!(
                "UPDATE berths SET status = $2, status_last_changed_by = 'system', status_last_changed_reason = $3,
                        status_last_modified = $4
                 WHERE id = $1",
                berths[b].id,
                status,
                reason,
                when,
            )
            .execute(&mut **tx)
            .await?;
        }
        count += 1;
    }
    suggestions(tx, port_id, berths, &linked).await?;
    let rest: Vec<&Client> = owners.iter().skip(count).copied().collect();
    count += second_interests(tx, port_id, berths, &linked, &rest, now).await?;
    Ok(count)
}

/// The default rule for a linked interest suggests "under offer": berths of
/// interests not yet past a visit still wait for someone to decide.
async fn suggestions(
    tx: &mut PortTx,
    port_id: Uuid,
    berths: &[Berth],
    linked: &[(Uuid, usize, Stage)],
) -> anyhow::Result<()> {
    for (interest, b, stage) in linked {
        if *stage > Stage::Visited {
            continue;
        }
        sqlx::query!(
            "INSERT INTO berth_status_suggestions (port_id, berth_id, interest_id, trigger, target_status)
             VALUES ($1, $2, $3, 'interest_linked', 'under_offer')
             ON CONFLICT (berth_id, target_status) WHERE status = 'pending' DO NOTHING",
            port_id,
            berths[*b].id,
            interest,
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A second, earlier-stage interest on some berths already under offer or
/// sold: the berth keeps the status its most advanced interest gave it.
async fn second_interests(
    tx: &mut PortTx,
    port_id: Uuid,
    berths: &[Berth],
    linked: &[(Uuid, usize, Stage)],
    owners: &[&Client],
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let taken: Vec<usize> = linked
        .iter()
        .filter(|(_, _, stage)| *stage >= Stage::Deposit10pct)
        .map(|(_, b, _)| *b)
        .collect();
    let mut count = 0;
    for (i, (client, b)) in owners
        .iter()
        .zip(taken.iter().step_by(2))
        .take(6)
        .enumerate()
    {
        let stage = if i % 2 == 0 {
            Stage::InCommunication
        } else {
            Stage::Visited
        };
        let created = now - Duration::days(20 + i as i64 * 4);
        sqlx::query!(
            "INSERT INTO interests (port_id, client_id, berth_id, pipeline_stage, lead_category, source,
                date_first_contact, date_last_contact, reminder_enabled, reminder_days, notes, created_at)
             VALUES ($1, $2, $3, $4, 'specific_qualified', $5, $6, $7, true, 10,
                     'Would take this berth if the current sale falls through.', $8)",
            port_id,
            client.id,
            berths[*b].id,
            stage.as_str(),
            client.source,
            created + Duration::days(2),
            now - Duration::days(3 + i as i64),
            created,
        )
        .execute(&mut **tx)
        .await?;
        count += 1;
    }
    Ok(count)
}
