//! What the layout around every page needs: asset URLs, the port switcher, the
//! navigation and the port's accent colour.

use super::assets::url;
use crate::ports::Port;

/// The fingerprinted URLs the layout links to.
pub struct AssetUrls {
    pub css: &'static str,
    pub theme_js: &'static str,
    pub app_js: &'static str,
    pub htmx_js: &'static str,
    pub notifications_js: &'static str,
    pub mentions_js: &'static str,
    pub scratchpad_js: &'static str,
    pub search_js: &'static str,
    pub icons: &'static str,
    pub favicon: &'static str,
}

pub static ASSET_URLS: AssetUrls = AssetUrls {
    css: url::APP_CSS,
    theme_js: url::THEME_JS,
    app_js: url::APP_JS,
    htmx_js: url::HTMX_JS,
    notifications_js: url::NOTIFICATIONS_JS,
    mentions_js: url::MENTIONS_JS,
    scratchpad_js: url::SCRATCHPAD_JS,
    search_js: url::SEARCH_JS,
    icons: url::ICONS_SVG,
    favicon: url::FAVICON_SVG,
};

/// The sections of the navigation, in order. A section links somewhere once its
/// domain has landed; until then it is shown as coming soon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Dashboard,
    Clients,
    Pipeline,
    Berths,
    Map,
    Documents,
    Money,
    Inbox,
    Reminders,
    Reports,
    Audit,
    Settings,
}

impl Section {
    pub const ALL: [Section; 12] = [
        Section::Dashboard,
        Section::Clients,
        Section::Pipeline,
        Section::Berths,
        Section::Map,
        Section::Documents,
        Section::Money,
        Section::Inbox,
        Section::Reminders,
        Section::Reports,
        Section::Audit,
        Section::Settings,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Section::Dashboard => "Dashboard",
            Section::Clients => "Clients",
            Section::Pipeline => "Pipeline",
            Section::Berths => "Berths",
            Section::Map => "Map",
            Section::Documents => "Documents",
            Section::Money => "Money",
            Section::Inbox => "Inbox",
            Section::Reminders => "Reminders",
            Section::Reports => "Reports",
            Section::Audit => "Audit log",
            Section::Settings => "Settings",
        }
    }

    /// The icon's id in the sprite (heroicons names, listed in build.rs).
    pub fn icon(self) -> &'static str {
        match self {
            Section::Dashboard => "squares-2x2",
            Section::Clients => "users",
            Section::Pipeline => "funnel",
            Section::Berths => "lifebuoy",
            Section::Map => "map",
            Section::Documents => "document-text",
            Section::Money => "banknotes",
            Section::Inbox => "inbox",
            Section::Reminders => "clock",
            Section::Reports => "chart-bar",
            Section::Audit => "clipboard-document-list",
            Section::Settings => "cog-6-tooth",
        }
    }

    /// The permission a user needs to see the section at all; `None`: everyone.
    pub fn requires(self) -> Option<&'static str> {
        match self {
            Section::Audit => Some("audit.view"),
            Section::Pipeline => Some("interests.view"),
            _ => None,
        }
    }

    /// Where the section lives for the port `slug`; `None` while it is not built.
    fn href(self, slug: Option<&str>) -> Option<String> {
        match (self, slug) {
            (Section::Dashboard, Some(slug)) => Some(format!("/ports/{slug}")),
            (Section::Dashboard, None) => Some("/".to_owned()),
            (Section::Audit, Some(slug)) => Some(format!("/ports/{slug}/audit")),
            (Section::Clients, Some(slug)) => Some(format!("/ports/{slug}/clients")),
            (Section::Berths, Some(slug)) => Some(format!("/ports/{slug}/berths")),
            (Section::Pipeline, Some(slug)) => Some(format!("/ports/{slug}/pipeline")),
            (Section::Map, Some(slug)) => Some(format!("/ports/{slug}/map")),
            _ => None,
        }
    }
}

pub struct NavItem {
    pub label: &'static str,
    pub icon: &'static str,
    pub href: Option<String>,
    pub current: bool,
}

pub struct PortLink {
    pub name: String,
    pub href: String,
    pub current: bool,
}

/// Any of these lets a user into the Settings area (each opens one page of it).
pub const SETTINGS_VIEW: [&str; 3] = ["users.view", "roles.view", "settings.view"];

/// The layout's context; every page template has one as `shell`.
pub struct Shell {
    /// The `<title>`: the page's own title, then the port's name.
    pub title: String,
    pub assets: &'static AssetUrls,
    /// The port the page belongs to, by name.
    pub port_name: Option<String>,
    /// The port the page belongs to, for what the top bar loads about it
    /// (the notification bell).
    pub current_port: Option<CurrentPort>,
    pub ports: Vec<PortLink>,
    pub nav: Vec<NavItem>,
    /// Where the dashboard is: the `g d` shortcut and the error page go there.
    pub home: String,
    /// `--accent` and `--accent-fg` for the `<html>` style attribute, when the
    /// port has a colour of its own.
    pub accent_style: Option<String>,
    /// The signed-in user's menu; `None` on the sign-in page.
    pub user: Option<UserMenu>,
}

/// The port of the page, as the top bar's requests name it.
pub struct CurrentPort {
    pub id: uuid::Uuid,
    pub slug: String,
}

/// The user menu in the top bar: who is signed in, and the sign-out form.
pub struct UserMenu {
    pub name: String,
    pub email: String,
    pub initials: String,
    /// The session's form token, for the sign-out form.
    pub csrf: String,
    /// The theme chosen in the profile (`light`, `dark`, `system`; empty when
    /// none): `data-theme-pref` on <html>, which theme.js prefers to what this
    /// browser remembers, so the choice follows the user.
    pub theme_pref: &'static str,
}

impl UserMenu {
    pub fn of(user: &crate::auth::CurrentUser) -> UserMenu {
        let initials: String = user
            .name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .collect();
        UserMenu {
            name: user.name.clone(),
            email: user.email.clone(),
            initials: initials.to_uppercase(),
            csrf: user.csrf_token(),
            theme_pref: match user.theme.as_deref() {
                Some("light") => "light",
                Some("dark") => "dark",
                Some("system") => "system",
                _ => "",
            },
        }
    }
}

impl Shell {
    /// The session's form token for the page's forms (empty without a session).
    pub fn csrf(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.csrf.as_str())
    }

    /// The shell of a page of the request's port, with the user's `ports` in the switcher.
    pub fn for_ctx(
        title: &str,
        section: Section,
        ctx: &crate::access::PortCtx,
        ports: &[Port],
    ) -> Shell {
        let mut shell = Shell::for_port(title, section, &ctx.port, ports);
        shell.nav = nav(Some(section), Some(&ctx.port.slug), |p| ctx.can(p));
        shell.user = Some(UserMenu::of(&ctx.user));
        shell.settings_link(&ctx.port.slug, |key| ctx.can(key));
        shell
    }

    /// Links the Settings section to the port's settings area for a user who
    /// may see any part of it, and leaves it out for everyone else.
    pub fn settings_link(&mut self, slug: &str, can: impl Fn(&str) -> bool) {
        if SETTINGS_VIEW.iter().any(|k| can(k)) {
            for item in self.nav.iter_mut().filter(|i| i.label == "Settings") {
                item.href = Some(format!("/ports/{slug}/settings"));
            }
        } else {
            self.nav.retain(|i| i.label != "Settings");
        }
    }

    /// The shell of a page of `port`, with `ports` in the switcher.
    pub fn for_port(title: &str, section: Section, port: &Port, ports: &[Port]) -> Shell {
        Shell {
            title: format!("{title} · {}", port.name),
            assets: &ASSET_URLS,
            port_name: Some(port.name.clone()),
            current_port: Some(CurrentPort {
                id: port.id,
                slug: port.slug.clone(),
            }),
            ports: ports
                .iter()
                .map(|p| PortLink {
                    name: p.name.clone(),
                    href: format!("/ports/{}", p.slug),
                    current: p.id == port.id,
                })
                .collect(),
            nav: nav(Some(section), Some(&port.slug), |_| false),
            home: format!("/ports/{}", port.slug),
            accent_style: port
                .primary_color
                .as_deref()
                .and_then(Accent::parse)
                .map(|a| a.style()),
            user: None,
        }
    }

    /// The shell of a page that belongs to no port (no port yet, error pages).
    pub fn bare(title: &str, section: Option<Section>) -> Shell {
        Shell {
            title: title.to_owned(),
            assets: &ASSET_URLS,
            port_name: None,
            current_port: None,
            ports: Vec::new(),
            nav: nav(section, None, |_| false),
            home: "/".to_owned(),
            accent_style: None,
            user: None,
        }
    }
}

/// The sections the user may see (`can` answers for a permission), linked
/// where they are built.
fn nav(current: Option<Section>, slug: Option<&str>, can: impl Fn(&str) -> bool) -> Vec<NavItem> {
    Section::ALL
        .iter()
        .filter(|s| s.requires().is_none_or(&can))
        .map(|&s| NavItem {
            label: s.label(),
            icon: s.icon(),
            href: s.href(slug),
            current: Some(s) == current,
        })
        .collect()
}

/// A port's brand colour, and the text colour that reads on it.
#[derive(Debug, PartialEq)]
pub struct Accent {
    rgb: [u8; 3],
}

impl Accent {
    /// Accepts `#rgb` or `#rrggbb` only: the value lands in a style attribute, so
    /// anything else is ignored rather than passed on.
    pub fn parse(value: &str) -> Option<Accent> {
        let hex = value.trim().strip_prefix('#')?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let digit = |i: usize, len: usize| u8::from_str_radix(&hex[i..i + len], 16).ok();
        let rgb = match hex.len() {
            3 => [digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17],
            6 => [digit(0, 2)?, digit(2, 2)?, digit(4, 2)?],
            _ => return None,
        };
        Some(Accent { rgb })
    }

    /// WCAG relative luminance.
    fn luminance(&self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.rgb[0])
            + 0.7152 * channel(self.rgb[1])
            + 0.0722 * channel(self.rgb[2])
    }

    /// White or near-black, whichever contrasts more with the accent, so a
    /// button in any brand colour stays readable.
    fn foreground(&self) -> &'static str {
        let l = self.luminance();
        let on_white = 1.05 / (l + 0.05);
        let on_dark = (l + 0.05) / 0.05;
        if on_white >= on_dark {
            "#ffffff"
        } else {
            "#0b1220"
        }
    }

    pub fn style(&self) -> String {
        let [r, g, b] = self.rgb;
        format!(
            "--accent: #{r:02x}{g:02x}{b:02x}; --accent-fg: {}",
            self.foreground()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_accept_hex_colours_only() {
        assert_eq!(
            Accent::parse("#0E7490").unwrap().style(),
            "--accent: #0e7490; --accent-fg: #ffffff"
        );
        assert_eq!(
            Accent::parse(" #fd0 ").unwrap().style(),
            "--accent: #ffdd00; --accent-fg: #0b1220"
        );
        for bad in [
            "",
            "#",
            "0e7490",
            "#12345",
            "#1234567",
            "red",
            "#12g",
            "#fff; background: url(x)",
        ] {
            assert_eq!(Accent::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_built_sections_link_somewhere() {
        let items = nav(Some(Section::Dashboard), Some("north"), |_| false);
        assert_eq!(
            items.len(),
            10,
            "no pipeline without interests.view, no audit log without audit.view"
        );
        assert_eq!(items[0].href.as_deref(), Some("/ports/north"));
        assert!(items[0].current);
        assert_eq!(items[1].href.as_deref(), Some("/ports/north/clients"));
        assert_eq!(items[2].href.as_deref(), Some("/ports/north/berths"));
        assert_eq!(items[3].href.as_deref(), Some("/ports/north/map"));
        let built = ["Dashboard", "Clients", "Berths", "Map"];
        assert!(
            items
                .iter()
                .filter(|i| !built.contains(&i.label))
                .all(|i| i.href.is_none() && !i.current)
        );
    }

    #[test]
    fn the_pipeline_shows_to_those_who_may_view_interests() {
        let items = nav(Some(Section::Pipeline), Some("north"), |p| {
            p == "interests.view"
        });
        let pipeline = items.iter().find(|i| i.label == "Pipeline").unwrap();
        assert_eq!(pipeline.href.as_deref(), Some("/ports/north/pipeline"));
        assert!(pipeline.current);
    }

    #[test]
    fn the_audit_log_shows_to_those_who_may_view_it() {
        let items = nav(Some(Section::Audit), Some("north"), |p| p == "audit.view");
        let audit = items.iter().find(|i| i.label == "Audit log").unwrap();
        assert_eq!(audit.href.as_deref(), Some("/ports/north/audit"));
        assert!(audit.current);
        assert_eq!(items.last().unwrap().label, "Settings");
    }

    #[test]
    fn every_icon_the_pages_use_is_in_the_sprite() {
        let (sprite, _) = super::super::assets::lookup("icons.svg").unwrap();
        let sprite = std::str::from_utf8(sprite.body).unwrap();
        let mut used: Vec<String> = Section::ALL.iter().map(|s| s.icon().to_owned()).collect();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        for path in template_files(std::path::Path::new(dir)) {
            let text = std::fs::read_to_string(&path).unwrap();
            for part in text.split("{{ shell.assets.icons }}#").skip(1) {
                used.push(
                    part.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .collect(),
                );
            }
        }
        for icon in used.iter().filter(|i| !i.is_empty()) {
            assert!(
                sprite.contains(&format!("<symbol id=\"{icon}\"")),
                "icon `{icon}` is not in build.rs's ICONS"
            );
        }
    }

    fn template_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(template_files(&path))
            } else {
                files.push(path)
            }
        }
        files
    }
}
