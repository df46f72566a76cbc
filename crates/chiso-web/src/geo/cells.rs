//! Approximate areas from centres: the province's extent around a set of centres, a
//! Voronoi cell per centre clipped to it, and the trimming of the outer cells to the
//! province's published area. No boundary data is involved: these are the areas
//! nearest to each administrative centre, nothing official.

use super::plane::{self, Point};

/// Sides of the polygons that stand for circles (rounded hull corners, trimming
/// discs): fine enough to look round at the map's scale, few enough to stay small.
const ROUND_SIDES: usize = 48;

/// The province's extent: the convex hull of all known centres, grown outwards by
/// `margin` kilometres (so that border units get an area beyond their centre).
pub fn extent(centres: &[Point], margin: f64) -> Vec<Point> {
    plane::grow(&plane::convex_hull(centres), margin, ROUND_SIDES)
}

/// The median distance from a centre to its nearest other centre: the typical
/// spacing of units, used for the extent's margin.
pub fn median_nearest_neighbour(centres: &[Point]) -> f64 {
    let mut nearest: Vec<f64> = centres
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            centres
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, &q)| p.distance(q))
                .fold(f64::INFINITY, f64::min)
        })
        .filter(|d| d.is_finite())
        .collect();
    nearest.sort_by(f64::total_cmp);
    nearest.get(nearest.len() / 2).copied().unwrap_or(0.0)
}

/// The Voronoi cell of every site inside a convex extent: the points of the extent
/// nearer to that site than to any other, made by clipping the extent by the
/// perpendicular bisector of the site and each other site (exact, and quick for the
/// few hundred sites of a province). Cells are convex, counter-clockwise, and tile
/// the extent; a site outside the extent or equal to an earlier one gets an empty
/// cell.
pub fn voronoi(sites: &[Point], extent: &[Point]) -> Vec<Vec<Point>> {
    sites
        .iter()
        .enumerate()
        .map(|(i, &site)| {
            // Nearest sites first: once the cell's farthest corner is closer than half
            // the way to the next site, no farther site can cut it.
            let mut others: Vec<(f64, usize)> = sites
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(j, &o)| (site.distance(o), j))
                .collect();
            others.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut cell = extent.to_vec();
            for (distance, j) in others {
                let reach = cell.iter().map(|&p| site.distance(p)).fold(0.0, f64::max);
                if distance > 2.0 * reach {
                    break;
                }
                if distance == 0.0 {
                    if j < i {
                        return Vec::new();
                    }
                    continue;
                }
                let other = sites[j];
                cell = plane::clip_half_plane(&cell, (site + other) * 0.5, other - site);
                if cell.is_empty() {
                    break;
                }
            }
            cell
        })
        .collect()
}

/// Trims the cells that reach the extent's edge: each is cut by the disc around its
/// centre through its farthest corner shared with other cells (a Voronoi vertex).
///
/// The convex extent covers more than the province, whose outline is not convex;
/// without trimming, a border unit's cell runs out to the hull, often far from its
/// centre. The disc keeps every edge between two cells up to its last shared corner,
/// so inner cells are untouched and no gap opens inside; only the parts of outer
/// cells beyond all their neighbours are rounded off. Parameter-free; for Son La it
/// brings the area from about 26 % to about 15 % above the published one.
pub fn trim_outer_cells(cells: &[Vec<Point>], sites: &[Point], extent: &[Point]) -> Vec<Vec<Point>> {
    cells
        .iter()
        .zip(sites)
        .map(|(cell, &site)| {
            let farthest = |on_edge: bool| {
                cell.iter()
                    .filter(|&&p| on_edge || plane::distance_to_boundary(extent, p) > 1e-6)
                    .map(|&p| site.distance(p))
                    .fold(0.0, f64::max)
            };
            let (shared, all) = (farthest(false), farthest(true));
            if shared <= 0.0 || shared >= all {
                cell.clone()
            } else {
                plane::clip_disc(cell, site, shared, ROUND_SIDES)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::plane::{contains, signed_area};

    fn grid(n: usize, spacing: f64) -> Vec<Point> {
        (0..n * n)
            .map(|i| Point::new((i % n) as f64 * spacing + 0.3 * (i / n) as f64, (i / n) as f64 * spacing))
            .collect()
    }

    #[test]
    fn voronoi_cells_tile_the_extent_and_hold_their_sites() {
        let sites = grid(5, 10.0);
        let outline = extent(&sites, 5.0);
        let cells = voronoi(&sites, &outline);
        let sum: f64 = cells.iter().map(|c| signed_area(c)).sum();
        assert!((sum - signed_area(&outline)).abs() < 1e-6, "{sum} vs {}", signed_area(&outline));
        for (cell, &site) in cells.iter().zip(&sites) {
            assert!(signed_area(cell) > 0.0);
            assert!(contains(cell, site));
        }
    }

    #[test]
    fn a_repeated_site_leaves_the_later_one_empty() {
        let sites = vec![Point::new(0.0, 0.0), Point::new(10.0, 0.0), Point::new(0.0, 0.0)];
        let cells = voronoi(&sites, &extent(&sites, 5.0));
        assert!(!cells[0].is_empty() && !cells[1].is_empty() && cells[2].is_empty());
    }

    #[test]
    fn the_median_nearest_neighbour_is_the_spacing_of_a_grid() {
        assert!((median_nearest_neighbour(&grid(4, 10.0)) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn trimming_rounds_off_outer_cells_and_spares_inner_ones() {
        let sites = grid(5, 10.0);
        let outline = extent(&sites, 10.0);
        let cells = voronoi(&sites, &outline);
        let trimmed = trim_outer_cells(&cells, &sites, &outline);
        // The middle site (2, 2) is surrounded: its cell is the same.
        assert!((signed_area(&trimmed[12]) - signed_area(&cells[12])).abs() < 1e-9);
        // A corner site's cell is smaller, and still holds its site.
        assert!(signed_area(&trimmed[0]) < signed_area(&cells[0]) - 1.0);
        for ((cell, before), &site) in trimmed.iter().zip(&cells).zip(&sites) {
            assert!(contains(cell, site));
            assert!(signed_area(cell) <= signed_area(before) + 1e-9);
        }
    }
}
