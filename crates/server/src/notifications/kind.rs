//! The kinds of notification. Stored as text in `notifications.type` and
//! `user_notification_preferences.notification_type`; this list is the only
//! place a kind is defined, so preferences can be checked against it.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    ReminderDue,
    ReminderOverdue,
    NewRegistration,
    EoiSigned,
    EoiCompleted,
    EmailReceived,
    DuplicateAlert,
    InvoiceOverdue,
    WaitingList,
    SystemAlert,
    FollowUpCreated,
    TenureExpiring,
    /// Someone named the user in a note.
    Mention,
}

impl Kind {
    pub const ALL: [Kind; 13] = [
        Kind::ReminderDue,
        Kind::ReminderOverdue,
        Kind::NewRegistration,
        Kind::EoiSigned,
        Kind::EoiCompleted,
        Kind::EmailReceived,
        Kind::DuplicateAlert,
        Kind::InvoiceOverdue,
        Kind::WaitingList,
        Kind::SystemAlert,
        Kind::FollowUpCreated,
        Kind::TenureExpiring,
        Kind::Mention,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ReminderDue => "reminder_due",
            Kind::ReminderOverdue => "reminder_overdue",
            Kind::NewRegistration => "new_registration",
            Kind::EoiSigned => "eoi_signed",
            Kind::EoiCompleted => "eoi_completed",
            Kind::EmailReceived => "email_received",
            Kind::DuplicateAlert => "duplicate_alert",
            Kind::InvoiceOverdue => "invoice_overdue",
            Kind::WaitingList => "waiting_list",
            Kind::SystemAlert => "system_alert",
            Kind::FollowUpCreated => "follow_up_created",
            Kind::TenureExpiring => "tenure_expiring",
            Kind::Mention => "mention",
        }
    }

    pub fn parse(value: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// How the pages name the kind.
    pub fn label(self) -> &'static str {
        match self {
            Kind::ReminderDue => "Reminder due",
            Kind::ReminderOverdue => "Reminder overdue",
            Kind::NewRegistration => "New registration",
            Kind::EoiSigned => "EOI signed",
            Kind::EoiCompleted => "EOI completed",
            Kind::EmailReceived => "E-mail received",
            Kind::DuplicateAlert => "Possible duplicate",
            Kind::InvoiceOverdue => "Invoice overdue",
            Kind::WaitingList => "Waiting list",
            Kind::SystemAlert => "System alert",
            Kind::FollowUpCreated => "Follow-up created",
            Kind::TenureExpiring => "Tenure expiring",
            Kind::Mention => "Mention",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, kind.as_str());
        }
        assert_eq!(Kind::parse("reminder"), None);
        assert_eq!(Kind::parse("Mention"), None);
    }
}
