//! Embeds the web assets into the binary.
//!
//! Our own CSS, JS and images come from `assets/`; third-party files come from
//! `web/node_modules` (npm, pinned by `web/package-lock.json`), installed here with
//! `npm ci` when missing so a plain `cargo build` works on a fresh clone. Each file
//! is written to `OUT_DIR` under a content-hashed name, and `assets.rs` there lists
//! them for `src/web/assets.rs` to `include!`: URLs change whenever content does,
//! so browsers may cache them forever.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Icons of the sprite, by their heroicons name (24px outline set). Only these are
/// embedded, so the binary stays small.
const ICONS: &[&str] = &[
    "arrow-right-start-on-rectangle",
    "arrow-uturn-left",
    "banknotes",
    "bars-3",
    "bell",
    "building-office-2",
    "chart-bar",
    "check",
    "chevron-up-down",
    "clipboard-document-list",
    "clipboard-document",
    "clock",
    "cog-6-tooth",
    "computer-desktop",
    "document-text",
    "funnel",
    "home",
    "inbox",
    "key",
    "lock-closed",
    "lifebuoy",
    "magnifying-glass",
    "map",
    "moon",
    "paper-clip",
    "pencil-square",
    "question-mark-circle",
    "squares-2x2",
    "sun",
    "trash",
    "user-circle",
    "users",
    "x-mark",
];

struct Asset {
    /// The stable name templates ask for, such as `app.css`.
    name: String,
    bytes: Vec<u8>,
}

fn main() {
    // sqlx::migrate! embeds the migrations; without this a new migration file
    // would not rebuild the binary.
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=assets");
    println!("cargo:rerun-if-changed=../../web/package.json");
    println!("cargo:rerun-if-changed=../../web/package-lock.json");

    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let web = manifest.join("../../web");
    let modules = web.join("node_modules");
    ensure_node_modules(&web, &modules);

    let mut assets = own_assets(&manifest.join("assets"));
    assets.push(Asset {
        name: "htmx.js".into(),
        bytes: read(&modules.join("htmx.org/dist/htmx.min.js")),
    });
    assets.push(Asset {
        name: "icons.svg".into(),
        bytes: icon_sprite(&modules.join("heroicons/24/outline")),
    });
    assets.sort_by(|a, b| a.name.cmp(&b.name));

    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let dir = out.join("assets");
    // A fresh folder, so files of earlier builds with other hashes do not pile up.
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create the assets folder in OUT_DIR");
    fs::write(out.join("assets.rs"), table(&assets, &dir)).expect("write the asset table");
}

/// Runs `npm ci` when the libraries are missing or older than the lockfile.
fn ensure_node_modules(web: &Path, modules: &Path) {
    let lock = web.join("package-lock.json");
    // npm writes this file on every install; older than the lockfile means the
    // lockfile changed since (a version bump pulled from git, say).
    let installed = modules.join(".package-lock.json");
    let fresh = match (modified(&installed), modified(&lock)) {
        (Some(installed), Some(lock)) => installed >= lock,
        _ => false,
    };
    if fresh {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
        .current_dir(web)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!(
            "`npm ci` in {} failed ({s}); the front-end libraries are needed to build the server: run `npm ci --prefix web` from the repository root and build again",
            web.display()
        ),
        Err(e) => panic!(
            "cannot run npm ({e}); install Node.js and npm, then run `npm ci --prefix web` from the repository root and build again"
        ),
    }
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}); run `npm ci --prefix web` from the repository root",
            path.display()
        )
    })
}

/// Every file directly in `assets/` (the folder is flat on purpose: one name, one URL).
fn own_assets(dir: &Path) -> Vec<Asset> {
    let mut assets = Vec::new();
    for entry in fs::read_dir(dir).expect("read crates/server/assets") {
        let path = entry.expect("list crates/server/assets").path();
        if !path.is_file() {
            continue;
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("asset names are UTF-8")
            .to_owned();
        if name.starts_with('.') {
            continue;
        }
        content_type(&name); // fails early on an extension we would serve wrongly
        assets.push(Asset {
            name,
            bytes: read(&path),
        });
    }
    assets
}

/// One SVG of `<symbol>`s, used as `<svg><use href="/assets/icons.….svg#users"/></svg>`:
/// one cached request for every icon of every page.
fn icon_sprite(dir: &Path) -> Vec<u8> {
    let mut sprite = String::from("<svg xmlns=\"http://www.w3.org/2000/svg\">\n");
    for name in ICONS {
        let svg =
            String::from_utf8(read(&dir.join(format!("{name}.svg")))).expect("icons are UTF-8");
        let open_end = svg.find('>').expect("an icon starts with <svg …>");
        let close = svg.rfind("</svg>").expect("an icon ends with </svg>");
        let body = svg[open_end + 1..close].trim();
        // The stroke settings live on each icon's root <svg>, which a <symbol>
        // replaces; they move onto the symbol so every use draws the same.
        let _ = writeln!(
            sprite,
            "<symbol id=\"{name}\" viewBox=\"0 0 24 24\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\">{body}</symbol>"
        );
    }
    sprite.push_str("</svg>\n");
    sprite.into_bytes()
}

/// Writes each asset under its fingerprinted name and returns the Rust table.
fn table(assets: &[Asset], dir: &Path) -> String {
    let mut rows = String::new();
    let mut consts = String::new();
    for asset in assets {
        let hash = fnv1a(&asset.bytes);
        let (stem, ext) = asset
            .name
            .rsplit_once('.')
            .expect("asset names have an extension");
        let file = format!("{stem}.{:08x}.{ext}", hash >> 32);
        let path = dir.join(&file);
        fs::write(&path, &asset.bytes).expect("write an asset to OUT_DIR");
        let _ = writeln!(
            rows,
            "    Asset {{ name: {name:?}, file: {file:?}, content_type: {ct:?}, etag: \"\\\"{hash:016x}\\\"\", body: include_bytes!({path:?}) }},",
            name = asset.name,
            ct = content_type(&asset.name),
            path = path.to_str().expect("OUT_DIR is UTF-8"),
        );
        let ident: String = asset
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        let _ = writeln!(consts, "    pub const {ident}: &str = \"/assets/{file}\";");
    }
    format!(
        "/// Every embedded asset, sorted by name.\npub static ASSETS: &[Asset] = &[\n{rows}];\n\n\
         /// The fingerprinted URL of each asset, checked at compile time.\npub mod url {{\n{consts}}}\n"
    )
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => panic!(
            "crates/server/assets/{name}: unknown file type; add its content type to build.rs"
        ),
    }
}

/// FNV-1a, 64 bits: a fingerprint for cache busting, not a security measure, and
/// it needs no build dependency.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
