//! The catalogue of permissions and what the system roles grant.
//!
//! A permission is a key `resource.action`. Roles store a JSON object
//! `{ "clients.view": true, … }`; a port may override a role's keys
//! (`port_role_overrides`). A user's permissions at a port are the union, over
//! their roles there, of each role's keys with that port's overrides on top.

use std::collections::{BTreeMap, BTreeSet};

/// Resources, in the order the role editor lists them.
pub const RESOURCES: [&str; 19] = [
    "clients",
    "interests",
    "berths",
    "documents",
    "files",
    "expenses",
    "invoices",
    "email",
    "reminders",
    "reports",
    "webhooks",
    "tags",
    "custom_fields",
    "forms",
    "templates",
    "settings",
    "users",
    "roles",
    "audit",
];

/// Actions every resource has.
pub const ACTIONS: [&str; 4] = ["view", "create", "edit", "delete"];

/// Actions beyond the four, each on one resource.
pub const SPECIAL: [&str; 7] = [
    "clients.merge",
    "clients.import",
    "clients.export",
    "berths.change_status",
    "documents.send",
    "invoices.send",
    "audit.revert",
];

/// Every key of the catalogue, sorted.
pub fn all() -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = RESOURCES
        .iter()
        .flat_map(|r| ACTIONS.iter().map(move |a| format!("{r}.{a}")))
        .collect();
    keys.extend(SPECIAL.iter().map(|k| (*k).to_owned()));
    keys
}

pub fn is_known(key: &str) -> bool {
    let Some((resource, action)) = key.split_once('.') else {
        return false;
    };
    (RESOURCES.contains(&resource) && ACTIONS.contains(&action)) || SPECIAL.contains(&key)
}

/// The keys of `keys` that are not in the catalogue, for a 422 naming them.
pub fn unknown<'a>(keys: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    keys.into_iter()
        .filter(|k| !is_known(k))
        .map(str::to_owned)
        .collect()
}

/// The roles every installation has; they cannot be deleted.
pub const SYSTEM_ROLES: [&str; 6] = [
    "super_admin",
    "director",
    "sales_manager",
    "sales_agent",
    "finance",
    "viewer",
];

/// What a system role grants.
pub fn system_role(name: &str) -> Option<BTreeSet<String>> {
    let all = all();
    let pick = |resources: &[&str], actions: &[&str]| -> BTreeSet<String> {
        all.iter()
            .filter(|k| {
                let (r, a) = k.split_once('.').expect("catalogue keys have a dot");
                resources.contains(&r) && (actions.is_empty() || actions.contains(&a))
            })
            .cloned()
            .collect()
    };
    let views = pick(&RESOURCES, &["view"]);
    let set = match name {
        "super_admin" | "director" => all.clone(),
        "sales_manager" => {
            let mut s = pick(
                &[
                    "clients",
                    "interests",
                    "documents",
                    "files",
                    "email",
                    "reminders",
                    "reports",
                    "tags",
                    "forms",
                    "templates",
                ],
                &[],
            );
            s.extend(views.iter().cloned());
            s.extend(["berths.edit", "berths.change_status"].map(String::from));
            s
        }
        "sales_agent" => {
            let mut s = pick(
                &["clients", "interests", "reminders"],
                &["view", "create", "edit"],
            );
            s.extend(pick(
                &["documents", "files", "email", "forms"],
                &["view", "create"],
            ));
            s.extend(
                [
                    "berths.view",
                    "tags.view",
                    "templates.view",
                    "custom_fields.view",
                    "reports.view",
                    "documents.send",
                    "clients.export",
                ]
                .map(String::from),
            );
            s
        }
        "finance" => {
            let mut s = pick(&["expenses", "invoices", "reports"], &[]);
            s.extend(pick(
                &[
                    "clients",
                    "interests",
                    "berths",
                    "documents",
                    "files",
                    "reminders",
                    "tags",
                ],
                &["view"],
            ));
            s.extend(
                [
                    "files.create",
                    "reminders.create",
                    "reminders.edit",
                    "clients.export",
                ]
                .map(String::from),
            );
            s
        }
        "viewer" => views.into_iter().filter(|k| k != "audit.view").collect(),
        _ => return None,
    };
    Some(set)
}

/// A role's stored keys (`true` grants, `false` or absent does not).
pub type Grants = BTreeMap<String, bool>;

/// The union, over a user's roles at a port, of each role's grants with the
/// port's overrides for that role applied on top.
pub fn effective<'a>(
    roles: impl IntoIterator<Item = (&'a Grants, Option<&'a Grants>)>,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (grants, overrides) in roles {
        let mut merged = grants.clone();
        if let Some(overrides) = overrides {
            merged.extend(overrides.iter().map(|(k, v)| (k.clone(), *v)));
        }
        out.extend(
            merged
                .into_iter()
                .filter(|(k, v)| *v && is_known(k))
                .map(|(k, _)| k),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grants(keys: &[(&str, bool)]) -> Grants {
        keys.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    #[test]
    fn the_catalogue_has_every_resource_action_and_the_specials() {
        let all = all();
        assert_eq!(all.len(), RESOURCES.len() * ACTIONS.len() + SPECIAL.len());
        assert!(
            all.contains("clients.merge")
                && all.contains("audit.revert")
                && all.contains("custom_fields.delete")
        );
        assert!(is_known("invoices.send"));
        assert!(!is_known("invoices.fly") && !is_known("clients") && !is_known("boats.view"));
        assert_eq!(
            unknown(["clients.view", "clients.fly", "nope"]),
            vec!["clients.fly", "nope"]
        );
    }

    #[test]
    fn system_roles_grant_what_their_names_say() {
        assert_eq!(system_role("director").unwrap(), all());
        let viewer = system_role("viewer").unwrap();
        assert!(viewer.contains("berths.view") && !viewer.iter().any(|k| !k.ends_with(".view")));
        let agent = system_role("sales_agent").unwrap();
        assert!(
            agent.contains("interests.edit")
                && !agent.contains("clients.delete")
                && !agent.contains("invoices.view")
        );
        let finance = system_role("finance").unwrap();
        assert!(finance.contains("invoices.send") && !finance.contains("clients.edit"));
        let manager = system_role("sales_manager").unwrap();
        assert!(
            manager.contains("clients.merge")
                && manager.contains("berths.change_status")
                && !manager.contains("roles.edit")
        );
        for role in SYSTEM_ROLES {
            assert!(
                system_role(role).unwrap().iter().all(|k| is_known(k)),
                "{role}"
            );
        }
        assert!(system_role("pirate").is_none());
    }

    #[test]
    fn effective_permissions_are_the_union_with_port_overrides_on_top() {
        let agent = grants(&[("clients.view", true), ("clients.edit", true)]);
        let no_edit_here = grants(&[("clients.edit", false), ("reports.view", true)]);
        let finance = grants(&[("invoices.view", true), ("clients.fly", true)]);
        let got = effective([(&agent, Some(&no_edit_here)), (&finance, None)]);
        let want: BTreeSet<String> = ["clients.view", "reports.view", "invoices.view"]
            .map(String::from)
            .into();
        assert_eq!(got, want);
        // A second role still grants what an override took from the first.
        let editor = grants(&[("clients.edit", true)]);
        assert!(
            effective([(&agent, Some(&no_edit_here)), (&editor, None)]).contains("clients.edit")
        );
    }
}
