//! The values of the system settings the rules read, with their defaults.
//!
//! Each type is what one `system_settings` key holds. Types check their own
//! shape (serde) and their own sense (`problems`), so a setting can never be
//! stored in a form the rules that read it would misunderstand.

use serde::{Deserialize, Serialize};

/// A field path (as in a 422's `errors`) and what is wrong with it.
pub type Problem = (String, String);

/// A daily window in the port's time zone, `HH:MM` to `HH:MM`, inside which
/// reminders and notifications go out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendWindow {
    pub start: String,
    pub end: String,
}

impl Default for SendWindow {
    fn default() -> SendWindow {
        SendWindow {
            start: "08:00".into(),
            end: "18:00".into(),
        }
    }
}

/// Minutes after midnight of `HH:MM` (00:00–23:59), or `None`.
pub fn minutes_of(hhmm: &str) -> Option<u32> {
    let (h, m) = hhmm.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

impl SendWindow {
    fn problems(&self, at: &str, out: &mut Vec<Problem>) {
        let start = minutes_of(&self.start);
        let end = minutes_of(&self.end);
        if start.is_none() {
            out.push((
                format!("{at}.start"),
                "must be a time HH:MM such as 08:00".into(),
            ));
        }
        if end.is_none() {
            out.push((
                format!("{at}.end"),
                "must be a time HH:MM such as 18:00".into(),
            ));
        }
        if let (Some(s), Some(e)) = (start, end)
            && s >= e
        {
            out.push((format!("{at}.end"), "must be later than the start".into()));
        }
    }
}

fn in_range(out: &mut Vec<Problem>, field: &str, value: u32, min: u32, max: u32) {
    if value < min || value > max {
        out.push((field.into(), format!("must be between {min} and {max}")));
    }
}

/// `follow_up_defaults`: when an interest with reminders on and no contact gets
/// an automatic follow-up reminder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FollowUpDefaults {
    /// Days without contact before a follow-up is due.
    pub reminder_days: u32,
    pub send_window: SendWindow,
    /// At most one automatic follow-up per interest in this many hours.
    pub cooldown_hours: u32,
}

impl Default for FollowUpDefaults {
    fn default() -> FollowUpDefaults {
        FollowUpDefaults {
            reminder_days: 7,
            send_window: SendWindow::default(),
            cooldown_hours: 72,
        }
    }
}

impl FollowUpDefaults {
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        in_range(&mut out, "reminder_days", self.reminder_days, 1, 365);
        in_range(&mut out, "cooldown_hours", self.cooldown_hours, 1, 24 * 365);
        self.send_window.problems("send_window", &mut out);
        out
    }
}

/// `eoi_reminder_settings`: reminders to sign an EOI — first after N days,
/// then every M days, at most K times, inside the send window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EoiReminderSettings {
    pub first_after_days: u32,
    pub interval_days: u32,
    pub max_reminders: u32,
    pub send_window: SendWindow,
}

impl Default for EoiReminderSettings {
    fn default() -> EoiReminderSettings {
        EoiReminderSettings {
            first_after_days: 3,
            interval_days: 3,
            max_reminders: 3,
            send_window: SendWindow::default(),
        }
    }
}

impl EoiReminderSettings {
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        in_range(&mut out, "first_after_days", self.first_after_days, 1, 90);
        in_range(&mut out, "interval_days", self.interval_days, 1, 90);
        in_range(&mut out, "max_reminders", self.max_reminders, 0, 20);
        self.send_window.problems("send_window", &mut out);
        out
    }
}

/// `contact_defaults` (per port): how contact details typed without a country
/// are read. Phone numbers become E.164 in `phone_region`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ContactDefaults {
    /// ISO 3166 alpha-2 country code, such as AI or GB.
    pub phone_region: String,
}

impl Default for ContactDefaults {
    fn default() -> ContactDefaults {
        // The installation's default port time zone is America/Anguilla.
        ContactDefaults {
            phone_region: "AI".into(),
        }
    }
}

impl ContactDefaults {
    pub fn problems(&self) -> Vec<Problem> {
        if crate::contacts::is_region(&self.phone_region) {
            Vec::new()
        } else {
            vec![(
                "phone_region".into(),
                "must be a two-letter ISO 3166 country code, such as AI or GB".into(),
            )]
        }
    }
}

/// `currency_display` (installation-wide): how amounts are shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CurrencyDisplay {
    pub primary_currency: String,
    /// Shown beside the primary amount when set.
    pub secondary_currency: Option<String>,
    pub decimal_places: u32,
}

impl Default for CurrencyDisplay {
    fn default() -> CurrencyDisplay {
        CurrencyDisplay {
            primary_currency: "USD".into(),
            secondary_currency: None,
            decimal_places: 2,
        }
    }
}

impl CurrencyDisplay {
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let code = |c: &str| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase());
        if !code(&self.primary_currency) {
            out.push((
                "primary_currency".into(),
                "must be a three-letter ISO 4217 code in capitals, such as USD".into(),
            ));
        }
        if let Some(c) = &self.secondary_currency
            && !code(c)
        {
            out.push((
                "secondary_currency".into(),
                "must be a three-letter ISO 4217 code in capitals, or null".into(),
            ));
        }
        in_range(&mut out, "decimal_places", self.decimal_places, 0, 4);
        out
    }
}

/// What moves a berth's status (BR-001).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    InterestLinked,
    EoiSent,
    EoiSigned,
    DepositReceived,
    ContractSent,
    ContractSigned,
    InterestCompleted,
    /// The last active interest on a berth archived or unlinked.
    InterestReleased,
}

impl Trigger {
    pub const ALL: [Trigger; 8] = [
        Trigger::InterestLinked,
        Trigger::EoiSent,
        Trigger::EoiSigned,
        Trigger::DepositReceived,
        Trigger::ContractSent,
        Trigger::ContractSigned,
        Trigger::InterestCompleted,
        Trigger::InterestReleased,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Applies at once.
    Auto,
    /// Creates a suggestion a user accepts or dismisses.
    Suggest,
    Off,
}

/// A berth's status, in the order a sale moves it: automatic changes only go
/// forward (`Ord` follows that order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BerthStatus {
    Available,
    UnderOffer,
    Sold,
}

impl BerthStatus {
    pub const ALL: [BerthStatus; 3] = [
        BerthStatus::Available,
        BerthStatus::UnderOffer,
        BerthStatus::Sold,
    ];

    /// The stored text (`berths.status`).
    pub fn as_str(self) -> &'static str {
        match self {
            BerthStatus::Available => "available",
            BerthStatus::UnderOffer => "under_offer",
            BerthStatus::Sold => "sold",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BerthStatus::Available => "Available",
            BerthStatus::UnderOffer => "Under offer",
            BerthStatus::Sold => "Sold",
        }
    }

    /// "available, under_offer, sold", for error messages.
    pub fn allowed() -> String {
        BerthStatus::ALL.map(BerthStatus::as_str).join(", ")
    }
}

impl std::fmt::Display for BerthStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for BerthStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<BerthStatus, String> {
        BerthStatus::ALL
            .into_iter()
            .find(|b| b.as_str() == s)
            .ok_or_else(|| format!("must be one of {}", BerthStatus::allowed()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusRule {
    pub trigger: Trigger,
    pub mode: Mode,
    pub target_status: BerthStatus,
}

/// `berth_status_rules` (per port): one rule per trigger; a trigger left out is off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BerthStatusRules(pub Vec<StatusRule>);

impl Default for BerthStatusRules {
    /// DESIGN's defaults: interest_linked suggest→under_offer; eoi_signed and
    /// deposit_received auto→under_offer; contract_signed and interest_completed
    /// auto→sold; interest_released suggest→available; the others off.
    fn default() -> BerthStatusRules {
        use BerthStatus::*;
        use Mode::*;
        let rule = |trigger, mode, target_status| StatusRule {
            trigger,
            mode,
            target_status,
        };
        BerthStatusRules(
            Trigger::ALL
                .into_iter()
                .map(|t| match t {
                    Trigger::InterestLinked => rule(t, Suggest, UnderOffer),
                    Trigger::EoiSigned | Trigger::DepositReceived => rule(t, Auto, UnderOffer),
                    Trigger::ContractSigned | Trigger::InterestCompleted => rule(t, Auto, Sold),
                    Trigger::InterestReleased => rule(t, Suggest, Available),
                    Trigger::EoiSent | Trigger::ContractSent => rule(t, Off, UnderOffer),
                })
                .collect(),
        )
    }
}

impl BerthStatusRules {
    /// The rule for `trigger`, if it is on.
    pub fn rule_for(&self, trigger: Trigger) -> Option<&StatusRule> {
        self.0
            .iter()
            .find(|r| r.trigger == trigger && r.mode != Mode::Off)
    }

    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        for (i, rule) in self.0.iter().enumerate() {
            if self.0[..i].iter().any(|r| r.trigger == rule.trigger) {
                out.push((
                    format!("[{i}].trigger"),
                    "has a rule already; give each trigger one rule".into(),
                ));
            }
            // Automatic changes only move forward, and nothing is before available.
            if rule.mode == Mode::Auto && rule.target_status == BerthStatus::Available {
                out.push((
                    format!("[{i}].mode"),
                    "an automatic rule cannot move a berth back to available; use suggest".into(),
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_designs() {
        let rules = BerthStatusRules::default();
        assert_eq!(rules.0.len(), 8);
        let of = |t| rules.rule_for(t).map(|r| (r.mode, r.target_status));
        assert_eq!(
            of(Trigger::InterestLinked),
            Some((Mode::Suggest, BerthStatus::UnderOffer))
        );
        assert_eq!(
            of(Trigger::DepositReceived),
            Some((Mode::Auto, BerthStatus::UnderOffer))
        );
        assert_eq!(
            of(Trigger::InterestCompleted),
            Some((Mode::Auto, BerthStatus::Sold))
        );
        assert_eq!(
            of(Trigger::InterestReleased),
            Some((Mode::Suggest, BerthStatus::Available))
        );
        assert_eq!(of(Trigger::EoiSent), None);
        assert!(rules.problems().is_empty());
        assert!(FollowUpDefaults::default().problems().is_empty());
        assert!(EoiReminderSettings::default().problems().is_empty());
        assert!(CurrencyDisplay::default().problems().is_empty());
        assert_eq!(FollowUpDefaults::default().cooldown_hours, 72);
    }

    #[test]
    fn problems_name_their_fields() {
        let f = FollowUpDefaults {
            reminder_days: 0,
            send_window: SendWindow {
                start: "19:00".into(),
                end: "25:00".into(),
            },
            ..FollowUpDefaults::default()
        };
        let fields: Vec<String> = f.problems().into_iter().map(|p| p.0).collect();
        assert_eq!(fields, ["reminder_days", "send_window.end"]);

        let w = SendWindow {
            start: "18:00".into(),
            ..SendWindow::default()
        };
        let mut out = Vec::new();
        w.problems("w", &mut out);
        assert_eq!(out[0].0, "w.end");

        let rules = BerthStatusRules(vec![
            StatusRule {
                trigger: Trigger::EoiSent,
                mode: Mode::Auto,
                target_status: BerthStatus::Available,
            },
            StatusRule {
                trigger: Trigger::EoiSent,
                mode: Mode::Off,
                target_status: BerthStatus::Sold,
            },
        ]);
        let fields: Vec<String> = rules.problems().into_iter().map(|p| p.0).collect();
        assert_eq!(fields, ["[0].mode", "[1].trigger"]);
    }

    #[test]
    fn berth_statuses_read_back_and_order_forward() {
        for s in BerthStatus::ALL {
            assert_eq!(s.as_str().parse::<BerthStatus>(), Ok(s));
        }
        assert!(BerthStatus::Available < BerthStatus::UnderOffer);
        assert!(BerthStatus::UnderOffer < BerthStatus::Sold);
        assert_eq!(
            "let".parse::<BerthStatus>(),
            Err("must be one of available, under_offer, sold".into())
        );
    }

    #[test]
    fn times_are_hh_mm() {
        assert_eq!(minutes_of("08:30"), Some(510));
        assert_eq!(minutes_of("23:59"), Some(1439));
        for bad in ["8:30", "24:00", "12:60", "noon", "12-00", ""] {
            assert_eq!(minutes_of(bad), None, "{bad}");
        }
    }
}
