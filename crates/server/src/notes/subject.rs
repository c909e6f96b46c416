//! What a note hangs on: the notes table, its parent table and how the parent
//! is named and linked. The names are constants of ours, never input, so the
//! SQL built from them (see `store`) cannot be steered by a request.

use uuid::Uuid;

pub trait Subject: Send + Sync + 'static {
    /// The notes table: `client_notes`.
    const TABLE: &'static str;
    /// The parent table: `clients`.
    const PARENT_TABLE: &'static str;
    /// The notes table's column naming the parent, also the JSON field: `client_id`.
    const PARENT_KEY: &'static str;
    /// The parent's name as a person reads it (`$1` is the parent's id).
    const PARENT_NAME_SQL: &'static str;
    /// `audit_logs.entity_type` of a note.
    const ENTITY: &'static str;
    /// The URL segment of the parent's pages: `clients`.
    const SEGMENT: &'static str;
    /// The permission that shows the notes (the parent's): `clients.view`.
    const VIEW: &'static str;
    /// The permission that writes them: `clients.edit`.
    const EDIT: &'static str;

    /// The parent's page, where a mention links.
    fn page(slug: &str, parent: Uuid) -> String {
        format!("/ports/{slug}/{}/{parent}", Self::SEGMENT)
    }
}

pub struct ClientNotes;

impl Subject for ClientNotes {
    const TABLE: &'static str = "client_notes";
    const PARENT_TABLE: &'static str = "clients";
    const PARENT_KEY: &'static str = "client_id";
    const PARENT_NAME_SQL: &'static str = "SELECT full_name FROM clients WHERE id = $1";
    const ENTITY: &'static str = "client_note";
    const SEGMENT: &'static str = "clients";
    const VIEW: &'static str = "clients.view";
    const EDIT: &'static str = "clients.edit";
}

/// Notes on an interest, named for people by its client and berth.
pub struct InterestNotes;

impl Subject for InterestNotes {
    const TABLE: &'static str = "interest_notes";
    const PARENT_TABLE: &'static str = "interests";
    const PARENT_KEY: &'static str = "interest_id";
    const PARENT_NAME_SQL: &'static str = "SELECT c.full_name || '’s interest' || COALESCE(' in berth ' || b.mooring_number, '')
         FROM interests i JOIN clients c ON c.id = i.client_id LEFT JOIN berths b ON b.id = i.berth_id
         WHERE i.id = $1";
    const ENTITY: &'static str = "interest_note";
    const SEGMENT: &'static str = "interests";
    const VIEW: &'static str = "interests.view";
    const EDIT: &'static str = "interests.edit";
}
