//! What a berth status rule (BR-001) does when its trigger fires: apply a
//! status at once, suggest it, or nothing (DESIGN.md, "Berth status rules").
//!
//! The berth follows the most advanced interest on it: an automatic change
//! only moves forward (available → under_offer → sold, the order of
//! [`BerthStatus`]), and a trigger whose
//! target is behind the berth's status — set there by a more advanced
//! interest, or by hand — suggests nothing either. The one trigger that may
//! suggest going back is `interest_released`: by its definition no active
//! interest is left on the berth.

use crate::settings::{BerthStatus, BerthStatusRules, Mode, Trigger};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Nothing,
    /// Change the berth's status now (mode `auto`).
    Apply(BerthStatus),
    /// Store a suggestion a user accepts or dismisses (mode `suggest`).
    Suggest(BerthStatus),
}

/// What `trigger` does to a berth whose status is `current`, under `rules`.
pub fn decide(rules: &BerthStatusRules, trigger: Trigger, current: BerthStatus) -> Decision {
    let Some(rule) = rules.rule_for(trigger) else {
        return Decision::Nothing;
    };
    let target = rule.target_status;
    let forward = target > current;
    let back_on_release = target < current && trigger == Trigger::InterestReleased;
    match rule.mode {
        Mode::Auto if forward => Decision::Apply(target),
        Mode::Suggest if forward || back_on_release => Decision::Suggest(target),
        _ => Decision::Nothing,
    }
}

/// The suggestions still worth deciding once a berth's status went from
/// `from` to `to`: after a move forward, none whose target is not ahead of
/// the new status; after a move back, none for the status it now has.
pub fn still_open(from: BerthStatus, to: BerthStatus, target: BerthStatus) -> bool {
    if to > from { target > to } else { target != to }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::StatusRule;
    use BerthStatus::*;

    #[test]
    fn the_defaults_suggest_on_linking_and_sell_on_completion() {
        let rules = BerthStatusRules::default();
        assert_eq!(
            decide(&rules, Trigger::InterestLinked, Available),
            Decision::Suggest(UnderOffer)
        );
        assert_eq!(
            decide(&rules, Trigger::DepositReceived, Available),
            Decision::Apply(UnderOffer)
        );
        assert_eq!(
            decide(&rules, Trigger::InterestCompleted, UnderOffer),
            Decision::Apply(Sold)
        );
        assert_eq!(
            decide(&rules, Trigger::EoiSent, Available),
            Decision::Nothing
        );
        assert_eq!(
            decide(&rules, Trigger::InterestReleased, UnderOffer),
            Decision::Suggest(Available)
        );
    }

    #[test]
    fn a_berth_ahead_of_the_trigger_stays_where_it_is() {
        let rules = BerthStatusRules::default();
        // Sold by a more advanced interest: a lesser one's deposit changes nothing.
        assert_eq!(
            decide(&rules, Trigger::DepositReceived, Sold),
            Decision::Nothing
        );
        assert_eq!(
            decide(&rules, Trigger::InterestLinked, Sold),
            Decision::Nothing
        );
        assert_eq!(
            decide(&rules, Trigger::InterestLinked, UnderOffer),
            Decision::Nothing
        );
        let back = BerthStatusRules(vec![StatusRule {
            trigger: Trigger::EoiSent,
            mode: Mode::Suggest,
            target_status: Available,
        }]);
        assert_eq!(
            decide(&back, Trigger::EoiSent, UnderOffer),
            Decision::Nothing
        );
        let off = BerthStatusRules(vec![]);
        assert_eq!(
            decide(&off, Trigger::InterestCompleted, Available),
            Decision::Nothing
        );
    }

    #[test]
    fn suggestions_outrun_by_a_change_close() {
        assert!(!still_open(Available, UnderOffer, UnderOffer));
        assert!(!still_open(Available, UnderOffer, Available));
        assert!(still_open(Available, UnderOffer, Sold));
        assert!(!still_open(UnderOffer, Available, Available));
        assert!(still_open(UnderOffer, Available, UnderOffer));
    }
}
