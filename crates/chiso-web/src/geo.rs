//! Where units are: district centres of Son La's 2024 districts and the centres of
//! all 3,321 communes of Vietnam after the 2025 reorganisation (data/vn-admin,
//! copied from the project's shared facts). A unit is placed by its code: a
//! district code (`116`) or a commune code (`03646`).

use std::collections::HashMap;
use std::sync::LazyLock;

const SONLA_2024: &str = include_str!("../../../data/vn-admin/sonla-2024-communes.csv");
const COMMUNES_2025: &str = include_str!("../../../data/vn-admin/communes-2025.csv");

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    pub lat: f64,
    pub lon: f64,
}

static PLACES: LazyLock<HashMap<String, Place>> = LazyLock::new(|| {
    let mut places = HashMap::new();
    // district_code,district,district_type,district_lat,district_lon,code,name,type
    for line in SONLA_2024.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        if let (Some(code), Some(lat), Some(lon)) = (fields.first(), fields.get(3), fields.get(4))
            && let (Ok(lat), Ok(lon)) = (lat.parse(), lon.parse())
        {
            places.entry((*code).to_owned()).or_insert(Place { lat, lon });
        }
    }
    // province_code,province,code,name,type,lat,lon,area_km2 (no field holds a comma)
    for line in COMMUNES_2025.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        if let (Some(code), Some(lat), Some(lon)) = (fields.get(2), fields.get(5), fields.get(6))
            && let (Ok(lat), Ok(lon)) = (lat.parse(), lon.parse())
        {
            places.entry((*code).to_owned()).or_insert(Place { lat, lon });
        }
    }
    places
});

pub fn locate(code: &str) -> Option<Place> {
    PLACES.get(code).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_son_la_districts_and_communes() {
        let city = locate("116").unwrap();
        assert!((city.lat - 21.326902).abs() < 1e-9 && (city.lon - 103.914387).abs() < 1e-9);
        assert!(locate("00004").is_some(), "Phường Ba Đình, Hà Nội");
        assert_eq!(locate("STTTT"), None);
        assert!(PLACES.len() > 3300);
    }
}
