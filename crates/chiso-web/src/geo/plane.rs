//! Plane geometry for the map's areas: points in kilometres on a local projection of
//! the province, and the few polygon operations the cells need (clipping a convex
//! polygon by a half-plane, convex hulls, growing a hull, areas, containment).
//! Pure arithmetic on `f64`; knows nothing of units, files or pages.

use std::f64::consts::{PI, TAU};
use std::ops::{Add, Mul, Sub};

/// Mean radius of the Earth in kilometres (IUGG).
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A point in the projected plane, in kilometres east (`x`) and north (`y`) of the
/// projection's origin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    pub fn dot(self, other: Self) -> f64 {
        self.x * other.x + self.y * other.y
    }

    /// The z component of the cross product: > 0 when `other` turns left of `self`.
    pub fn cross(self, other: Self) -> f64 {
        self.x * other.y - self.y * other.x
    }

    pub fn distance(self, other: Self) -> f64 {
        (self - other).dot(self - other).sqrt()
    }
}

impl Add for Point {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        Self::new(self.x + other.x, self.y + other.y)
    }
}

impl Sub for Point {
    type Output = Self;
    fn sub(self, other: Self) -> Self {
        Self::new(self.x - other.x, self.y - other.y)
    }
}

impl Mul<f64> for Point {
    type Output = Self;
    fn mul(self, factor: f64) -> Self {
        Self::new(self.x * factor, self.y * factor)
    }
}

/// An equirectangular projection around a reference point: east–west distances are
/// corrected by the cosine of the reference latitude, so that over a province
/// (about 1.2° of latitude) a kilometre is a kilometre in both directions to within
/// about 1 %, and cells drawn from the projection are not stretched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    lat0: f64,
    lon0: f64,
    cos_lat0: f64,
}

impl Projection {
    pub fn around(lat0: f64, lon0: f64) -> Self {
        Self { lat0, lon0, cos_lat0: lat0.to_radians().cos() }
    }

    /// The cosine of the reference latitude: how much shorter a degree of longitude is
    /// than a degree of latitude (ECharts' `aspectScale` for lon/lat maps).
    pub fn aspect(self) -> f64 {
        self.cos_lat0
    }

    pub fn project(self, lat: f64, lon: f64) -> Point {
        Point::new(
            EARTH_RADIUS_KM * (lon - self.lon0).to_radians() * self.cos_lat0,
            EARTH_RADIUS_KM * (lat - self.lat0).to_radians(),
        )
    }

    /// (lat, lon) in degrees of a point of the plane.
    pub fn unproject(self, p: Point) -> (f64, f64) {
        (
            self.lat0 + (p.y / EARTH_RADIUS_KM).to_degrees(),
            self.lon0 + (p.x / (EARTH_RADIUS_KM * self.cos_lat0)).to_degrees(),
        )
    }
}

/// The signed area of a ring (not closed: the last point joins the first);
/// positive when counter-clockwise.
pub fn signed_area(ring: &[Point]) -> f64 {
    let n = ring.len();
    (0..n).map(|i| ring[i].cross(ring[(i + 1) % n])).sum::<f64>() / 2.0
}

/// The part of a convex polygon on the side of the line through `origin` away from
/// `normal`: the points `p` with `(p - origin) · normal <= 0`. Empty when nothing is
/// left; the orientation is kept.
pub fn clip_half_plane(polygon: &[Point], origin: Point, normal: Point) -> Vec<Point> {
    let side = |p: Point| (p - origin).dot(normal);
    let mut kept = Vec::with_capacity(polygon.len() + 1);
    for (i, &current) in polygon.iter().enumerate() {
        let next = polygon[(i + 1) % polygon.len()];
        let (a, b) = (side(current), side(next));
        if a <= 0.0 {
            kept.push(current);
        }
        if (a < 0.0 && b > 0.0) || (a > 0.0 && b < 0.0) {
            kept.push(current + (next - current) * (a / (a - b)));
        }
    }
    if kept.len() < 3 || signed_area(&kept).abs() < 1e-12 { Vec::new() } else { kept }
}

/// The convex hull of points, counter-clockwise, without collinear points (Andrew's
/// monotone chain).
pub fn convex_hull(points: &[Point]) -> Vec<Point> {
    let mut sorted = points.to_vec();
    sorted.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    sorted.dedup();
    if sorted.len() < 3 {
        return sorted;
    }
    let turns_left = |hull: &[Point], p: Point| {
        let [.., a, b] = hull else { return true };
        (*b - *a).cross(p - *b) > 0.0
    };
    let mut lower: Vec<Point> = Vec::new();
    for &p in &sorted {
        while lower.len() >= 2 && !turns_left(&lower, p) {
            lower.pop();
        }
        lower.push(p);
    }
    let mut upper: Vec<Point> = Vec::new();
    for &p in sorted.iter().rev() {
        while upper.len() >= 2 && !turns_left(&upper, p) {
            upper.pop();
        }
        upper.push(p);
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

/// A regular polygon with `sides` sides around `centre` that contains the disc of
/// `radius` (its edges touch the circle), counter-clockwise.
pub fn regular_polygon(centre: Point, radius: f64, sides: usize) -> Vec<Point> {
    let corner = radius / (PI / sides as f64).cos();
    (0..sides)
        .map(|k| {
            let angle = TAU * (k as f64 + 0.5) / sides as f64;
            centre + Point::new(angle.cos(), angle.sin()) * corner
        })
        .collect()
}

/// A convex polygon grown outwards by `margin` in every direction (the Minkowski sum
/// with a regular polygon containing the disc of that radius).
pub fn grow(convex: &[Point], margin: f64, sides: usize) -> Vec<Point> {
    let round = regular_polygon(Point::new(0.0, 0.0), margin, sides);
    let corners: Vec<Point> = convex.iter().flat_map(|&p| round.iter().map(move |&r| p + r)).collect();
    convex_hull(&corners)
}

/// The part of a convex polygon inside the disc of `radius` around `centre`, the
/// disc drawn as a regular polygon of `sides` sides containing it.
pub fn clip_disc(convex: &[Point], centre: Point, radius: f64, sides: usize) -> Vec<Point> {
    let round = regular_polygon(centre, radius, sides);
    let mut kept = convex.to_vec();
    for (i, &a) in round.iter().enumerate() {
        let b = round[(i + 1) % sides];
        // Outward normal of a counter-clockwise edge: the edge turned right.
        let outward = Point::new(b.y - a.y, a.x - b.x);
        kept = clip_half_plane(&kept, a, outward);
        if kept.is_empty() {
            break;
        }
    }
    kept
}

/// Whether `p` is inside a ring (even–odd rule; any simple ring, either orientation).
pub fn contains(ring: &[Point], p: Point) -> bool {
    let mut inside = false;
    for (i, &a) in ring.iter().enumerate() {
        let b = ring[(i + 1) % ring.len()];
        if (a.y > p.y) != (b.y > p.y) && p.x < a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x) {
            inside = !inside;
        }
    }
    inside
}

/// The distance from `p` to the segment `a`–`b`, and where along it `p` projects
/// (0 at `a`, 1 at `b`, clamped).
pub fn to_segment(p: Point, a: Point, b: Point) -> (f64, f64) {
    let ab = b - a;
    let length2 = ab.dot(ab);
    let t = if length2 > 0.0 { ((p - a).dot(ab) / length2).clamp(0.0, 1.0) } else { 0.0 };
    (p.distance(a + ab * t), t)
}

/// The distance from `p` to the boundary of a ring.
pub fn distance_to_boundary(ring: &[Point], p: Point) -> f64 {
    (0..ring.len())
        .map(|i| to_segment(p, ring[i], ring[(i + 1) % ring.len()]).0)
        .fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(side: f64) -> Vec<Point> {
        vec![Point::new(0.0, 0.0), Point::new(side, 0.0), Point::new(side, side), Point::new(0.0, side)]
    }

    #[test]
    fn a_counter_clockwise_square_has_a_positive_area() {
        assert!((signed_area(&square(2.0)) - 4.0).abs() < 1e-12);
        let mut clockwise = square(2.0);
        clockwise.reverse();
        assert!((signed_area(&clockwise) + 4.0).abs() < 1e-12);
    }

    #[test]
    fn clipping_by_a_half_plane_keeps_the_side_away_from_the_normal() {
        let left = clip_half_plane(&square(2.0), Point::new(0.5, 0.0), Point::new(1.0, 0.0));
        assert!((signed_area(&left) - 1.0).abs() < 1e-12);
        assert!(clip_half_plane(&square(2.0), Point::new(-1.0, 0.0), Point::new(1.0, 0.0)).is_empty());
        assert_eq!(clip_half_plane(&square(2.0), Point::new(3.0, 0.0), Point::new(1.0, 0.0)).len(), 4);
    }

    #[test]
    fn the_hull_drops_inner_and_collinear_points() {
        let mut points = square(1.0);
        points.extend([Point::new(0.5, 0.5), Point::new(0.5, 0.0), Point::new(0.0, 0.0)]);
        let hull = convex_hull(&points);
        assert_eq!(hull.len(), 4);
        assert!(signed_area(&hull) > 0.0);
    }

    #[test]
    fn growing_a_square_adds_its_perimeter_times_the_margin_and_about_a_disc() {
        let grown = grow(&square(10.0), 1.0, 64);
        let expected = 100.0 + 40.0 + PI;
        assert!((signed_area(&grown) - expected).abs() < 0.01, "{}", signed_area(&grown));
    }

    #[test]
    fn a_disc_clip_of_a_large_square_is_about_the_disc() {
        let disc = clip_disc(&square(10.0), Point::new(5.0, 5.0), 2.0, 64);
        assert!((signed_area(&disc) - PI * 4.0).abs() < 0.02);
    }

    #[test]
    fn projection_round_trips_and_keeps_kilometres_square() {
        let projection = Projection::around(21.2, 104.1);
        let (lat, lon) = projection.unproject(projection.project(21.5, 103.7));
        assert!((lat - 21.5).abs() < 1e-12 && (lon - 103.7).abs() < 1e-12);
        // 0.1° of latitude and 0.1°/cos(lat) of longitude are the same distance.
        let north = projection.project(21.3, 104.1);
        let east = projection.project(21.2, 104.1 + 0.1 / 21.2_f64.to_radians().cos());
        assert!((north.distance(Point::new(0.0, 0.0)) - east.distance(Point::new(0.0, 0.0))).abs() < 1e-9);
        assert!((north.y - 11.12).abs() < 0.01, "{}", north.y);
    }

    #[test]
    fn containment_follows_the_even_odd_rule() {
        assert!(contains(&square(1.0), Point::new(0.5, 0.5)));
        assert!(!contains(&square(1.0), Point::new(1.5, 0.5)));
        assert!((distance_to_boundary(&square(2.0), Point::new(0.5, 1.0)) - 0.5).abs() < 1e-12);
    }
}
