//! Just enough SVG geometry for the map: the bounding box of path data and
//! the affine matrix of a `transform` attribute.
//!
//! Boxes are used to frame the map (its viewBox), to place each mooring
//! number at the middle of its shape and to draw each area's backdrop. They
//! may be a little larger than the shape (a curve is boxed by its control
//! points, an arc by its radii around its ends), never smaller, so nothing
//! is cut off.

/// An axis-aligned box; empty until a point is added.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
}

impl Default for BBox {
    fn default() -> BBox {
        BBox::EMPTY
    }
}

impl BBox {
    pub const EMPTY: BBox = BBox {
        min_x: f64::INFINITY,
        min_y: f64::INFINITY,
        max_x: f64::NEG_INFINITY,
        max_y: f64::NEG_INFINITY,
    };

    pub fn is_empty(&self) -> bool {
        self.min_x > self.max_x || self.min_y > self.max_y
    }

    pub fn add(&mut self, x: f64, y: f64) {
        self.min_x = self.min_x.min(x);
        self.min_y = self.min_y.min(y);
        self.max_x = self.max_x.max(x);
        self.max_y = self.max_y.max(y);
    }

    pub fn union(&mut self, other: &BBox) {
        if !other.is_empty() {
            self.add(other.min_x, other.min_y);
            self.add(other.max_x, other.max_y);
        }
    }

    pub fn width(&self) -> f64 {
        self.max_x - self.min_x
    }

    pub fn height(&self) -> f64 {
        self.max_y - self.min_y
    }

    pub fn center(&self) -> (f64, f64) {
        (
            (self.min_x + self.max_x) / 2.0,
            (self.min_y + self.max_y) / 2.0,
        )
    }

    /// The box grown by `by` on every side.
    pub fn padded(&self, by: f64) -> BBox {
        BBox {
            min_x: self.min_x - by,
            min_y: self.min_y - by,
            max_x: self.max_x + by,
            max_y: self.max_y + by,
        }
    }
}

/// Reads SVG numbers and flags the way path data and transforms write them:
/// separated by spaces or commas, or by nothing at all (`10-5`, `.5.5`).
struct Numbers<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Numbers<'a> {
    fn new(s: &'a str) -> Numbers<'a> {
        Numbers {
            s: s.as_bytes(),
            i: 0,
        }
    }

    fn skip_separators(&mut self) {
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_whitespace() || self.s[self.i] == b',')
        {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_separators();
        self.s.get(self.i).copied()
    }

    fn at_number(&mut self) -> bool {
        matches!(self.peek(), Some(b'0'..=b'9' | b'.' | b'-' | b'+'))
    }

    fn number(&mut self) -> Option<f64> {
        self.skip_separators();
        let start = self.i;
        let s = self.s;
        let mut i = self.i;
        if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
            i += 1;
        }
        let mut digits = 0;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
        if i < s.len() && s[i] == b'.' {
            i += 1;
            while i < s.len() && s[i].is_ascii_digit() {
                i += 1;
                digits += 1;
            }
        }
        if digits == 0 {
            return None;
        }
        if i < s.len() && (s[i] == b'e' || s[i] == b'E') {
            let mut j = i + 1;
            if j < s.len() && (s[j] == b'+' || s[j] == b'-') {
                j += 1;
            }
            let exp_start = j;
            while j < s.len() && s[j].is_ascii_digit() {
                j += 1;
            }
            if j > exp_start {
                i = j;
            }
        }
        self.i = i;
        std::str::from_utf8(&s[start..i]).ok()?.parse().ok()
    }

    /// An arc flag: a single `0` or `1`, which may touch the next number.
    fn flag(&mut self) -> Option<bool> {
        match self.peek()? {
            b'0' => {
                self.i += 1;
                Some(false)
            }
            b'1' => {
                self.i += 1;
                Some(true)
            }
            _ => None,
        }
    }
}

/// The box of SVG path data `d`; `None` when it cannot be read or draws
/// nothing.
pub fn path_bbox(d: &str) -> Option<BBox> {
    let mut n = Numbers::new(d);
    let mut bbox = BBox::EMPTY;
    let (mut x, mut y) = (0.0_f64, 0.0_f64);
    let (mut start_x, mut start_y) = (0.0_f64, 0.0_f64);
    let mut command: Option<u8> = None;
    loop {
        let next = match n.peek() {
            None => break,
            Some(c) if c.is_ascii_alphabetic() => {
                n.i += 1;
                command = Some(c);
                c
            }
            // Numbers after a command repeat it (a moveto's extra pairs are linetos).
            Some(_) => match command? {
                b'M' => b'L',
                b'm' => b'l',
                b'Z' | b'z' => return None,
                c => c,
            },
        };
        let relative = next.is_ascii_lowercase();
        let (ox, oy) = if relative { (x, y) } else { (0.0, 0.0) };
        match next.to_ascii_uppercase() {
            b'Z' => {
                x = start_x;
                y = start_y;
                continue;
            }
            b'M' | b'L' | b'T' => {
                let (px, py) = (n.number()? + ox, n.number()? + oy);
                (x, y) = (px, py);
                if next.eq_ignore_ascii_case(&b'M') {
                    (start_x, start_y) = (x, y);
                    command = Some(if relative { b'l' } else { b'L' });
                }
            }
            b'H' => x = n.number()? + ox,
            b'V' => y = n.number()? + oy,
            b'C' => {
                for _ in 0..2 {
                    bbox.add(n.number()? + ox, n.number()? + oy);
                }
                (x, y) = (n.number()? + ox, n.number()? + oy);
            }
            b'S' | b'Q' => {
                bbox.add(n.number()? + ox, n.number()? + oy);
                (x, y) = (n.number()? + ox, n.number()? + oy);
            }
            b'A' => {
                let (rx, ry) = (n.number()?.abs(), n.number()?.abs());
                n.number()?;
                n.flag()?;
                n.flag()?;
                let (ex, ey) = (n.number()? + ox, n.number()? + oy);
                // The arc stays within its radii of the chord's box.
                bbox.add(x.min(ex) - rx, y.min(ey) - ry);
                bbox.add(x.max(ex) + rx, y.max(ey) + ry);
                (x, y) = (ex, ey);
            }
            _ => return None,
        }
        if !x.is_finite() || !y.is_finite() {
            return None;
        }
        bbox.add(x, y);
        if command.is_some() && !n.at_number() && n.peek().is_some_and(|c| !c.is_ascii_alphabetic())
        {
            return None;
        }
    }
    (!bbox.is_empty()).then_some(bbox)
}

/// An affine transform `[a b c d e f]`: x' = a·x + c·y + e, y' = b·x + d·y + f.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Affine(pub [f64; 6]);

impl Affine {
    pub const IDENTITY: Affine = Affine([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self` applied after `then`: the matrix of the list "self then".
    fn then(self, inner: Affine) -> Affine {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = inner.0;
        Affine([
            a * a2 + c * b2,
            b * a2 + d * b2,
            a * c2 + c * d2,
            b * c2 + d * d2,
            a * e2 + c * f2 + e,
            b * e2 + d * f2 + f,
        ])
    }

    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    /// The box of `bbox`'s corners once transformed.
    pub fn apply_box(&self, bbox: &BBox) -> BBox {
        let mut out = BBox::EMPTY;
        if bbox.is_empty() {
            return out;
        }
        for (x, y) in [
            (bbox.min_x, bbox.min_y),
            (bbox.max_x, bbox.min_y),
            (bbox.min_x, bbox.max_y),
            (bbox.max_x, bbox.max_y),
        ] {
            let (tx, ty) = self.apply(x, y);
            out.add(tx, ty);
        }
        out
    }
}

/// The matrix of an SVG `transform` list (`translate(10 20) rotate(45)`);
/// `None` when it cannot be read.
pub fn parse_transform(list: &str) -> Option<Affine> {
    let mut total = Affine::IDENTITY;
    let mut rest = list.trim();
    while !rest.is_empty() {
        let open = rest.find('(')?;
        let close = rest[open..].find(')')? + open;
        let name = rest[..open].trim().trim_start_matches(',').trim();
        let mut n = Numbers::new(&rest[open + 1..close]);
        let mut args = Vec::new();
        while n.peek().is_some() {
            args.push(n.number()?);
        }
        let one = match (name, args.as_slice()) {
            ("matrix", [a, b, c, d, e, f]) => Affine([*a, *b, *c, *d, *e, *f]),
            ("translate", [tx]) => Affine([1.0, 0.0, 0.0, 1.0, *tx, 0.0]),
            ("translate", [tx, ty]) => Affine([1.0, 0.0, 0.0, 1.0, *tx, *ty]),
            ("scale", [s]) => Affine([*s, 0.0, 0.0, *s, 0.0, 0.0]),
            ("scale", [sx, sy]) => Affine([*sx, 0.0, 0.0, *sy, 0.0, 0.0]),
            ("rotate", [deg]) => rotation(*deg),
            ("rotate", [deg, cx, cy]) => Affine([1.0, 0.0, 0.0, 1.0, *cx, *cy])
                .then(rotation(*deg))
                .then(Affine([1.0, 0.0, 0.0, 1.0, -cx, -cy])),
            ("skewX", [deg]) => Affine([1.0, 0.0, deg.to_radians().tan(), 1.0, 0.0, 0.0]),
            ("skewY", [deg]) => Affine([1.0, deg.to_radians().tan(), 0.0, 1.0, 0.0, 0.0]),
            _ => return None,
        };
        total = total.then(one);
        rest = rest[close + 1..].trim_start_matches([' ', ',', '\t', '\n', '\r']);
    }
    total.0.iter().all(|v| v.is_finite()).then_some(total)
}

fn rotation(deg: f64) -> Affine {
    let (s, c) = deg.to_radians().sin_cos();
    Affine([c, s, -s, c, 0.0, 0.0])
}

/// A coordinate as the SVG we write shows it: at most two decimals, no
/// trailing zeros.
pub fn num(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn boxes_of_straight_paths() {
        let b = path_bbox("M10 20 h30 v40 h-30 Z").unwrap();
        assert_eq!(
            (b.min_x, b.min_y, b.max_x, b.max_y),
            (10.0, 20.0, 40.0, 60.0)
        );
        let b = path_bbox("m5,5 10-5 l0 20z").unwrap();
        assert_eq!((b.min_x, b.min_y, b.max_x, b.max_y), (5.0, 0.0, 15.0, 20.0));
        let b = path_bbox("M.5.5L1e1 2E1").unwrap();
        assert_eq!((b.min_x, b.min_y, b.max_x, b.max_y), (0.5, 0.5, 10.0, 20.0));
        assert_eq!(path_bbox("M0 0 V 8 H 4").unwrap().center(), (2.0, 4.0));
    }

    #[test]
    fn curves_and_arcs_are_boxed_generously() {
        let b = path_bbox("M0 0 C 0 -10 10 -10 10 0").unwrap();
        assert_eq!((b.min_y, b.max_x), (-10.0, 10.0));
        // A circle of radius 5 around (10, 10), drawn as two compact arcs.
        let b = path_bbox("M5 10a5 5 0 1010 0a5 5 0 10-10 0").unwrap();
        assert!(b.min_y <= 5.0 && b.max_y >= 15.0 && b.min_x <= 5.0 && b.max_x >= 15.0);
        assert_eq!(b.center(), (10.0, 10.0));
    }

    #[test]
    fn unreadable_paths_are_refused() {
        for bad in ["", "hello", "M10", "M 1 2 X 3 4", "M1 2 L 3 x", "10 10"] {
            assert!(path_bbox(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn transforms_compose_left_to_right() {
        let t = parse_transform("translate(10 20) scale(2)").unwrap();
        assert_eq!(t.apply(1.0, 1.0), (12.0, 22.0));
        let r = parse_transform("rotate(90)").unwrap();
        let (x, y) = r.apply(1.0, 0.0);
        assert!(close(x, 0.0) && close(y, 1.0));
        let r = parse_transform("rotate(180, 5, 5)").unwrap();
        let (x, y) = r.apply(0.0, 0.0);
        assert!(close(x, 10.0) && close(y, 10.0));
        let m = parse_transform("matrix(1,0,0,1,3,4)").unwrap();
        assert_eq!(m.apply(0.0, 0.0), (3.0, 4.0));
        assert!(parse_transform("translate(1 2").is_none());
        assert!(parse_transform("explode(3)").is_none());
        assert_eq!(parse_transform("").unwrap(), Affine::IDENTITY);
    }

    #[test]
    fn transformed_boxes_cover_the_corners() {
        let b = path_bbox("M0 0 h10 v20 h-10 z").unwrap();
        let t = parse_transform("rotate(90)").unwrap().apply_box(&b);
        assert!(close(t.min_x, -20.0) && close(t.max_x, 0.0) && close(t.max_y, 10.0));
    }

    #[test]
    fn numbers_are_written_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.3456), "12.35");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(0.5), "0.5");
    }
}
