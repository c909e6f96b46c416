//! The merge itself, in the caller's transaction: both clients locked, the
//! chosen fields written to the survivor, every related record moved, the
//! merged client deleted, the merge logged and audited. Any failure rolls the
//! whole transaction back, so a merge is all or nothing.

use super::fields::{Choices, Side, resolve};
use crate::audit::{self, Action, Actor, Entry};
use crate::http::Error;
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::PgConnection;
use std::collections::BTreeMap;
use uuid::Uuid;

/// What a merge did.
#[derive(Debug, Serialize)]
pub struct Outcome {
    pub surviving_client_id: Uuid,
    pub merged_client_id: Uuid,
    /// Every client field and the record its value came from.
    pub fields: BTreeMap<String, Side>,
    /// Related records moved to the survivor, per kind.
    pub moved: BTreeMap<&'static str, u64>,
    /// Records of the merged client left behind because the survivor already
    /// had the same (a contact, a tag, a relationship, a waiting-list place,
    /// a custom field value), per kind.
    pub dropped: BTreeMap<&'static str, u64>,
}

pub async fn merge(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    surviving: Uuid,
    merged: Uuid,
    choices: &Choices,
) -> Result<Outcome, Error> {
    if surviving == merged {
        return Err(Error::invalid(
            "merged_client_id",
            "must be another client than the surviving one",
        ));
    }
    // Both rows locked, in id order so two merges of the same pair cannot deadlock.
    let rows = sqlx::query!(
        r#"SELECT id, to_jsonb(c) AS "row!" FROM clients c
           WHERE port_id = $1 AND id = ANY($2) ORDER BY id FOR UPDATE"#,
        port_id,
        &[surviving, merged][..]
    )
    .fetch_all(&mut *conn)
    .await?;
    let row_of = |id: Uuid| rows.iter().find(|r| r.id == id).map(|r| r.row.clone());
    let (Some(before), Some(merged_row)) = (row_of(surviving), row_of(merged)) else {
        return Err(Error::NotFound);
    };

    let sides = resolve(choices, &before, &merged_row);
    let from_merged: Vec<String> = sides
        .iter()
        .filter(|(_, side)| **side == Side::Merged)
        .map(|(col, _)| col.clone())
        .collect();
    let after = sqlx::query_scalar!(
        r#"UPDATE clients s SET
             full_name = CASE WHEN 'full_name' = ANY($3) THEN m.full_name ELSE s.full_name END,
             company_name = CASE WHEN 'company_name' = ANY($3) THEN m.company_name ELSE s.company_name END,
             nationality = CASE WHEN 'nationality' = ANY($3) THEN m.nationality ELSE s.nationality END,
             is_proxy = CASE WHEN 'is_proxy' = ANY($3) THEN m.is_proxy ELSE s.is_proxy END,
             proxy_type = CASE WHEN 'proxy_type' = ANY($3) THEN m.proxy_type ELSE s.proxy_type END,
             actual_owner_name = CASE WHEN 'actual_owner_name' = ANY($3) THEN m.actual_owner_name ELSE s.actual_owner_name END,
             relationship_notes = CASE WHEN 'relationship_notes' = ANY($3) THEN m.relationship_notes ELSE s.relationship_notes END,
             yacht_name = CASE WHEN 'yacht_name' = ANY($3) THEN m.yacht_name ELSE s.yacht_name END,
             yacht_length_ft = CASE WHEN 'yacht_length_ft' = ANY($3) THEN m.yacht_length_ft ELSE s.yacht_length_ft END,
             yacht_length_m = CASE WHEN 'yacht_length_m' = ANY($3) THEN m.yacht_length_m ELSE s.yacht_length_m END,
             yacht_width_ft = CASE WHEN 'yacht_width_ft' = ANY($3) THEN m.yacht_width_ft ELSE s.yacht_width_ft END,
             yacht_width_m = CASE WHEN 'yacht_width_m' = ANY($3) THEN m.yacht_width_m ELSE s.yacht_width_m END,
             yacht_draft_ft = CASE WHEN 'yacht_draft_ft' = ANY($3) THEN m.yacht_draft_ft ELSE s.yacht_draft_ft END,
             yacht_draft_m = CASE WHEN 'yacht_draft_m' = ANY($3) THEN m.yacht_draft_m ELSE s.yacht_draft_m END,
             berth_size_desired = CASE WHEN 'berth_size_desired' = ANY($3) THEN m.berth_size_desired ELSE s.berth_size_desired END,
             preferred_contact_method = CASE WHEN 'preferred_contact_method' = ANY($3) THEN m.preferred_contact_method ELSE s.preferred_contact_method END,
             preferred_language = CASE WHEN 'preferred_language' = ANY($3) THEN m.preferred_language ELSE s.preferred_language END,
             timezone = CASE WHEN 'timezone' = ANY($3) THEN m.timezone ELSE s.timezone END,
             source = CASE WHEN 'source' = ANY($3) THEN m.source ELSE s.source END,
             source_details = CASE WHEN 'source_details' = ANY($3) THEN m.source_details ELSE s.source_details END
           FROM clients m
           WHERE s.id = $1 AND m.id = $2
           RETURNING to_jsonb(s) AS "row!""#,
        surviving,
        merged,
        &from_merged
    )
    .fetch_one(&mut *conn)
    .await?;

    let mut moved = BTreeMap::new();
    let mut dropped = BTreeMap::new();
    let (s, m) = (surviving, merged);

    // Contacts: one the survivor already has is dropped; a moved primary stays
    // primary only where the survivor has no primary on that channel.
    dropped.insert(
        "contacts",
        sqlx::query!(
            "DELETE FROM client_contacts k WHERE k.client_id = $2 AND EXISTS (
                 SELECT 1 FROM client_contacts o
                 WHERE o.client_id = $1 AND o.channel = k.channel AND o.value = k.value)",
            s,
            m
        )
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    );
    moved.insert(
        "contacts",
        sqlx::query!(
            "UPDATE client_contacts k SET client_id = $1,
                 is_primary = k.is_primary AND NOT EXISTS (
                     SELECT 1 FROM client_contacts p
                     WHERE p.client_id = $1 AND p.channel = k.channel AND p.is_primary)
             WHERE k.client_id = $2",
            s,
            m
        )
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    );
    moved.insert(
        "notes",
        sqlx::query!(
            "UPDATE client_notes SET client_id = $1 WHERE client_id = $2",
            s,
            m
        )
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    );
    // Tags and waiting-list places the survivor already holds are dropped with
    // the merged client (ON DELETE CASCADE).
    moved.insert(
        "tags",
        sqlx::query!(
            "UPDATE client_tags t SET client_id = $1 WHERE t.client_id = $2 AND NOT EXISTS (
                 SELECT 1 FROM client_tags o WHERE o.client_id = $1 AND o.tag_id = t.tag_id)",
            s,
            m
        )
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    );
    moved.insert(
        "waiting_list",
        sqlx::query!(
            "UPDATE berth_waiting_list w SET client_id = $1 WHERE w.client_id = $2 AND NOT EXISTS (
                 SELECT 1 FROM berth_waiting_list o WHERE o.client_id = $1 AND o.berth_id = w.berth_id)",
            s,
            m
        )
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    );
    moved.insert(
        "interests",
        sqlx::query!(
            "UPDATE interests SET client_id = $1 WHERE client_id = $2",
            s,
            m
        )
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    );
    moved.insert(
        "documents",
        sqlx::query!(
            "UPDATE documents SET client_id = $1 WHERE client_id = $2",
            s,
            m
        )
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    );
    moved.insert(
        "files",
        sqlx::query!("UPDATE files SET client_id = $1 WHERE client_id = $2", s, m)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    );
    moved.insert(
        "email_threads",
        sqlx::query!(
            "UPDATE email_threads SET client_id = $1 WHERE client_id = $2",
            s,
            m
        )
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    );
    moved.insert(
        "reminders",
        sqlx::query!(
            "UPDATE reminders SET client_id = $1 WHERE client_id = $2",
            s,
            m
        )
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    );
    moved.insert(
        "form_submissions",
        sqlx::query!(
            "UPDATE form_submissions SET client_id = $1 WHERE client_id = $2",
            s,
            m
        )
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    );
    moved.insert(
        "scratchpad_notes",
        sqlx::query!(
            "UPDATE scratchpad_notes SET linked_client_id = $1 WHERE linked_client_id = $2",
            s,
            m
        )
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    );
    let (rel_moved, rel_dropped) = relationships(conn, s, m).await?;
    moved.insert("relationships", rel_moved);
    dropped.insert("relationships", rel_dropped);
    let (cf_moved, cf_dropped) = custom_field_values(conn, s, m, choices).await?;
    moved.insert("custom_field_values", cf_moved);
    dropped.insert("custom_field_values", cf_dropped);
    moved.insert(
        "duplicate_pairs",
        sqlx::query!(
            "INSERT INTO client_duplicate_candidates
                 (port_id, client_a_id, client_b_id, reasons, name_similarity, score,
                  status, detected_at, resolved_by, resolved_at)
             SELECT d.port_id, least($1, o.other), greatest($1, o.other), d.reasons, d.name_similarity,
                    d.score, d.status, d.detected_at, d.resolved_by, d.resolved_at
             FROM client_duplicate_candidates d
             CROSS JOIN LATERAL (SELECT CASE WHEN d.client_a_id = $2 THEN d.client_b_id
                                             ELSE d.client_a_id END AS other) o
             WHERE (d.client_a_id = $2 OR d.client_b_id = $2) AND o.other <> $1
             ON CONFLICT (port_id, client_a_id, client_b_id) DO NOTHING",
            s,
            m
        )
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    );
    // Earlier merges into the merged client now belong to the survivor.
    sqlx::query!(
        "UPDATE client_merge_log SET surviving_client_id = $1 WHERE surviving_client_id = $2",
        s,
        m
    )
    .execute(&mut *conn)
    .await?;

    // The rest of the merged client's rows (dropped tags, places, pairs) cascade.
    sqlx::query!("DELETE FROM clients WHERE id = $1", m)
        .execute(&mut *conn)
        .await?;

    let details = json!({
        "fields": sides,
        "custom_fields": choices.custom,
        "moved": moved,
        "dropped": dropped,
    });
    sqlx::query!(
        "INSERT INTO client_merge_log (port_id, surviving_client_id, merged_client_id, merged_by, merge_details)
         VALUES ($1, $2, $3, $4, $5)",
        port_id,
        s,
        m,
        actor.user_id.as_deref().unwrap_or("system"),
        details
    )
    .execute(&mut *conn)
    .await?;

    audit::record_update(conn, actor, Some(port_id), "client", s, &before, &after).await?;
    let mut entry = Entry::new(Some(port_id), Action::Merge, "client", Some(s));
    // The merged record as it was, since the row itself is gone.
    entry.old = Some(merged_row.clone());
    entry.metadata = json!({
        "merged_client_id": m,
        "merged_full_name": merged_row.get("full_name").cloned().unwrap_or(Value::Null),
        "moved": moved,
    });
    audit::record(conn, actor, entry).await?;

    Ok(Outcome {
        surviving_client_id: s,
        merged_client_id: m,
        fields: sides,
        moved,
        dropped,
    })
}

/// Re-points the merged client's relationships to the survivor, dropping those
/// that would relate the survivor to itself or repeat one it has (same type,
/// same direction; either direction for the symmetric types). (moved, dropped)
async fn relationships(
    conn: &mut PgConnection,
    s: Uuid,
    m: Uuid,
) -> Result<(u64, u64), sqlx::Error> {
    let dropped = sqlx::query!(
        "WITH r AS (
             SELECT id, relationship_type AS kind,
                    CASE WHEN client_a_id = $2 THEN $1 ELSE client_a_id END AS a,
                    CASE WHEN client_b_id = $2 THEN $1 ELSE client_b_id END AS b
             FROM client_relationships WHERE client_a_id = $2 OR client_b_id = $2
         )
         DELETE FROM client_relationships x USING r
         WHERE x.id = r.id AND (
             r.a = r.b
             OR EXISTS (
                 SELECT 1 FROM client_relationships e
                 WHERE e.id <> r.id AND e.client_a_id <> $2 AND e.client_b_id <> $2
                   AND e.relationship_type = r.kind
                   AND ((e.client_a_id = r.a AND e.client_b_id = r.b)
                        OR (r.kind IN ('family_member', 'same_vessel')
                            AND e.client_a_id = r.b AND e.client_b_id = r.a))))",
        s,
        m
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let moved = sqlx::query!(
        "UPDATE client_relationships SET
             client_a_id = CASE WHEN client_a_id = $2 THEN $1 ELSE client_a_id END,
             client_b_id = CASE WHEN client_b_id = $2 THEN $1 ELSE client_b_id END
         WHERE client_a_id = $2 OR client_b_id = $2",
        s,
        m
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok((moved, dropped))
}

/// Moves the merged client's custom field values (`entity_id` has no foreign
/// key, so nothing would remove them otherwise). Where both have a value the
/// survivor's stays, unless the caller chose the merged one. (moved, dropped)
async fn custom_field_values(
    conn: &mut PgConnection,
    s: Uuid,
    m: Uuid,
    choices: &Choices,
) -> Result<(u64, u64), sqlx::Error> {
    let take_merged: Vec<String> = choices
        .custom
        .iter()
        .filter(|(_, side)| **side == Side::Merged)
        .map(|(name, _)| name.clone())
        .collect();
    let replaced = sqlx::query!(
        "DELETE FROM custom_field_values v USING custom_field_definitions d
         WHERE v.field_id = d.id AND v.entity_id = $1 AND d.field_name = ANY($3)
           AND EXISTS (SELECT 1 FROM custom_field_values o WHERE o.entity_id = $2 AND o.field_id = v.field_id)",
        s,
        m,
        &take_merged
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let moved = sqlx::query!(
        "UPDATE custom_field_values v SET entity_id = $1 WHERE v.entity_id = $2 AND NOT EXISTS (
             SELECT 1 FROM custom_field_values o WHERE o.entity_id = $1 AND o.field_id = v.field_id)",
        s,
        m
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let dropped = sqlx::query!("DELETE FROM custom_field_values WHERE entity_id = $1", m)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok((moved, dropped + replaced))
}
