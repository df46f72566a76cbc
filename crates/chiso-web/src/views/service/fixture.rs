//! A small service folder in text, and the index document `chiso_io` computes from
//! it: two departments and two communes (one named with markup; the others with
//! codes of Son La's 2025 units, so that rounds give them English names), February and
//! March 2025, without `disliked` and petitions.csv (6.1–6.3 lack their inputs).
//! Shared by the unit tests of the page models and the HTTP tests.

#![allow(dead_code)]

use chiso_core::Lang;
use chiso_io::feed::NoProgress;
use chiso_io::service::document::ServiceIndexDocument;
use chiso_io::service::{ServiceOptions, Source, Sources, read_sources};

pub const HOSTILE: &str = "Phường <script>alert(1)</script>";

pub const UNITS: &str = "code,name,level,e_certified_copy\n\
    STP,Sở Tư pháp,department,\n\
    STC,Sở Tài chính,department,\n\
    03664,Phường Chiềng An,commune,có\n\
    XB,\"Phường <script>alert(1)</script>\",commune,\n";

pub const PROCEDURES: &str = "code,unit,online,fee,paper_result,citizen,complete,effective,announced,published\n\
    P1,STP,full,yes,yes,yes,yes,2025-02-03,2025-02-17,2025-02-18\n\
    P2,STC,partial,no,no,yes,no,,,\n\
    P3,03664,full,no,yes,yes,yes,,,\n\
    P4,XB,none,no,no,yes,yes,,,\n";

pub const DOSSIERS: &str = "id,unit,procedure,channel,received,due,finished,digitized,synced,fee_due,paid_online,e_result,attached,reused,data_store,population_data\n\
    F1,STP,P1,online,2025-02-03T08:00,2025-02-10T17:00,2025-02-05T10:00,yes,yes,yes,yes,yes,yes,yes,yes,yes\n\
    F2,STC,P2,offline,2025-02-04T08:00,2025-02-11T17:00,2025-02-20T10:00,yes,no,no,no,no,no,no,no,no\n\
    F3,03664,P3,online,2025-02-05T08:00,2025-02-12T17:00,2025-02-06T10:00,yes,yes,no,no,yes,yes,no,no,yes\n\
    F4,XB,P4,offline,2025-02-06T08:00,2025-02-13T17:00,2025-02-07T10:00,yes,yes,no,no,no,no,no,no,no\n\
    M1,STP,P1,online,2025-03-03T08:00,2025-03-10T17:00,2025-03-04T10:00,yes,yes,yes,yes,yes,yes,yes,yes,yes\n\
    M2,STP,P1,offline,2025-03-04T08:00,2025-03-11T17:00,2025-03-20T10:00,yes,no,yes,no,no,yes,no,no,no\n\
    M3,STC,P2,offline,2025-03-05T08:00,2025-03-12T17:00,2025-03-06T10:00,yes,yes,no,no,no,yes,no,no,yes\n\
    M4,03664,P3,online,2025-03-05T08:00,2025-03-12T17:00,2025-03-06T10:00,yes,yes,no,no,yes,yes,yes,yes,yes\n\
    M5,XB,P4,offline,2025-03-06T08:00,2025-03-13T17:00,,yes,no,no,no,no,no,no,no,no\n";

/// The document of the folder, names as `chiso service-index --lang LANG` writes them.
pub fn document(lang: Lang) -> ServiceIndexDocument {
    let sources = Sources {
        units: Source::text("units.csv", UNITS),
        procedures: Source::text("procedures.csv", PROCEDURES),
        dossiers: Source::text("dossiers.csv", DOSSIERS),
        petitions: None,
    };
    let run = read_sources(sources, &ServiceOptions::default(), &NoProgress)
        .unwrap_or_else(|e| panic!("the fixture is a valid service folder: {e}"));
    ServiceIndexDocument::new(&run.index, lang, None)
}

/// The same as JSON, as a snapshot stores it.
pub fn json(lang: Lang) -> String {
    serde_json::to_string(&document(lang)).unwrap_or_else(|e| panic!("{e}"))
}
