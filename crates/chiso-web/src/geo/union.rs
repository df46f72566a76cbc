//! The union of cells that tile a region without overlapping (the Voronoi cells of a
//! district's communes): the edges two cells of the same group share cancel out, and
//! the edges left are chained into the group's outline. Exact for such tilings; not a
//! general polygon union (overlapping polygons are not merged).

use super::plane::{self, Point};

/// Points closer than this (kilometres: a millimetre) are the same corner.
const WELD_KM: f64 = 1e-6;

/// A polygon with holes: its outer ring counter-clockwise, each hole clockwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub outer: Vec<Point>,
    pub holes: Vec<Vec<Point>>,
}

/// The outline of each group of pieces. `pieces` are counter-clockwise polygons that
/// do not overlap; `group_of[i]` is piece i's group (`None`: in no group, but still
/// part of the tiling, so its corners split the edges of its neighbours). Returns,
/// per group `0..groups`, its shapes (several when the pieces are not connected).
pub fn union_by_group(pieces: &[Vec<Point>], group_of: &[Option<usize>], groups: usize) -> Vec<Vec<Shape>> {
    let corners = Corners::weld(pieces);
    // Each piece as corner ids, with the corners of other pieces that lie on its
    // edges inserted (so that shared edges match exactly, even where a neighbour was
    // split in two).
    let rings: Vec<Vec<usize>> = pieces.iter().map(|piece| corners.ring_with_inserts(piece)).collect();
    (0..groups)
        .map(|group| {
            let mut edges: Vec<(usize, usize)> = Vec::new();
            for (ring, _) in rings.iter().zip(group_of).filter(|(_, g)| **g == Some(group)) {
                for (i, &a) in ring.iter().enumerate() {
                    let b = ring[(i + 1) % ring.len()];
                    // An edge whose reverse is there already is shared: both go.
                    match edges.iter().position(|&e| e == (b, a)) {
                        Some(shared) => {
                            edges.swap_remove(shared);
                        }
                        None => edges.push((a, b)),
                    }
                }
            }
            shapes(&chain(edges), &corners.points)
        })
        .collect()
}

/// Every corner of the pieces once (corners within `WELD_KM` are one).
struct Corners {
    points: Vec<Point>,
}

impl Corners {
    fn weld(pieces: &[Vec<Point>]) -> Self {
        let mut points: Vec<Point> = Vec::new();
        for &p in pieces.iter().flatten() {
            if !points.iter().any(|&q| q.distance(p) < WELD_KM) {
                points.push(p);
            }
        }
        Self { points }
    }

    fn id(&self, p: Point) -> usize {
        self.points
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.distance(p).total_cmp(&b.1.distance(p)))
            .map_or(0, |(i, _)| i)
    }

    fn ring_with_inserts(&self, piece: &[Point]) -> Vec<usize> {
        let ids: Vec<usize> = piece.iter().map(|&p| self.id(p)).collect();
        let mut ring = Vec::with_capacity(ids.len());
        for (i, &a) in ids.iter().enumerate() {
            let b = ids[(i + 1) % ids.len()];
            ring.push(a);
            let (pa, pb) = (self.points[a], self.points[b]);
            let mut between: Vec<(f64, usize)> = self
                .points
                .iter()
                .enumerate()
                .filter(|&(c, _)| c != a && c != b)
                .filter_map(|(c, &p)| {
                    let (distance, t) = plane::to_segment(p, pa, pb);
                    (distance < WELD_KM && t > 0.0 && t < 1.0).then_some((t, c))
                })
                .collect();
            between.sort_by(|x, y| x.0.total_cmp(&y.0));
            ring.extend(between.into_iter().map(|(_, c)| c));
        }
        ring.dedup();
        if ring.len() > 1 && ring.first() == ring.last() {
            ring.pop();
        }
        ring
    }
}

/// Directed edges chained into closed rings of corner ids.
fn chain(mut edges: Vec<(usize, usize)>) -> Vec<Vec<usize>> {
    let mut rings = Vec::new();
    while let Some((start, mut at)) = edges.pop() {
        let mut ring = vec![start];
        while at != start {
            ring.push(at);
            match edges.iter().position(|&(from, _)| from == at) {
                Some(next) => at = edges.swap_remove(next).1,
                None => break, // not closed: cannot happen for a tiling; drop it
            }
        }
        if at == start && ring.len() >= 3 {
            rings.push(ring);
        }
    }
    rings
}

/// Rings of corner ids as shapes: counter-clockwise rings are outlines, clockwise
/// ones holes of the smallest outline around them. Corners where a ring goes
/// straight on are dropped.
fn shapes(rings: &[Vec<usize>], points: &[Point]) -> Vec<Shape> {
    let mut outers: Vec<Shape> = Vec::new();
    let mut holes: Vec<Vec<Point>> = Vec::new();
    for ring in rings {
        let ring = without_straight_corners(ring.iter().map(|&i| points[i]).collect());
        let area = plane::signed_area(&ring);
        if area > 1e-9 {
            outers.push(Shape { outer: ring, holes: Vec::new() });
        } else if area < -1e-9 {
            holes.push(ring);
        }
    }
    for hole in holes {
        let inside = outers
            .iter_mut()
            .filter(|s| {
                hole.iter().all(|&p| {
                    plane::contains(&s.outer, p) || plane::distance_to_boundary(&s.outer, p) < WELD_KM
                })
            })
            .min_by(|a, b| plane::signed_area(&a.outer).total_cmp(&plane::signed_area(&b.outer)));
        if let Some(shape) = inside {
            shape.holes.push(hole);
        }
    }
    outers
}

fn without_straight_corners(ring: Vec<Point>) -> Vec<Point> {
    let n = ring.len();
    let kept: Vec<Point> = (0..n)
        .filter(|&i| {
            let (before, at, after) = (ring[(i + n - 1) % n], ring[i], ring[(i + 1) % n]);
            let (distance, _) = plane::to_segment(at, before, after);
            distance > WELD_KM
        })
        .map(|i| ring[i])
        .collect();
    if kept.len() >= 3 { kept } else { ring }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::plane::signed_area;

    fn square(x: f64, y: f64, side: f64) -> Vec<Point> {
        vec![
            Point::new(x, y),
            Point::new(x + side, y),
            Point::new(x + side, y + side),
            Point::new(x, y + side),
        ]
    }

    #[test]
    fn two_neighbouring_squares_become_one_rectangle() {
        let shapes = union_by_group(&[square(0.0, 0.0, 1.0), square(1.0, 0.0, 1.0)], &[Some(0), Some(0)], 1);
        assert_eq!(shapes[0].len(), 1);
        assert_eq!(shapes[0][0].outer.len(), 4, "{:?}", shapes[0][0].outer);
        assert!((signed_area(&shapes[0][0].outer) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn a_ring_of_eight_squares_has_a_hole_where_the_ninth_belongs_elsewhere() {
        let pieces: Vec<Vec<Point>> = (0..9).map(|i| square((i % 3) as f64, (i / 3) as f64, 1.0)).collect();
        let groups: Vec<Option<usize>> = (0..9).map(|i| Some(usize::from(i == 4))).collect();
        let shapes = union_by_group(&pieces, &groups, 2);
        assert_eq!(shapes[0].len(), 1);
        assert_eq!(shapes[0][0].holes.len(), 1);
        assert!((signed_area(&shapes[0][0].outer) - 9.0).abs() < 1e-12);
        assert!((signed_area(&shapes[0][0].holes[0]) + 1.0).abs() < 1e-12);
        assert_eq!(shapes[1].len(), 1);
    }

    #[test]
    fn an_edge_split_by_a_neighbour_still_cancels() {
        // A wide bottom square under two half squares: the top edge of the bottom one
        // has the corner of the two halves in its middle.
        let pieces = vec![
            vec![Point::new(0.0, 0.0), Point::new(2.0, 0.0), Point::new(2.0, 1.0), Point::new(0.0, 1.0)],
            square(0.0, 1.0, 1.0),
            square(1.0, 1.0, 1.0),
        ];
        let shapes = union_by_group(&pieces, &[Some(0), Some(0), None], 1);
        assert_eq!(shapes[0].len(), 1);
        assert!((signed_area(&shapes[0][0].outer) - 3.0).abs() < 1e-12);
        assert_eq!(shapes[0][0].outer.len(), 6);
    }

    #[test]
    fn pieces_apart_stay_separate_shapes() {
        let shapes = union_by_group(&[square(0.0, 0.0, 1.0), square(3.0, 0.0, 1.0)], &[Some(0), Some(0)], 1);
        assert_eq!(shapes[0].len(), 2);
    }
}
