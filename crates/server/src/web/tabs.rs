//! Sub-navigation of an area (settings, account) shown as tabs under the
//! page's title; `partials/tabs.html` draws them.

pub struct Tab {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

impl Tab {
    /// Tabs from `(label, href)` pairs, the one labelled `current` marked.
    pub fn list(
        items: impl IntoIterator<Item = (&'static str, String)>,
        current: &str,
    ) -> Vec<Tab> {
        items
            .into_iter()
            .map(|(label, href)| Tab {
                label,
                href,
                current: label == current,
            })
            .collect()
    }
}
