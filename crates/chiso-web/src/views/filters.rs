//! What the search box and "formerly part of" filter of a long table need
//! (templates/filters.html; static/app.js does the filtering).

use chiso_core::{Lang, Names};
use std::collections::HashMap;

/// A row's former units as the filter matches them: codes, space-separated.
pub fn former_codes(former: &[(String, Names)]) -> String {
    former.iter().map(|(code, _)| code.as_str()).collect::<Vec<_>>().join(" ")
}

/// The former units that at least two rows came from, by name: what 75 communes
/// are filtered by (their former districts). A unit that merely continues one
/// predecessor (a merged department) offers nothing to filter by.
pub fn former_options<'a>(
    rows: impl IntoIterator<Item = &'a [(String, Names)]>,
    lang: Lang,
) -> Vec<(String, String)> {
    let mut counts: HashMap<&str, (usize, &str)> = HashMap::new();
    for former in rows {
        for (code, names) in former {
            counts.entry(code.as_str()).or_insert((0, names.get(lang))).0 += 1;
        }
    }
    let mut options: Vec<(String, String)> = counts
        .into_iter()
        .filter(|(_, (count, _))| *count >= 2)
        .map(|(code, (_, name))| (code.to_owned(), name.to_owned()))
        .collect();
    options.sort_by(|a, b| a.1.cmp(&b.1));
    options
}
