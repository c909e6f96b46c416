//! Rules of an interest (a client's interest in a berth, or in the marina in
//! general): the closed value sets of its text columns, the milestones a stage
//! change stamps (DESIGN.md, "Pipeline") and the berth status triggers
//! (BR-001) that a change of the interest sets off.

use crate::pipeline::Stage;
use crate::settings::Trigger;
use chrono::{DateTime, Utc};

crate::text_enum!(
    /// How far along a lead is, as the sales team judges it.
    LeadCategory {
        GeneralInterest => "general_interest" / "General interest",
        SpecificQualified => "specific_qualified" / "Specific, qualified",
        HotLead => "hot_lead" / "Hot lead",
    }
);

crate::text_enum!(
    /// Where the interest came from.
    InterestSource {
        Website => "website" / "Website",
        Manual => "manual" / "Entered by hand",
        Referral => "referral" / "Referral",
        Broker => "broker" / "Broker",
    }
);

crate::text_enum!(
    /// The expression of interest (EOI / NDA) document.
    EoiStatus {
        WaitingForSignatures => "waiting_for_signatures" / "Waiting for signatures",
        Signed => "signed" / "Signed",
        Expired => "expired" / "Expired",
    }
);

crate::text_enum!(
    /// The sale contract.
    ContractStatus {
        Draft => "draft" / "Draft",
        Sent => "sent" / "Sent",
        Signed => "signed" / "Signed",
        Cancelled => "cancelled" / "Cancelled",
    }
);

crate::text_enum!(
    /// The 10% deposit.
    DepositStatus {
        Requested => "requested" / "Requested",
        Received => "received" / "Received",
        Refunded => "refunded" / "Refunded",
    }
);

crate::text_enum!(
    /// A hold on the berth while the sale goes on.
    ReservationStatus {
        Provisional => "provisional" / "Provisional",
        Confirmed => "confirmed" / "Confirmed",
        Released => "released" / "Released",
    }
);

/// The stamped part of an interest: its statuses and milestone dates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Milestones {
    pub eoi_status: Option<String>,
    pub contract_status: Option<String>,
    pub deposit_status: Option<String>,
    pub date_first_contact: Option<DateTime<Utc>>,
    pub date_last_contact: Option<DateTime<Utc>>,
    pub date_eoi_sent: Option<DateTime<Utc>>,
    pub date_eoi_signed: Option<DateTime<Utc>>,
    pub date_contract_sent: Option<DateTime<Utc>>,
    pub date_contract_signed: Option<DateTime<Utc>>,
    pub date_deposit_received: Option<DateTime<Utc>>,
}

impl Milestones {
    /// What moving to `stage` at `now` stamps: the stage's milestone once (a
    /// date already set stays), its status, and the last contact. Moving back
    /// stamps the earlier stage's milestone only if it is empty and clears
    /// nothing.
    pub fn stamp(&mut self, stage: Stage, now: DateTime<Utc>) {
        fn once(date: &mut Option<DateTime<Utc>>, now: DateTime<Utc>) {
            date.get_or_insert(now);
        }
        match stage {
            Stage::DetailsSent => once(&mut self.date_first_contact, now),
            Stage::SignedEoiNda => {
                once(&mut self.date_eoi_signed, now);
                self.eoi_status = Some(EoiStatus::Signed.as_str().into());
            }
            Stage::Deposit10pct => {
                once(&mut self.date_deposit_received, now);
                self.deposit_status = Some(DepositStatus::Received.as_str().into());
            }
            Stage::Contract => {
                once(&mut self.date_contract_sent, now);
                // A signed contract is not sent again by moving back to this stage.
                if self.contract_status.as_deref() != Some(ContractStatus::Signed.as_str()) {
                    self.contract_status = Some(ContractStatus::Sent.as_str().into());
                }
            }
            Stage::Completed => {
                once(&mut self.date_contract_signed, now);
                self.contract_status = Some(ContractStatus::Signed.as_str().into());
            }
            Stage::Open | Stage::InCommunication | Stage::Visited => {}
        }
        self.date_last_contact = Some(now);
    }
}

/// The berth status triggers a change of an interest sets off, from its state
/// before and after: each milestone reached for the first time (a status that
/// becomes `signed`, `received`, `sent`, or the EOI's date of sending newly
/// set) and the stage `completed` newly reached. Linking and releasing berths
/// are the caller's, who knows the berth's other interests.
pub fn milestone_triggers(
    before: (&Milestones, Stage),
    after: (&Milestones, Stage),
) -> Vec<Trigger> {
    let (b, b_stage) = before;
    let (a, a_stage) = after;
    let became = |old: &Option<String>, new: &Option<String>, value: &str| {
        new.as_deref() == Some(value) && old.as_deref() != Some(value)
    };
    let mut out = Vec::new();
    let eoi_sent = (a.date_eoi_sent.is_some() && b.date_eoi_sent.is_none())
        || became(
            &b.eoi_status,
            &a.eoi_status,
            EoiStatus::WaitingForSignatures.as_str(),
        );
    if eoi_sent {
        out.push(Trigger::EoiSent);
    }
    if became(&b.eoi_status, &a.eoi_status, EoiStatus::Signed.as_str()) {
        out.push(Trigger::EoiSigned);
    }
    if became(
        &b.deposit_status,
        &a.deposit_status,
        DepositStatus::Received.as_str(),
    ) {
        out.push(Trigger::DepositReceived);
    }
    if became(
        &b.contract_status,
        &a.contract_status,
        ContractStatus::Sent.as_str(),
    ) {
        out.push(Trigger::ContractSent);
    }
    if became(
        &b.contract_status,
        &a.contract_status,
        ContractStatus::Signed.as_str(),
    ) {
        out.push(Trigger::ContractSigned);
    }
    if a_stage == Stage::Completed && b_stage != Stage::Completed {
        out.push(Trigger::InterestCompleted);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn t(days: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_750_000_000, 0).unwrap() + Duration::days(days)
    }

    #[test]
    fn each_stage_stamps_its_milestone_once() {
        let mut m = Milestones::default();
        m.stamp(Stage::DetailsSent, t(0));
        m.stamp(Stage::DetailsSent, t(1));
        assert_eq!(m.date_first_contact, Some(t(0)));
        assert_eq!(m.date_last_contact, Some(t(1)));

        m.stamp(Stage::Deposit10pct, t(2));
        assert_eq!(m.date_deposit_received, Some(t(2)));
        assert_eq!(m.deposit_status.as_deref(), Some("received"));
        assert_eq!(
            m.date_eoi_signed, None,
            "only the stage moved to is stamped"
        );

        m.stamp(Stage::Completed, t(3));
        assert_eq!(m.contract_status.as_deref(), Some("signed"));
        // Back to contract: no date is cleared, the signed contract stays signed.
        m.stamp(Stage::Contract, t(4));
        assert_eq!(m.date_contract_signed, Some(t(3)));
        assert_eq!(m.date_contract_sent, Some(t(4)));
        assert_eq!(m.contract_status.as_deref(), Some("signed"));
        m.stamp(Stage::Open, t(5));
        assert_eq!(m.date_deposit_received, Some(t(2)));
        assert_eq!(m.date_last_contact, Some(t(5)));
    }

    #[test]
    fn triggers_fire_when_a_milestone_is_first_reached() {
        let before = Milestones::default();
        let mut after = before.clone();
        after.stamp(Stage::SignedEoiNda, t(0));
        assert_eq!(
            milestone_triggers((&before, Stage::Visited), (&after, Stage::SignedEoiNda)),
            [Trigger::EoiSigned]
        );
        // Moving there again reaches nothing new.
        let mut again = after.clone();
        again.stamp(Stage::SignedEoiNda, t(1));
        assert!(
            milestone_triggers((&after, Stage::Visited), (&again, Stage::SignedEoiNda)).is_empty()
        );

        let mut done = Milestones::default();
        done.stamp(Stage::Completed, t(2));
        assert_eq!(
            milestone_triggers((&before, Stage::Open), (&done, Stage::Completed)),
            [Trigger::ContractSigned, Trigger::InterestCompleted]
        );

        let sent = Milestones {
            date_eoi_sent: Some(t(0)),
            ..Milestones::default()
        };
        assert_eq!(
            milestone_triggers((&before, Stage::Open), (&sent, Stage::Open)),
            [Trigger::EoiSent]
        );
    }

    #[test]
    fn unknown_values_list_the_allowed_ones() {
        let e = "maybe".parse::<DepositStatus>().unwrap_err();
        assert_eq!(e, "must be one of requested, received, refunded");
        assert_eq!(
            "hot_lead".parse::<LeadCategory>(),
            Ok(LeadCategory::HotLead)
        );
    }
}
