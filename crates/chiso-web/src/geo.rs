//! Where units are on the map: an approximate area for each of Son La's 75 communes of
//! 2025 and its 12 districts of 2024, as GeoJSON for the map page. A unit is found by
//! its code: a district code (`116`) or a commune code (`03646`).
//!
//! No licensed boundary data is available, so the areas are **built from the
//! administrative centres** (data/vn-admin) and are not official boundaries; the page
//! says so. How:
//!
//! - Everything is computed on a plane around the province ([`plane::Projection`]:
//!   longitude corrected by the cosine of the latitude, distances in km).
//! - The province's extent is the convex hull of every known Son La centre (the 75
//!   communes of 2025 and the 12 district centres of 2024), grown by half the median
//!   distance between neighbouring communes.
//! - Each 2025 commune gets its Voronoi cell in that extent (the points nearer to its
//!   centre than to any other commune's). The hull covers more than the province,
//!   whose outline is not convex, so the cells on the edge are then rounded off
//!   beyond their last neighbour ([`cells::trim_outer_cells`]): all cells together
//!   cover about 15 % more than the province's published area (the sum of the
//!   communes' `area_km2`), instead of 26 % for the bare extent.
//! - A 2024 district is the union of the cells of the 2025 communes its communes
//!   became (data/sonla/2025/lineage.csv). The 2024 communes have no centres of their
//!   own in the data, so this is the finest division available, and it gives both
//!   years the same outline. The one 2025 commune formed from two districts (03985
//!   Xã Chiềng Sơn: Mộc Châu and Vân Hồ) has its cell divided between them by the
//!   perpendicular bisector of the two district centres. A district's name goes on
//!   its centre, or, should that fall in another district's area, on the centre of
//!   its commune nearest to it.
//!
//! Everything is built once, on first use.

mod cells;
mod plane;
mod union;

use plane::{Point, Projection};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::LazyLock;
use union::Shape;

const SONLA_2024: &str = include_str!("../../../data/vn-admin/sonla-2024-communes.csv");
const COMMUNES_2025: &str = include_str!("../../../data/vn-admin/communes-2025.csv");
const LINEAGE_2025: &str = include_str!("../../../data/sonla/2025/lineage.csv");
/// Son La's province code, before and after 2025.
const SON_LA: &str = "14";

/// A unit's approximate area, in the projected plane.
#[derive(Debug)]
struct Area {
    /// The administrative centre, where the map puts the unit's name.
    centre: Point,
    shapes: Vec<Shape>,
}

#[derive(Debug)]
struct Areas {
    projection: Projection,
    by_code: HashMap<String, Area>,
}

static AREAS: LazyLock<Areas> = LazyLock::new(build);

/// The area of a unit as a GeoJSON feature named by the unit's code, if the unit is a
/// Son La commune of 2025 or district of 2024.
pub fn feature(code: &str) -> Option<Feature> {
    let areas = &*AREAS;
    let area = areas.by_code.get(code)?;
    let lon_lat = |p: Point| {
        let (lat, lon) = areas.projection.unproject(p);
        [round5(lon), round5(lat)]
    };
    let ring = |points: &[Point]| -> Vec<[f64; 2]> {
        points.iter().chain(points.first()).map(|&p| lon_lat(p)).collect()
    };
    let mut polygons: Vec<Vec<Vec<[f64; 2]>>> = area
        .shapes
        .iter()
        .map(|shape| std::iter::once(ring(&shape.outer)).chain(shape.holes.iter().map(|h| ring(h))).collect())
        .collect();
    let geometry = if polygons.len() == 1 {
        Geometry::Polygon { coordinates: polygons.remove(0) }
    } else {
        Geometry::MultiPolygon { coordinates: polygons }
    };
    Some(Feature {
        kind: "Feature",
        properties: FeatureProperties { name: code.to_owned(), cp: lon_lat(area.centre) },
        geometry,
    })
}

/// How much narrower a degree of longitude is than one of latitude over the province
/// (ECharts' `aspectScale` for a lon/lat map).
pub fn aspect() -> f64 {
    AREAS.projection.aspect()
}

fn round5(degrees: f64) -> f64 {
    (degrees * 1e5).round() / 1e5
}

/// GeoJSON (RFC 7946) as ECharts' `registerMap` reads it.
#[derive(Debug, Clone, Serialize)]
pub struct FeatureCollection {
    #[serde(rename = "type")]
    kind: &'static str,
    pub features: Vec<Feature>,
}

impl FeatureCollection {
    pub fn new(features: Vec<Feature>) -> Self {
        Self { kind: "FeatureCollection", features }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Feature {
    #[serde(rename = "type")]
    kind: &'static str,
    properties: FeatureProperties,
    geometry: Geometry,
}

/// `name`: the unit's code (the map's region name); `cp`: where ECharts puts the
/// region's label, [lon, lat] of the administrative centre.
#[derive(Debug, Clone, Serialize)]
struct FeatureProperties {
    name: String,
    cp: [f64; 2],
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type")]
enum Geometry {
    Polygon { coordinates: Vec<Vec<[f64; 2]>> },
    MultiPolygon { coordinates: Vec<Vec<Vec<[f64; 2]>>> },
}

/// A commune of 2025: code and centre.
struct Commune<'a> {
    code: &'a str,
    lat: f64,
    lon: f64,
}

/// Son La's communes of 2025 (communes-2025.csv: province_code, province, code, name,
/// type, lat, lon, area_km2; no field holds a comma).
fn communes_2025() -> Vec<Commune<'static>> {
    COMMUNES_2025
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            match fields[..] {
                [SON_LA, _, code, _, _, lat, lon, _] => {
                    Some(Commune { code, lat: lat.parse().ok()?, lon: lon.parse().ok()? })
                }
                _ => None,
            }
        })
        .collect()
}

/// Son La's districts of 2024 and their centres (sonla-2024-communes.csv:
/// district_code, district, district_type, district_lat, district_lon, code, name,
/// type; one row per commune), in file order.
fn districts_2024() -> Vec<(&'static str, f64, f64)> {
    let mut districts: Vec<(&str, f64, f64)> = Vec::new();
    for line in SONLA_2024.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        if let [code, _, _, lat, lon, ..] = fields[..]
            && let (Ok(lat), Ok(lon)) = (lat.parse(), lon.parse())
            && !districts.iter().any(|d| d.0 == code)
        {
            districts.push((code, lat, lon));
        }
    }
    districts
}

/// The 2024 districts each 2025 commune came from (lineage.csv: from_year, from_code,
/// to_code, kind, weight).
fn districts_of_communes() -> HashMap<&'static str, Vec<&'static str>> {
    let mut of: HashMap<&str, Vec<&str>> = HashMap::new();
    for line in LINEAGE_2025.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        if let ["2024", district, commune, ..] = fields[..] {
            of.entry(commune).or_default().push(district);
        }
    }
    of
}

fn build() -> Areas {
    let communes = communes_2025();
    let districts = districts_2024();
    let all = || communes.iter().map(|c| (c.lat, c.lon)).chain(districts.iter().map(|d| (d.1, d.2)));
    let count = all().count().max(1) as f64;
    let projection =
        Projection::around(all().map(|p| p.0).sum::<f64>() / count, all().map(|p| p.1).sum::<f64>() / count);
    let sites: Vec<Point> = communes.iter().map(|c| projection.project(c.lat, c.lon)).collect();
    let centres: Vec<Point> = all().map(|(lat, lon)| projection.project(lat, lon)).collect();
    let extent = cells::extent(&centres, cells::median_nearest_neighbour(&sites) / 2.0);
    let cells = cells::trim_outer_cells(&cells::voronoi(&sites, &extent), &sites, &extent);

    let mut by_code: HashMap<String, Area> = HashMap::new();
    for ((commune, cell), &centre) in communes.iter().zip(&cells).zip(&sites) {
        if !cell.is_empty() {
            let shape = Shape { outer: cell.clone(), holes: Vec::new() };
            by_code.insert(commune.code.to_owned(), Area { centre, shapes: vec![shape] });
        }
    }
    let district_centres: Vec<Point> = districts.iter().map(|d| projection.project(d.1, d.2)).collect();
    let pieces = district_pieces(&communes, &cells, &sites, &districts, &district_centres);
    let polygons: Vec<Vec<Point>> = pieces.iter().map(|p| p.polygon.clone()).collect();
    let group_of: Vec<Option<usize>> = pieces.iter().map(|p| p.district).collect();
    let unions = union::union_by_group(&polygons, &group_of, districts.len());
    for (d, (district, shapes)) in districts.iter().zip(unions).enumerate() {
        if shapes.is_empty() {
            continue;
        }
        let centre = district_centres[d];
        let inside = shapes.iter().any(|s| {
            plane::contains(&s.outer, centre) && !s.holes.iter().any(|h| plane::contains(h, centre))
        });
        let label = if inside {
            centre
        } else {
            pieces
                .iter()
                .filter(|p| p.district == Some(d) && plane::contains(&p.polygon, p.site))
                .map(|p| p.site)
                .min_by(|a, b| a.distance(centre).total_cmp(&b.distance(centre)))
                .unwrap_or(centre)
        };
        by_code.insert(district.0.to_owned(), Area { centre: label, shapes });
    }
    Areas { projection, by_code }
}

/// A commune's cell, or part of it, as a piece of a 2024 district.
struct Piece {
    polygon: Vec<Point>,
    /// The commune's centre (outside a part that does not hold it).
    site: Point,
    district: Option<usize>,
}

/// The commune cells as pieces of the 2024 districts: a commune's cell belongs to
/// the district its communes came from; a commune formed from several districts has
/// its cell divided between them, each part the points nearer to that district's
/// centre than to the others'.
fn district_pieces(
    communes: &[Commune],
    cells: &[Vec<Point>],
    sites: &[Point],
    districts: &[(&str, f64, f64)],
    district_centres: &[Point],
) -> Vec<Piece> {
    let lineage = districts_of_communes();
    let mut pieces = Vec::new();
    for ((commune, cell), &site) in
        communes.iter().zip(cells).zip(sites).filter(|((_, cell), _)| !cell.is_empty())
    {
        let from: Vec<usize> = lineage
            .get(commune.code)
            .into_iter()
            .flatten()
            .filter_map(|code| districts.iter().position(|d| d.0 == *code))
            .collect();
        if from.len() <= 1 {
            pieces.push(Piece { polygon: cell.clone(), site, district: from.first().copied() });
            continue;
        }
        for &d in &from {
            let mut part = cell.clone();
            for &other in from.iter().filter(|&&o| o != d) {
                let (a, b) = (district_centres[d], district_centres[other]);
                part = plane::clip_half_plane(&part, (a + b) * 0.5, b - a);
            }
            if !part.is_empty() {
                pieces.push(Piece { polygon: part, site, district: Some(d) });
            }
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use plane::{contains, signed_area};

    fn area_km2(code: &str) -> f64 {
        AREAS.by_code[code]
            .shapes
            .iter()
            .map(|s| signed_area(&s.outer) + s.holes.iter().map(|h| signed_area(h)).sum::<f64>())
            .sum()
    }

    fn inside(code: &str, p: Point) -> bool {
        AREAS.by_code[code]
            .shapes
            .iter()
            .any(|s| contains(&s.outer, p) && !s.holes.iter().any(|h| contains(h, p)))
    }

    fn codes(len: usize) -> Vec<&'static str> {
        let mut codes: Vec<&str> =
            AREAS.by_code.keys().map(String::as_str).filter(|c| c.len() == len).collect();
        codes.sort_unstable();
        codes
    }

    /// Points on a 2 km grid over the province.
    fn samples() -> Vec<Point> {
        (-80..=80).flat_map(|i| (-80..=80).map(move |j| Point::new(i as f64 * 2.0, j as f64 * 2.0))).collect()
    }

    #[test]
    fn every_commune_of_2025_and_district_of_2024_has_an_area() {
        assert_eq!(codes(5).len(), 75);
        assert_eq!(
            codes(3),
            ["116", "118", "119", "120", "121", "122", "123", "124", "125", "126", "127", "128"]
        );
        for code in codes(5).into_iter().chain(codes(3)) {
            assert!(area_km2(code) > 1.0, "{code}: {}", area_km2(code));
        }
        assert!(
            feature("STTTT").is_none() && feature("00004").is_none(),
            "agencies and other provinces have none"
        );
    }

    #[test]
    fn each_centre_and_label_lies_in_its_own_area() {
        for code in codes(5).into_iter().chain(codes(3)) {
            assert!(inside(code, AREAS.by_code[code].centre), "{code}");
        }
        // A district's label is on its own centre, unless that is in another district.
        for (code, lat, lon) in districts_2024() {
            let centre = AREAS.projection.project(lat, lon);
            assert!(AREAS.by_code[code].centre == centre || !inside(code, centre), "{code}");
        }
    }

    /// The communes' published areas (communes-2025.csv, column area_km2), summed.
    fn published_km2() -> f64 {
        COMMUNES_2025
            .lines()
            .filter(|line| line.starts_with("14,"))
            .filter_map(|line| line.rsplit(',').next()?.parse::<f64>().ok())
            .sum()
    }

    #[test]
    fn communes_tile_the_province_without_overlap_and_cover_its_published_area() {
        let published = published_km2();
        assert!((published - 13_859.1).abs() < 1.0, "{published}");
        let total: f64 = codes(5).iter().map(|c| area_km2(c)).sum();
        assert!(total > published && total < 1.2 * published, "{total} km² vs {published} km²");
        // The union of all cells is one piece without holes: no gaps inside.
        let cells: Vec<Vec<Point>> =
            codes(5).iter().map(|c| AREAS.by_code[*c].shapes[0].outer.clone()).collect();
        let outline = union::union_by_group(&cells, &vec![Some(0); cells.len()], 1).remove(0);
        assert_eq!(outline.len(), 1, "the province is one piece");
        assert!(outline[0].holes.is_empty(), "holes inside the province");
        assert!((signed_area(&outline[0].outer) - total).abs() < 1e-6 * total);
        let mut covered = 0;
        for p in samples() {
            let containing = codes(5).into_iter().filter(|c| inside(c, p)).count();
            let expected = usize::from(contains(&outline[0].outer, p));
            assert_eq!(containing, expected, "{p:?} is in {containing} communes");
            covered += expected;
        }
        assert!(covered > 3000, "{covered} sample points inside");
    }

    #[test]
    fn districts_are_unions_of_their_communes_and_do_not_overlap() {
        let communes: f64 = codes(5).iter().map(|c| area_km2(c)).sum();
        let districts: f64 = codes(3).iter().map(|c| area_km2(c)).sum();
        assert!((communes - districts).abs() < 1e-6 * communes, "{communes} vs {districts}");
        for p in samples() {
            let in_communes = codes(5).into_iter().filter(|c| inside(c, p)).count();
            let in_districts = codes(3).into_iter().filter(|c| inside(c, p)).count();
            assert_eq!(in_districts, in_communes, "{p:?}");
        }
        // Xã Chiềng Sơn (03985) came from Mộc Châu (123) and Vân Hồ (128): its centre is
        // in one of them, and both districts reach into its cell.
        let centre = AREAS.by_code["03985"].centre;
        assert!(inside("123", centre) || inside("128", centre));
    }

    #[test]
    fn features_are_closed_lon_lat_rings_named_by_code() {
        let json = serde_json::to_value(FeatureCollection::new(vec![feature("03646").unwrap()])).unwrap();
        assert_eq!(json["type"], "FeatureCollection");
        let feature = &json["features"][0];
        assert_eq!(feature["properties"]["name"], "03646");
        assert_eq!(feature["geometry"]["type"], "Polygon");
        let ring = feature["geometry"]["coordinates"][0].as_array().unwrap();
        assert_eq!(ring.first(), ring.last());
        for point in ring {
            let (lon, lat) = (point[0].as_f64().unwrap(), point[1].as_f64().unwrap());
            assert!((103.0..105.5).contains(&lon) && (20.4..22.3).contains(&lat), "{lon}, {lat}");
        }
        assert!((aspect() - 21.2_f64.to_radians().cos()).abs() < 0.01);
    }
}
