//! The colours of the charts, the same in Word and PDF: bands from green (best)
//! to red (worst), KPI statuses by how urgently they call for action.

use chiso_core::Framework;
use chiso_core::kpi::Status;

/// Green, light green, blue, amber, orange, red (`RRGGBB`).
const SCALE: [&str; 6] = ["2E7D32", "7CB342", "1E88E5", "F9A825", "EF6C00", "C62828"];
/// For what has no colour of its own (no target, no data).
pub(crate) const GREY: &str = "9E9E9E";

/// Per band of `framework` (indexed like its bands), a colour spread over the
/// scale by the band's place: the best band green, the worst red.
pub(crate) fn band_colours(framework: &Framework) -> Vec<&'static str> {
    let count = framework.bands.len();
    framework
        .bands
        .iter()
        .map(|band| {
            // Place 0 for the best band, count - 1 for the worst.
            let place = framework.bands.iter().filter(|b| b.min > band.min).count();
            if count <= 1 {
                SCALE[0]
            } else {
                let at = (place * (SCALE.len() - 1) + (count - 1) / 2) / (count - 1);
                SCALE[at.min(SCALE.len() - 1)]
            }
        })
        .collect()
}

pub(crate) fn status_colour(status: Status) -> &'static str {
    match status {
        Status::Met | Status::OnTrack => SCALE[0],
        Status::AtRisk => SCALE[3],
        Status::OffTrack => SCALE[4],
        Status::Missed => SCALE[5],
        Status::NoTarget | Status::NoData => GREY,
    }
}
