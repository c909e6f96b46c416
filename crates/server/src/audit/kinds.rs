//! The kinds of entity the audit log names, how people read them, and which
//! of them a field change can be reverted on.
//!
//! A domain whose records can be reverted adds one line to [`KINDS`] with the
//! table its `entity_type` lives in. Nothing else decides which table a revert
//! writes to, so a forged or stray `entity_type` cannot point one anywhere.

/// Where a revertable entity lives and how its rows belong to a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub scope: Scope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The table has a `port_id` column (and row-level security on it).
    PortColumn,
    /// The row is the port itself (`ports`).
    ThePort,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// `audit_logs.entity_type`.
    pub name: &'static str,
    /// As a person reads it: "Client".
    pub label: &'static str,
    /// `Some` when field changes of this kind can be reverted.
    pub table: Option<Table>,
}

const fn revertable(name: &'static str, label: &'static str, table: &'static str) -> Kind {
    Kind {
        name,
        label,
        table: Some(Table {
            name: table,
            scope: Scope::PortColumn,
        }),
    }
}

const fn logged(name: &'static str, label: &'static str) -> Kind {
    Kind {
        name,
        label,
        table: None,
    }
}

/// Every kind the pages offer as a filter, in the order they list them.
pub const KINDS: &[Kind] = &[
    revertable("client", "Client", "clients"),
    // A client's contacts and relationships: on the client's timeline through
    // `metadata.client_id`; added and removed rather than reverted field by field.
    logged("client_contact", "Contact"),
    logged("client_relationship", "Relationship"),
    revertable("interest", "Interest", "interests"),
    logged("interest_note", "Interest note"),
    logged("berth_status_suggestion", "Berth status suggestion"),
    revertable("berth", "Berth", "berths"),
    logged("berth_maintenance", "Berth maintenance"),
    Kind {
        name: "port",
        label: "Port",
        table: Some(Table {
            name: "ports",
            scope: Scope::ThePort,
        }),
    },
    logged("document", "Document"),
    logged("file", "File"),
    logged("expense", "Expense"),
    logged("invoice", "Invoice"),
    logged("reminder", "Reminder"),
    logged("user", "User"),
    logged("role", "Role"),
    logged("setting", "Setting"),
    logged("tag", "Tag"),
    logged("custom_field", "Custom field"),
    logged("client_duplicate", "Possible duplicate"),
    logged("waiting_list_entry", "Waiting-list entry"),
    logged("berth_map", "Berth map"),
];

/// Columns a revert never writes, whatever the log says: identity, tenancy
/// and bookkeeping.
pub const PROTECTED_COLUMNS: [&str; 4] = ["id", "port_id", "created_at", "updated_at"];

/// Fields of one kind a revert never writes: they change through their own
/// path only. A berth's status goes through `berths::status::change`, which
/// records who and why and runs what follows a change; it is changed back by
/// hand, with a reason, rather than reverted.
pub const PROTECTED_FIELDS: &[(&str, &str)] = &[
    ("berth", "status"),
    ("berth", "status_last_changed_by"),
    ("berth", "status_last_changed_reason"),
    ("berth", "status_last_modified"),
];

pub fn find(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}

/// The table a field change of `entity_type` can be reverted in.
pub fn revert_table(entity_type: &str) -> Option<Table> {
    find(entity_type).and_then(|k| k.table)
}

/// "client" → "Client"; an unknown kind is shown humanised.
pub fn label(entity_type: &str) -> String {
    find(entity_type).map_or_else(|| humanize(entity_type), |k| k.label.to_owned())
}

/// A column as people read it: `yacht_length_ft` → "Yacht length ft".
pub fn humanize(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_unique_and_tables_plain_identifiers() {
        let mut names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KINDS.len());
        for table in KINDS.iter().filter_map(|k| k.table) {
            assert!(
                table
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{}",
                table.name
            );
        }
    }

    #[test]
    fn labels_read_like_words() {
        assert_eq!(label("client"), "Client");
        assert_eq!(label("berth_waiting_list"), "Berth waiting list");
        assert_eq!(humanize("yacht_length_ft"), "Yacht length ft");
        assert_eq!(revert_table("port").unwrap().scope, Scope::ThePort);
        assert!(revert_table("user").is_none());
        assert!(revert_table("nonsense").is_none());
    }
}
