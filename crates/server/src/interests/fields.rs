//! The interest's editable fields: what a create or a PATCH body may hold, and
//! the rules that turn it into values to store.
//!
//! As for clients, create and update share one path: a create applies its
//! body to an empty record, a PATCH to the stored one, and the result is
//! checked as a whole. Every problem is collected at once and named by its
//! field; an unknown stage, category or status lists the allowed values.
//! Whether the berth exists at the port is the writer's to check (404).

use super::model::Interest;
use crate::http::checked::nullable;
use chrono::{DateTime, NaiveDate, Utc};
use domain::interests::{
    ContractStatus, DepositStatus, EoiStatus, InterestSource, LeadCategory, Milestones,
    ReservationStatus,
};
use domain::pipeline::Stage;
use serde::Deserialize;
use std::str::FromStr;
use uuid::Uuid;

/// The fields a body may set; `None`: not given, `Some(None)`: cleared.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    #[serde(default, deserialize_with = "nullable")]
    pub berth_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub pipeline_stage: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub lead_category: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub source: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub eoi_status: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub contract_status: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub deposit_status: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub reservation_status: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub date_first_contact: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub date_last_contact: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub date_eoi_sent: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub date_eoi_signed: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub date_contract_sent: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub date_contract_signed: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub date_deposit_received: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub reminder_enabled: Option<Option<bool>>,
    #[serde(default, deserialize_with = "nullable")]
    pub reminder_days: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub notes: Option<Option<String>>,
}

impl Patch {
    /// A patch that only moves the interest to `stage`.
    pub fn stage(stage: Stage) -> Patch {
        Patch {
            pipeline_stage: Some(Some(stage.as_str().to_owned())),
            ..Patch::default()
        }
    }
}

/// The values to store, after the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    pub berth_id: Option<Uuid>,
    pub stage: Stage,
    pub lead_category: Option<String>,
    pub source: Option<String>,
    pub reservation_status: Option<String>,
    /// Statuses and milestone dates.
    pub m: Milestones,
    pub reminder_enabled: bool,
    pub reminder_days: Option<i32>,
    pub notes: Option<String>,
}

impl Default for Fields {
    fn default() -> Fields {
        Fields {
            berth_id: None,
            stage: Stage::Open,
            lead_category: None,
            source: None,
            reservation_status: None,
            m: Milestones::default(),
            reminder_enabled: false,
            reminder_days: None,
            notes: None,
        }
    }
}

impl Fields {
    pub fn of(i: &Interest) -> Fields {
        Fields {
            berth_id: i.berth_id,
            stage: i.stage(),
            lead_category: i.lead_category.clone(),
            source: i.source.clone(),
            reservation_status: i.reservation_status.clone(),
            m: i.milestones(),
            reminder_enabled: i.reminder_enabled,
            reminder_days: i.reminder_days,
            notes: i.notes.clone(),
        }
    }
}

type Problems = Vec<(String, String)>;

/// The longest quick-notes text.
pub const MAX_NOTES: usize = 10_000;

/// A closed set: the 422 lists what would have been accepted.
fn one_of<T: FromStr<Err = String>>(
    p: &mut Problems,
    field: &str,
    given: Option<Option<String>>,
    stored: Option<String>,
) -> Option<String> {
    let Some(v) = given else {
        return stored;
    };
    let v = v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())?;
    match T::from_str(&v) {
        Ok(_) => Some(v),
        Err(message) => {
            p.push((field.into(), message));
            None
        }
    }
}

/// A moment as RFC 3339 (`2026-03-01T10:00:00Z`), or a date alone
/// (`2026-03-01`, read as midnight UTC).
pub fn parse_moment(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc())
        })
}

fn moment(
    p: &mut Problems,
    field: &str,
    given: Option<Option<String>>,
    stored: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let Some(v) = given else {
        return stored;
    };
    let v = v.filter(|s| !s.trim().is_empty())?;
    match parse_moment(&v) {
        Some(d) => Some(d),
        None => {
            p.push((
                field.into(),
                "must be a date-time such as 2026-03-01T10:00:00Z, or a date such as 2026-03-01"
                    .into(),
            ));
            None
        }
    }
}

/// `base` with `patch` applied and every rule checked. Moving to another
/// stage is not stamped here: the writer does that with the time of the move.
pub fn apply(base: Fields, patch: Patch) -> Result<Fields, Problems> {
    let mut p = Problems::new();
    let berth_id = match patch.berth_id {
        None => base.berth_id,
        Some(None) => None,
        Some(Some(raw)) if raw.trim().is_empty() => None,
        Some(Some(raw)) => match Uuid::parse_str(raw.trim()) {
            Ok(id) => Some(id),
            Err(_) => {
                p.push(("berth_id".into(), "must be a berth id".into()));
                None
            }
        },
    };
    let stage = match patch.pipeline_stage {
        None => base.stage,
        Some(None) => {
            p.push((
                "pipeline_stage".into(),
                "is required; allowed: open, details_sent, in_communication, visited, signed_eoi_nda, deposit_10pct, contract, completed".into(),
            ));
            base.stage
        }
        Some(Some(raw)) => match raw.trim().parse::<Stage>() {
            Ok(s) => s,
            Err(e) => {
                p.push(("pipeline_stage".into(), e.to_string()));
                base.stage
            }
        },
    };
    let reminder_enabled = match patch.reminder_enabled {
        None => base.reminder_enabled,
        Some(Some(v)) => v,
        Some(None) => {
            p.push(("reminder_enabled".into(), "must be true or false".into()));
            base.reminder_enabled
        }
    };
    let reminder_days = match patch.reminder_days {
        None => base.reminder_days,
        Some(None) => None,
        Some(Some(d)) if (1..=365).contains(&d) => Some(d as i32),
        Some(Some(_)) => {
            p.push((
                "reminder_days".into(),
                "must be between 1 and 365 (or null for the port's default)".into(),
            ));
            None
        }
    };
    let notes = match patch.notes {
        None => base.notes,
        Some(v) => v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
    };
    if notes
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTES)
    {
        p.push((
            "notes".into(),
            format!("must be at most {MAX_NOTES} characters"),
        ));
    }
    let b = base.m;
    let m = Milestones {
        eoi_status: one_of::<EoiStatus>(&mut p, "eoi_status", patch.eoi_status, b.eoi_status),
        contract_status: one_of::<ContractStatus>(
            &mut p,
            "contract_status",
            patch.contract_status,
            b.contract_status,
        ),
        deposit_status: one_of::<DepositStatus>(
            &mut p,
            "deposit_status",
            patch.deposit_status,
            b.deposit_status,
        ),
        date_first_contact: moment(
            &mut p,
            "date_first_contact",
            patch.date_first_contact,
            b.date_first_contact,
        ),
        date_last_contact: moment(
            &mut p,
            "date_last_contact",
            patch.date_last_contact,
            b.date_last_contact,
        ),
        date_eoi_sent: moment(
            &mut p,
            "date_eoi_sent",
            patch.date_eoi_sent,
            b.date_eoi_sent,
        ),
        date_eoi_signed: moment(
            &mut p,
            "date_eoi_signed",
            patch.date_eoi_signed,
            b.date_eoi_signed,
        ),
        date_contract_sent: moment(
            &mut p,
            "date_contract_sent",
            patch.date_contract_sent,
            b.date_contract_sent,
        ),
        date_contract_signed: moment(
            &mut p,
            "date_contract_signed",
            patch.date_contract_signed,
            b.date_contract_signed,
        ),
        date_deposit_received: moment(
            &mut p,
            "date_deposit_received",
            patch.date_deposit_received,
            b.date_deposit_received,
        ),
    };
    let fields = Fields {
        berth_id,
        stage,
        lead_category: one_of::<LeadCategory>(
            &mut p,
            "lead_category",
            patch.lead_category,
            base.lead_category,
        ),
        source: one_of::<InterestSource>(&mut p, "source", patch.source, base.source),
        reservation_status: one_of::<ReservationStatus>(
            &mut p,
            "reservation_status",
            patch.reservation_status,
            base.reservation_status,
        ),
        m,
        reminder_enabled,
        reminder_days,
        notes,
    };
    if p.is_empty() { Ok(fields) } else { Err(p) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch(v: serde_json::Value) -> Patch {
        serde_json::from_value(v).unwrap()
    }

    fn problems(v: serde_json::Value) -> Vec<(String, String)> {
        apply(Fields::default(), patch(v)).unwrap_err()
    }

    #[test]
    fn unknown_values_name_their_field_and_the_allowed_ones() {
        let p = problems(json!({"pipeline_stage": "won", "lead_category": "warm",
                                "deposit_status": "paid", "date_eoi_sent": "soon",
                                "reminder_days": 0, "berth_id": "B12"}));
        let fields: Vec<&str> = p.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "berth_id",
                "pipeline_stage",
                "reminder_days",
                "deposit_status",
                "date_eoi_sent",
                "lead_category"
            ]
        );
        assert!(p[1].1.contains("deposit_10pct"), "{}", p[1].1);
        assert!(p[3].1.contains("requested, received, refunded"));
        assert!(
            p[5].1
                .contains("general_interest, specific_qualified, hot_lead")
        );
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let base = apply(
            Fields::default(),
            patch(
                json!({"lead_category": "hot_lead", "date_first_contact": "2026-03-01",
                         "notes": "  Wants a west-facing berth  "}),
            ),
        )
        .unwrap();
        assert_eq!(base.notes.as_deref(), Some("Wants a west-facing berth"));
        assert_eq!(
            base.m.date_first_contact,
            parse_moment("2026-03-01T00:00:00Z")
        );
        let next = apply(base.clone(), patch(json!({"lead_category": null}))).unwrap();
        assert_eq!(next.lead_category, None);
        assert_eq!(next.m, base.m);
        assert_eq!(next.notes, base.notes);
    }
}
