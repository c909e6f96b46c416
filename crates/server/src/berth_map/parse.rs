//! Reading a map from an SVG file: every shape whose `id` is a mooring number
//! becomes that berth's shape; every shape that cannot is reported with why.
//!
//! Shapes: `path`, `rect`, `polygon`, `polyline`, `circle` and `ellipse`,
//! each turned into path data, with the transforms of the groups around it
//! kept as its `transform`. Content of `defs`, `symbol`, `clipPath`, `mask`,
//! `pattern` and `marker` is not drawn and is not read. Other drawn elements
//! (`line`, `text`, `image`, `use`, …) that carry an id are reported as
//! unsupported, as is a group whose id is a mooring number (the id belongs on
//! the shape inside it).

use super::geometry::{BBox, num, parse_transform, path_bbox};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// A shape read from the file, ready to store for its berth.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub mooring_number: String,
    pub element: String,
    pub svg_path: String,
    /// Where the mooring number is written: the middle of the shape.
    pub x: f64,
    pub y: f64,
    pub transform: Option<String>,
    pub line: usize,
}

/// A shape left out, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    pub element: String,
    pub id: Option<String>,
    pub line: usize,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub shapes: Vec<Shape>,
    pub skipped: Vec<Skipped>,
}

const SHAPES: [&str; 6] = ["path", "rect", "polygon", "polyline", "circle", "ellipse"];
const UNSUPPORTED: [&str; 7] = [
    "line",
    "text",
    "image",
    "use",
    "foreignObject",
    "textPath",
    "tspan",
];
/// Elements whose content is never drawn where it stands.
const HIDDEN: [&str; 9] = [
    "defs", "symbol", "clipPath", "mask", "pattern", "marker", "metadata", "style", "script",
];

struct Open {
    name: String,
    transform: Option<String>,
    hidden: bool,
}

/// Why the file as a whole is not a map we can read (a 422 on `file`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotSvg(pub String);

fn attributes(e: &BytesStart<'_>) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| err.to_string())?;
        let key = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| err.to_string())?
            .into_owned();
        out.insert(key, value);
    }
    Ok(out)
}

fn number(attrs: &BTreeMap<String, String>, name: &str) -> Result<f64, String> {
    let raw = attrs
        .get(name)
        .map(|v| v.trim())
        .ok_or_else(|| format!("no `{name}`"))?;
    // Plain user units; `px` is the same thing.
    raw.trim_end_matches("px")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("`{name}` is not a number"))
}

fn optional(attrs: &BTreeMap<String, String>, name: &str) -> Result<f64, String> {
    if attrs.contains_key(name) {
        number(attrs, name)
    } else {
        Ok(0.0)
    }
}

/// The element as path data, and the box of it.
fn as_path(name: &str, attrs: &BTreeMap<String, String>) -> Result<(String, BBox), String> {
    let d = match name {
        "path" => attrs
            .get("d")
            .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
            .ok_or("no path data (`d`)")?,
        "rect" => {
            let (x, y) = (optional(attrs, "x")?, optional(attrs, "y")?);
            let (w, h) = (number(attrs, "width")?, number(attrs, "height")?);
            if w <= 0.0 || h <= 0.0 {
                return Err("a rectangle without area".into());
            }
            format!("M{} {}h{}v{}h{}Z", num(x), num(y), num(w), num(h), num(-w))
        }
        "polygon" | "polyline" => {
            let raw = attrs.get("points").ok_or("no `points`")?;
            let values: Vec<f64> = raw
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|s| !s.is_empty())
                .map(|s| s.parse::<f64>().map_err(|_| "unreadable `points`"))
                .collect::<Result<_, _>>()?;
            if values.len() < 6 || !values.len().is_multiple_of(2) {
                return Err("`points` needs at least three x,y pairs".into());
            }
            let mut d = String::new();
            for (i, p) in values.chunks(2).enumerate() {
                d.push_str(if i == 0 { "M" } else { "L" });
                d.push_str(&format!("{} {}", num(p[0]), num(p[1])));
            }
            d.push('Z');
            d
        }
        "circle" | "ellipse" => {
            let (cx, cy) = (optional(attrs, "cx")?, optional(attrs, "cy")?);
            let (rx, ry) = if name == "circle" {
                let r = number(attrs, "r")?;
                (r, r)
            } else {
                (number(attrs, "rx")?, number(attrs, "ry")?)
            };
            if rx <= 0.0 || ry <= 0.0 {
                return Err("a shape without area".into());
            }
            format!(
                "M{} {}a{} {} 0 1 0 {} 0a{} {} 0 1 0 {} 0Z",
                num(cx - rx),
                num(cy),
                num(rx),
                num(ry),
                num(2.0 * rx),
                num(rx),
                num(ry),
                num(-2.0 * rx)
            )
        }
        _ => unreachable!("only shapes are turned into paths"),
    };
    let bbox = path_bbox(&d).ok_or("unreadable path data")?;
    Ok((d, bbox))
}

/// The line of byte `offset` in `text` (1-based).
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Reads the shapes of `text` for the moorings in `known`. The file must be
/// well-formed XML whose root element is `svg`.
pub fn parse(text: &str, known: &HashSet<String>) -> Result<Parsed, NotSvg> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut out = Parsed::default();
    let mut stack: Vec<Open> = Vec::new();
    let mut seen_root = false;
    let mut drawn: HashSet<String> = HashSet::new();
    loop {
        let at = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            NotSvg(format!(
                "is not well-formed XML (line {}): {e}",
                line_of(text, reader.error_position() as usize)
            ))
        })?;
        let (element, empty) = match event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                stack.pop();
                continue;
            }
            Event::Text(t) if !seen_root || stack.is_empty() => {
                if !t.iter().all(u8::is_ascii_whitespace) {
                    return Err(NotSvg(
                        "is not an SVG file: text outside the <svg> element".into(),
                    ));
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = String::from_utf8_lossy(element.local_name().as_ref()).into_owned();
        let line = line_of(text, at);
        if !seen_root {
            if name != "svg" {
                return Err(NotSvg(format!(
                    "is not an SVG file: its root element is <{name}>, not <svg>"
                )));
            }
            seen_root = true;
        } else if stack.is_empty() {
            return Err(NotSvg(
                "is not an SVG file: more than one root element".into(),
            ));
        }
        let attrs = attributes(&element)
            .map_err(|e| NotSvg(format!("is not well-formed XML (line {line}): {e}")))?;
        let parent_hidden = stack.last().is_some_and(|o| o.hidden);
        let hidden = parent_hidden || HIDDEN.contains(&name.as_str());
        // The transforms of every group around the element, outermost first.
        let inherited = stack.last().and_then(|o| o.transform.clone());
        let own = attrs
            .get("transform")
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        let transform = match (inherited, own) {
            (Some(a), Some(b)) => Some(format!("{a} {b}")),
            (a, b) => a.or(b),
        };
        if !hidden {
            read_element(
                &name,
                &attrs,
                transform.clone(),
                line,
                known,
                &mut drawn,
                &mut out,
            );
        }
        if !empty {
            stack.push(Open {
                name,
                transform,
                hidden,
            });
        }
    }
    if let Some(open) = stack.last() {
        return Err(NotSvg(format!(
            "is not well-formed XML: it ends inside <{}>",
            open.name
        )));
    }
    if !seen_root {
        return Err(NotSvg("is not an SVG file: it has no <svg> element".into()));
    }
    Ok(out)
}

fn read_element(
    name: &str,
    attrs: &BTreeMap<String, String>,
    transform: Option<String>,
    line: usize,
    known: &HashSet<String>,
    drawn: &mut HashSet<String>,
    out: &mut Parsed,
) {
    let id = attrs
        .get("id")
        .map(|i| i.trim().to_owned())
        .filter(|i| !i.is_empty());
    let mut skip = |reason: String| {
        out.skipped.push(Skipped {
            element: name.to_owned(),
            id: id.clone(),
            line,
            reason,
        })
    };
    if !SHAPES.contains(&name) {
        match &id {
            Some(id) if name == "g" && known.contains(id) => skip(
                "unsupported element: a group, not a shape; put the mooring number on the shape inside it".into(),
            ),
            Some(_) if UNSUPPORTED.contains(&name) => {
                skip(format!("unsupported element <{name}>: only path, rect, polygon, polyline, circle and ellipse are berths"))
            }
            _ => {}
        }
        return;
    }
    let Some(id) = id.clone() else {
        skip("no id: give the shape the berth's mooring number as its id".into());
        return;
    };
    if !known.contains(&id) {
        skip(format!(
            "unknown mooring number: the port has no berth {id}"
        ));
        return;
    }
    if drawn.contains(&id) {
        skip(format!("berth {id} is already drawn by an earlier shape"));
        return;
    }
    if let Some(t) = &transform
        && parse_transform(t).is_none()
    {
        skip(format!("unreadable transform `{t}`"));
        return;
    }
    match as_path(name, attrs) {
        Ok((svg_path, bbox)) => {
            let (x, y) = bbox.center();
            drawn.insert(id.clone());
            out.shapes.push(Shape {
                mooring_number: id,
                element: name.to_owned(),
                svg_path,
                x,
                y,
                transform,
                line,
            });
        }
        Err(reason) => skip(format!("unreadable shape: {reason}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(ids: &[&str]) -> HashSet<String> {
        ids.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn shapes_with_known_ids_are_read_and_the_rest_reported() {
        let svg = r#"<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
  <defs><rect id="A01" width="1" height="1"/></defs>
  <g transform="translate(10 0)">
    <rect id="A01" x="0" y="0" width="20" height="10"/>
    <polygon id="A02" points="0,20 20,20 20,30 0,30" transform="rotate(5)"/>
  </g>
  <circle id="A03" cx="50" cy="50" r="5"/>
  <path d="M0 0h5v5z"/>
  <path id="Z99" d="M0 0h5v5z"/>
  <line id="A04" x1="0" y1="0" x2="5" y2="5"/>
  <rect id="A01" width="3" height="3"/>
  <text>Quay</text>
</svg>"#;
        let parsed = parse(svg, &known(&["A01", "A02", "A03", "A04"])).unwrap();
        let ids: Vec<&str> = parsed
            .shapes
            .iter()
            .map(|s| s.mooring_number.as_str())
            .collect();
        assert_eq!(ids, ["A01", "A02", "A03"]);
        assert_eq!(parsed.shapes[0].svg_path, "M0 0h20v10h-20Z");
        assert_eq!(
            parsed.shapes[0].transform.as_deref(),
            Some("translate(10 0)")
        );
        assert_eq!(
            parsed.shapes[1].transform.as_deref(),
            Some("translate(10 0) rotate(5)")
        );
        assert_eq!((parsed.shapes[2].x, parsed.shapes[2].y), (50.0, 50.0));
        let reasons: Vec<(Option<&str>, &str)> = parsed
            .skipped
            .iter()
            .map(|s| (s.id.as_deref(), s.reason.split(':').next().unwrap()))
            .collect();
        assert_eq!(
            reasons,
            [
                (None, "no id"),
                (Some("Z99"), "unknown mooring number"),
                (Some("A04"), "unsupported element <line>"),
                (
                    Some("A01"),
                    "berth A01 is already drawn by an earlier shape"
                ),
            ]
        );
        assert_eq!(parsed.skipped[0].line, 9);
    }

    #[test]
    fn files_that_are_not_svg_are_refused() {
        let k = known(&["A01"]);
        for bad in [
            "",
            "hello",
            "{\"svg\": true}",
            "<html><body/></html>",
            "<svg><rect id='A01' width='1' height='1'></svg>",
            "<svg>",
            "<svg/><svg/>",
        ] {
            assert!(parse(bad, &k).is_err(), "{bad}");
        }
        assert!(parse("<svg:svg xmlns:svg='http://www.w3.org/2000/svg'/>", &k).is_ok());
    }

    #[test]
    fn unreadable_shapes_are_reported_not_stored() {
        let svg = r#"<svg><rect id="A01" width="0" height="5"/><path id="A02" d="M0 0 Q"/><rect id="A03" width="2" height="2" transform="spin(3)"/></svg>"#;
        let parsed = parse(svg, &known(&["A01", "A02", "A03"])).unwrap();
        assert!(parsed.shapes.is_empty());
        assert_eq!(parsed.skipped.len(), 3);
        assert!(parsed.skipped[2].reason.starts_with("unreadable transform"));
    }
}
