//! A berth's waiting list (DESIGN.md, "Waiting list"): positions 1..n without
//! gaps, `high` priority entries before `normal` ones.
//!
//! The list is handled as the entries in their current order; every change
//! (add, move, change of priority, removal) yields the whole new order, and
//! the caller stores position = index + 1 for each entry.
//!
//! A move never breaks the priority rule: a position inside the list but on
//! the other side of the priority boundary is clamped to the nearest place the
//! entry may stand (a normal entry dropped above the high ones lands first
//! among the normal ones). A position outside 1..n is an error.

crate::text_enum!(
    /// How urgent a place on the list is; `high` entries stand first.
    Priority {
        High => "high" / "High",
        Normal => "normal" / "Normal",
    }
);

crate::text_enum!(
    /// How the client wants to hear that the berth became available.
    NotifyPref {
        Email => "email" / "E-mail",
        InApp => "in_app" / "In app",
        Both => "both" / "E-mail and in app",
    }
);

impl NotifyPref {
    /// The client gets an e-mail.
    pub fn by_email(self) -> bool {
        matches!(self, NotifyPref::Email | NotifyPref::Both)
    }

    /// The port's team is told in the app, to contact the client.
    pub fn in_app(self) -> bool {
        matches!(self, NotifyPref::InApp | NotifyPref::Both)
    }
}

/// How many entries, from the top, are told when the berth becomes available:
/// enough that a first refusal does not stall the berth, few enough that the
/// rest of the list is not raised for a berth only one of them can take.
pub const NOTIFY_FIRST: usize = 3;

/// The order that keeps `entries` (in their current order) but puts every
/// high-priority entry before the normal ones.
pub fn arrange<T: Copy>(entries: &[(T, Priority)]) -> Vec<T> {
    let mut sorted: Vec<&(T, Priority)> = entries.iter().collect();
    // A stable sort: within a priority the current order stays.
    sorted.sort_by_key(|(_, p)| *p);
    sorted.into_iter().map(|(id, _)| *id).collect()
}

/// The positions (1-based, inclusive) an entry of `priority` may take in a
/// list of `entries` that contains it.
pub fn band<T>(entries: &[(T, Priority)], priority: Priority) -> (usize, usize) {
    let highs = entries.iter().filter(|(_, p)| *p == Priority::High).count();
    match priority {
        Priority::High => (1, highs.max(1)),
        Priority::Normal => (highs + 1, entries.len()),
    }
}

/// Why a move was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error("must be between 1 and {len}")]
    OutOfRange { len: usize },
    #[error("the entry is not on this list")]
    NotOnList,
}

/// Moves `id` to `position` (1-based) in `entries` (in their current order).
/// Returns the new order and the position the entry really took (clamped to
/// its priority band).
pub fn move_to<T: Copy + PartialEq>(
    entries: &[(T, Priority)],
    id: T,
    position: i64,
) -> Result<(Vec<T>, usize), MoveError> {
    let len = entries.len();
    if position < 1 || position > len as i64 {
        return Err(MoveError::OutOfRange { len });
    }
    let ordered: Vec<(T, Priority)> = {
        let order = arrange(entries);
        order
            .into_iter()
            .map(|o| *entries.iter().find(|(e, _)| *e == o).expect("same ids"))
            .collect()
    };
    let from = ordered
        .iter()
        .position(|(e, _)| *e == id)
        .ok_or(MoveError::NotOnList)?;
    let priority = ordered[from].1;
    let (low, high) = band(&ordered, priority);
    let target = (position as usize).clamp(low, high);
    let mut out: Vec<T> = ordered.iter().map(|(e, _)| *e).collect();
    let moving = out.remove(from);
    out.insert(target - 1, moving);
    Ok((out, target))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Priority::{High, Normal};

    fn list(spec: &[(u8, Priority)]) -> Vec<(u8, Priority)> {
        spec.to_vec()
    }

    #[test]
    fn high_entries_stand_first_and_keep_their_order() {
        let l = list(&[(1, Normal), (2, High), (3, Normal), (4, High)]);
        assert_eq!(arrange(&l), vec![2, 4, 1, 3]);
    }

    #[test]
    fn a_move_inside_the_band_goes_where_asked() {
        let l = list(&[(1, High), (2, Normal), (3, Normal), (4, Normal)]);
        assert_eq!(move_to(&l, 4, 2).unwrap(), (vec![1, 4, 2, 3], 2));
        assert_eq!(move_to(&l, 2, 4).unwrap(), (vec![1, 3, 4, 2], 4));
    }

    #[test]
    fn a_normal_entry_cannot_pass_a_high_one() {
        let l = list(&[(1, High), (2, High), (3, Normal), (4, Normal)]);
        // Asked for the top: lands first among the normal entries.
        assert_eq!(move_to(&l, 4, 1).unwrap(), (vec![1, 2, 4, 3], 3));
        // And a high entry cannot sink below the normal ones.
        assert_eq!(move_to(&l, 1, 4).unwrap(), (vec![2, 1, 3, 4], 2));
    }

    #[test]
    fn positions_outside_the_list_are_refused() {
        let l = list(&[(1, Normal), (2, Normal)]);
        assert_eq!(move_to(&l, 1, 0), Err(MoveError::OutOfRange { len: 2 }));
        assert_eq!(move_to(&l, 1, 3), Err(MoveError::OutOfRange { len: 2 }));
        assert_eq!(move_to(&l, 9, 1), Err(MoveError::NotOnList));
        assert_eq!(
            MoveError::OutOfRange { len: 2 }.to_string(),
            "must be between 1 and 2"
        );
    }

    #[test]
    fn bands_of_a_list() {
        let l = list(&[(1, High), (2, Normal), (3, Normal)]);
        assert_eq!(band(&l, High), (1, 1));
        assert_eq!(band(&l, Normal), (2, 3));
        let only_normal = list(&[(1, Normal)]);
        assert_eq!(band(&only_normal, Normal), (1, 1));
    }

    #[test]
    fn preferences_say_who_is_told() {
        assert!(NotifyPref::Email.by_email() && !NotifyPref::Email.in_app());
        assert!(!NotifyPref::InApp.by_email() && NotifyPref::InApp.in_app());
        assert!(NotifyPref::Both.by_email() && NotifyPref::Both.in_app());
        assert_eq!(
            "sms".parse::<NotifyPref>().unwrap_err(),
            "must be one of email, in_app, both"
        );
    }
}
