//! A deterministic generator of feed files (with quoting, the three time
//! spellings, blank lines, CRLF and, on request, bad rows) and a naive reference
//! aggregator — the `csv` crate, every row in one map, one thread — to compare
//! `run_feed` with byte for byte.

use crate::feed::{FeedKind, Granularity};
use chiso_core::kpi::days_in_month;
use std::collections::{BTreeSet, HashMap};

/// splitmix64: small, deterministic.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Unit codes as written in the file (quoted where needed) and as meant.
const UNITS: &[(&str, &str)] = &[
    ("116", "116"),
    ("STTTT", "STTTT"),
    ("UB-XA", "UB-XA"),
    ("Sở TTTT", "Sở TTTT"),
    ("\"Phường 1, Q3\"", "Phường 1, Q3"),
    ("\"Sở \"\"A\"\"\"", "Sở \"A\""),
    (" 117 ", "117"),
    ("010", "010"),
];

/// A time as the generator writes it, in one of the accepted spellings.
fn time(rng: &mut Rng) -> String {
    let (y, m) = (2023 + rng.below(3), 1 + rng.below(12));
    let d = 1 + rng.below(u64::from(days_in_month(y as i32, m as u8)));
    let (h, mi, s) = (rng.below(24), rng.below(60), rng.below(60));
    spell(y, m, d, h, mi, s, rng)
}

fn spell(y: u64, m: u64, d: u64, h: u64, mi: u64, s: u64, rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => format!("{y}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}"),
        1 if s == 0 => format!("{y}-{m:02}-{d:02}T{h:02}:{mi:02}"),
        _ => format!("{y}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}"),
    }
}

/// A bad variant of a row's fields, one spec rule broken.
fn spoil(fields: &mut Vec<String>, kind: FeedKind, rng: &mut Rng) {
    let time = match kind {
        FeedKind::Dossiers => 4 + rng.below(3) as usize,
        FeedKind::Documents => 3,
    };
    let last = fields.len() - 1;
    match rng.below(8) {
        0 => {
            fields.pop();
        }
        1 => fields.push("extra".into()),
        2 => fields[1] = "  ".into(),
        3 => {
            fields[time] = rng.pick(&["2024-13-01T00:00:00", "2023-02-29T10:00", "2024-01-01", "soon"]).into()
        }
        4 => fields[time] = "2024-02-30T10:00:00".into(),
        5 => fields[last] = "maybe".into(),
        6 if kind == FeedKind::Dossiers => fields[3] = "fax".into(),
        6 => fields[2] = "sideways".into(),
        _ if kind == FeedKind::Dossiers => fields[5] = String::new(),
        _ => fields[3] = String::new(),
    }
}

/// A feed of `rows` rows (plus blank lines), with bad rows when `bad`.
pub fn generate(kind: FeedKind, seed: u64, rows: usize, bad: bool) -> String {
    let mut rng = Rng::new(seed);
    let crlf = rng.chance(30);
    let end = if crlf { "\r\n" } else { "\n" };
    let columns: Vec<&str> = kind.columns().to_vec();
    // Sometimes the columns come in another order, with an extra one.
    let mut order: Vec<usize> = (0..columns.len()).collect();
    let extra = rng.chance(40);
    if rng.chance(50) {
        order.reverse();
        order.swap(0, 1);
    }
    let mut out = String::new();
    if rng.chance(20) {
        out.push('\u{feff}');
    }
    let mut header: Vec<&str> = order.iter().map(|&i| columns[i]).collect();
    if extra {
        header.insert(1, "remark");
    }
    out.push_str(&header.join(","));
    out.push_str(end);
    for n in 0..rows {
        if rng.chance(2) {
            out.push_str(rng.pick(&["", "  ", ",,,,,,,,"]));
            out.push_str(end);
        }
        let mut fields = match kind {
            FeedKind::Dossiers => dossier_fields(n, &mut rng),
            FeedKind::Documents => document_fields(n, &mut rng),
        };
        if bad && rng.chance(4) {
            spoil(&mut fields, kind, &mut rng);
        }
        let mut row: Vec<String> = order.iter().filter_map(|&i| fields.get(i).cloned()).collect();
        if fields.len() > columns.len() {
            row.extend(fields[columns.len()..].iter().cloned());
        }
        if extra {
            row.insert(1.min(row.len()), rng.pick(&["", "ghi chú", "\"a, b\""]).into());
        }
        out.push_str(&row.join(","));
        if n + 1 < rows || rng.chance(70) {
            out.push_str(end);
        }
    }
    out
}

fn id(n: usize, rng: &mut Rng, prefix: &str) -> String {
    if rng.chance(10) { format!("\"{prefix},{n:06}\"") } else { format!("{prefix}-{n:06}") }
}

fn unit(rng: &mut Rng) -> String {
    UNITS[rng.below(UNITS.len() as u64) as usize].0.to_string()
}

fn dossier_fields(n: usize, rng: &mut Rng) -> Vec<String> {
    let received = time(rng);
    let (y, m, d) = (2023 + rng.below(3), 1 + rng.below(12), 1 + rng.below(28));
    let (h, mi) = (8 + rng.below(10), 15 * rng.below(4));
    let due = spell(y, m, d, h, mi, 0, rng);
    let finished = match rng.below(10) {
        0..=2 => String::new(),
        3 => spell(y, m, d, h, mi, 0, rng),
        4 => spell(y, m, d, h, mi, 1, rng),
        5 => spell(y, m, d, h, mi.saturating_sub(1), 59, rng),
        _ => time(rng),
    };
    let channel = rng.pick(&["online", "online", "offline", "Online", " offline"]).to_string();
    let digitized =
        rng.pick(&["true", "false", "1", "0", "có", "không", "x", "TRUE", "no", "yes"]).to_string();
    let procedure = rng.pick(&["1.004227", "2.001", "\"1,2\""]).to_string();
    vec![id(n, rng, "HS"), unit(rng), procedure, channel, received, due, finished, digitized]
}

fn document_fields(n: usize, rng: &mut Rng) -> Vec<String> {
    let direction = rng.pick(&["out", "out", "in", "OUT"]).to_string();
    let signed = match rng.below(8) {
        0 if direction == "in" => String::new(),
        _ => rng.pick(&["true", "false", "1", "có", "không"]).to_string(),
    };
    vec![id(n, rng, "VB"), unit(rng), direction, time(rng), signed]
}

/// What the reference found.
#[derive(Debug)]
pub struct Reference {
    pub csv: String,
    pub rows: u64,
    pub bad_lines: Vec<u64>,
}

type Time = (u32, u32, u32, u32, u32, u32);

fn reference_time(text: &str) -> Option<Time> {
    let text = text.replacen(' ', "T", 1);
    let (date, clock) = text.split_once('T')?;
    let number = |s: &str, len: usize| -> Option<u32> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    let date: Vec<&str> = date.split('-').collect();
    let clock: Vec<&str> = clock.split(':').collect();
    if date.len() != 3 || !(clock.len() == 2 || clock.len() == 3) {
        return None;
    }
    let (y, m, d) = (number(date[0], 4)?, number(date[1], 2)?, number(date[2], 2)?);
    let (h, mi) = (number(clock[0], 2)?, number(clock[1], 2)?);
    let s = if clock.len() == 3 { number(clock[2], 2)? } else { 0 };
    let valid = (1..=12).contains(&m)
        && d >= 1
        && d <= u32::from(days_in_month(y as i32, m as u8))
        && h < 24
        && mi < 60
        && s < 60;
    valid.then_some((y, m, d, h, mi, s))
}

fn reference_period(t: Time, granularity: Granularity) -> String {
    match granularity {
        Granularity::Month => format!("{:04}-{:02}", t.0, t.1),
        Granularity::Quarter => format!("{:04}-Q{}", t.0, (t.1 - 1) / 3 + 1),
        Granularity::Year => format!("{:04}", t.0),
    }
}

/// One good row: unit, period time, and its counts (a fixed-size array per kind).
fn reference_row(kind: FeedKind, get: &dyn Fn(&str) -> String) -> Option<(String, Time, [u64; 5])> {
    let unit = get("unit");
    if unit.is_empty() {
        return None;
    }
    let boolean = |s: &str| chiso_core::rule::parse_boolean(s);
    match kind {
        FeedKind::Dossiers => {
            let online = match get("channel").to_lowercase().as_str() {
                "online" => 1,
                "offline" => 0,
                _ => return None,
            };
            let received = reference_time(&get("received"))?;
            let due = reference_time(&get("due"))?;
            let finished = get("finished");
            let (fin, on_time) =
                if finished.is_empty() { (0, 0) } else { (1, u64::from(reference_time(&finished)? <= due)) };
            let digitized = u64::from(boolean(&get("digitized"))?);
            Some((unit, received, [1, online, fin, on_time, digitized]))
        }
        FeedKind::Documents => {
            let out = match get("direction").to_lowercase().as_str() {
                "out" => true,
                "in" => false,
                _ => return None,
            };
            let sent = reference_time(&get("sent"))?;
            let signed = get("signed");
            let signed = if !out && signed.is_empty() { false } else { boolean(&signed)? };
            let counts = if out { [1, u64::from(signed), 0, 0, 0] } else { [0, 0, 1, 0, 0] };
            Some((unit, sent, counts))
        }
    }
}

fn reference_value(kind: FeedKind, kpi: usize, c: &[u64; 5]) -> Option<String> {
    let rate = |n: u64, d: u64| (d > 0).then(|| format!("{}", n as f64 * 100.0 / d as f64));
    match (kind, kpi) {
        (FeedKind::Dossiers, 0) => Some(c[0].to_string()),
        (FeedKind::Dossiers, 1) => rate(c[1], c[0]),
        (FeedKind::Dossiers, 2) => rate(c[3], c[2]),
        (FeedKind::Dossiers, 3) => rate(c[4], c[0]),
        (FeedKind::Documents, 0) => Some(c[0].to_string()),
        (FeedKind::Documents, 1) => rate(c[1], c[0]),
        (_, _) => Some(c[2].to_string()),
    }
}

/// The observations the spec asks for, computed the plain way.
pub fn reference(kind: FeedKind, text: &str, granularity: Granularity) -> Reference {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header =
        records.next().and_then(Result::ok).map(|r| r.iter().map(str::to_string).collect::<Vec<_>>());
    let header: Vec<String> = header
        .unwrap_or_default()
        .into_iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let mut counts: HashMap<(String, String), [u64; 5]> = HashMap::new();
    let (mut rows, mut bad_lines) = (0, Vec::new());
    let (bytes, mut counted, mut line) = (text.as_bytes(), 0, 1);
    for record in records {
        let Ok(record) = record else { panic!("the generator writes valid CSV") };
        if record.iter().all(str::is_empty) {
            continue;
        }
        rows += 1;
        // By byte offset: the csv crate's own line count slips on blank CRLF lines
        // (and its offset may point at the line break before the record).
        let mut byte = record.position().map_or(0, |p| p.byte() as usize);
        while matches!(bytes.get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        line += bytes[counted..byte].iter().filter(|&&b| b == b'\n').count() as u64;
        counted = byte;
        let get = |name: &str| {
            let i = header.iter().position(|h| h == name).unwrap_or(usize::MAX);
            record.get(i).unwrap_or("").to_string()
        };
        let good = if record.len() == header.len() { reference_row(kind, &get) } else { None };
        let Some((unit, time, c)) = good else {
            bad_lines.push(line);
            continue;
        };
        let period = reference_period(time, granularity);
        for scope in ["province".to_string(), unit] {
            let slot = counts.entry((scope, period.clone())).or_default();
            for (s, c) in slot.iter_mut().zip(c) {
                *s += c;
            }
        }
    }
    let units: BTreeSet<String> = counts.keys().map(|(u, _)| u.clone()).filter(|u| u != "province").collect();
    let periods: BTreeSet<String> = counts.keys().map(|(_, p)| p.clone()).collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    let write =
        |w: &mut csv::Writer<Vec<u8>>, row: [&str; 5]| w.write_record(row).unwrap_or_else(|e| panic!("{e}"));
    write(&mut writer, ["kpi", "scope", "period", "value", "note"]);
    let scopes: Vec<String> = std::iter::once("province".to_string()).chain(units).collect();
    for (k, code) in kind.kpis().iter().enumerate() {
        for scope in &scopes {
            for period in &periods {
                let Some(c) = counts.get(&(scope.clone(), period.clone())) else { continue };
                if let Some(value) = reference_value(kind, k, c) {
                    write(&mut writer, [code, scope, period, &value, ""]);
                }
            }
        }
    }
    let bytes = writer.into_inner().unwrap_or_else(|e| panic!("{e}"));
    Reference { csv: String::from_utf8(bytes).unwrap_or_default(), rows, bad_lines }
}
