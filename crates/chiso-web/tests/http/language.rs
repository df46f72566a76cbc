//! One language per page: error pages speak the reader's language inside the
//! site's layout, and a scan of the pages finds no tell-tale word of the other
//! language.

use crate::support::{ADMIN_PASSWORD, spawn};
use reqwest::StatusCode;

/// Words that give away English on a Vietnamese page, and Vietnamese on an English one.
const ENGLISH: &[&str] = &[
    " the ",
    "Page not found",
    "Total",
    "Published",
    "Overview",
    "Sign in",
    " units",
    "Something went wrong",
    "results",
    "bundled",
    "businesses",
    "teams",
    "members",
    "billion",
];
const VIETNAMESE: &[&str] = &[
    "Tổng",
    "đơn vị",
    "Không",
    "Công bố",
    "Đăng nhập",
    "điểm",
    "chỉ số",
    "năm ",
    "Kết quả",
    "đi kèm",
    "cuộc",
    "tin, bài",
];

/// The visible text of a page: tags, scripts' data attributes, the language
/// switch (which names both languages on purpose) and `<code>` (records shown as
/// they were written, like the audit log's JSON) left out.
fn visible_text(page: &str) -> String {
    let mut page = page.to_owned();
    while let (Some(start), Some(end)) = (page.find("<code"), page.find("</code>")) {
        if end < start {
            break;
        }
        page.replace_range(start..end + "</code>".len(), "");
    }
    let page = match (page.find("<span class=\"lang\""), page.find("</nav>")) {
        (Some(start), Some(end)) if start < end => format!("{}{}", &page[..start], &page[end..]),
        _ => page,
    };
    let mut text = String::new();
    let mut in_tag = false;
    for c in page.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

fn leaks(text: &str, words: &[&str]) -> Vec<String> {
    // File names are the same in both languages.
    let text = text.replace("units.csv", "");
    words.iter().filter(|w| text.contains(*w)).map(|w| (*w).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_pages_speak_the_readers_language_inside_the_layout() {
    let app = spawn().await;
    let (status, page) = app.browser().text("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("<html lang=\"vi\"") && page.contains("Không tìm thấy trang."), "{page}");
    assert!(page.contains("href=\"/monitoring\""), "the site's navigation: {page}");
    assert!(!page.contains("Page not found"), "no English on the Vietnamese 404");
    let (status, page) = app.browser().text("/no/such/page?lang=en").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("<html lang=\"en\"") && page.contains("Page not found."), "{page}");
    assert!(
        leaks(&visible_text(&page), VIETNAMESE).is_empty(),
        "{:?}",
        leaks(&visible_text(&page), VIETNAMESE)
    );
    // A signed-in person keeps their layout (name, sign-out) on an error page.
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let (status, page) = admin.text("/rounds/999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("action=\"/logout\""), "the signed-in layout: {page}");
    // The API still answers JSON.
    let (status, body) = app.browser().text("/api/v1/rounds/999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.starts_with('{'), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_pages_show_one_language() {
    let app = spawn().await;
    let pages = [
        "/",
        "/rounds/1",
        "/rounds/1/units/STTTT",
        "/rounds/1/units/116",
        "/rounds/1/map",
        "/monitoring",
        "/login",
        "/nope",
    ];
    let mut found = Vec::new();
    for path in pages {
        let (_, vi) = app.browser().text(path).await;
        let english = leaks(&visible_text(&vi), ENGLISH);
        if !english.is_empty() {
            found.push(format!("{path} (vi): {english:?}"));
        }
        let (_, en) =
            app.browser().text(&format!("{path}{}lang=en", if path.contains('?') { "&" } else { "?" })).await;
        let vietnamese = leaks(&visible_text(&en), VIETNAMESE);
        if !vietnamese.is_empty() {
            found.push(format!("{path} (en): {vietnamese:?}"));
        }
    }
    assert!(found.is_empty(), "words of the other language:\n{}", found.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_and_work_pages_show_one_language() {
    let app = crate::support::spawn_with(chiso_web::Bundled::WithRoundInPreparation).await;
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let prepared = app.store.rounds().await.unwrap().into_iter().find(|r| r.year == 2025).unwrap().id.0;
    let pages = [
        "/admin".to_owned(),
        "/admin/rounds/1".to_owned(),
        "/admin/users".to_owned(),
        "/admin/audit".to_owned(),
        "/admin/tokens".to_owned(),
        "/work".to_owned(),
        format!("/work/rounds/{prepared}"),
        format!("/work/rounds/{prepared}/units/STP"),
        format!("/work/rounds/{prepared}/units/03985"),
    ];
    let mut found = Vec::new();
    for path in &pages {
        let (status, vi) = admin.text(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let english = leaks(&visible_text(&vi), ENGLISH);
        if !english.is_empty() {
            found.push(format!("{path} (vi): {english:?}"));
        }
        let (_, en) = admin.text(&format!("{path}?lang=en")).await;
        let vietnamese = leaks(&visible_text(&en), VIETNAMESE);
        if !vietnamese.is_empty() {
            found.push(format!("{path} (en): {vietnamese:?}"));
        }
    }
    assert!(found.is_empty(), "words of the other language:\n{}", found.join("\n"));
}

/// Share and print: description and `og:` tags in the page's language; no empty
/// "change" column for a first round; a published round's admin page does not
/// call its results provisional.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_share_tags_and_no_column_without_data() {
    let app = spawn().await;
    let (_, vi) = app.browser().text("/").await;
    assert!(vi.contains("<meta property=\"og:title\" content=\"Chỉ số chuyển đổi số tỉnh Sơn La\">"), "{vi}");
    assert!(vi.contains("<meta name=\"description\"") && vi.contains("og:locale\" content=\"vi_VN\""));
    let (_, en) = app.browser().text("/?lang=en").await;
    assert!(
        en.contains("og:title\" content=\"Son La digital transformation index\"") && en.contains("en_US")
    );
    // Son La 2024 is the first published round: nothing to compare with.
    assert!(!vi.contains("Thay đổi") && !vi.contains("So với"), "no change column without an earlier round");
    let (_, card) = app.browser().text("/rounds/1/units/STTTT").await;
    assert!(!card.contains("data-testid=\"unit-change\""), "no change card without an earlier round");
    let admin = app.signed_in("admin", ADMIN_PASSWORD).await;
    let (_, page) = admin.text("/admin/rounds/1").await;
    assert!(!page.contains("Kết quả tạm tính") && page.contains("href=\"/rounds/1\""), "a published round");
}
