//! A running app and clients that sign in like a browser.

use chiso_store::{Actor, NewUser, Role, Store, UserId};
use chiso_web::{AppState, WebConfig};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use std::collections::BTreeMap;
use tempfile::TempDir;

pub const ADMIN_PASSWORD: &str = "admin-password";
pub const PASSWORD: &str = "user-password";

pub struct TestApp {
    pub base: String,
    pub store: Store,
    _dir: TempDir,
}

/// Starts the app on a free port with a fresh database, as `chiso serve` does on
/// its first start (Son La imported and published, user `admin`).
pub async fn spawn() -> TestApp {
    spawn_with(chiso_web::Bundled::Published).await
}

/// The same with what the first start bundles: `chiso serve` also prepares 2025.
pub async fn spawn_with(bundled: chiso_web::Bundled) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("chiso.db").display());
    spawn_bundled(&url, dir, bundled).await
}

/// The same on the database `url` names (which must be empty).
pub async fn spawn_on(url: &str, dir: TempDir) -> TestApp {
    spawn_bundled(url, dir, chiso_web::Bundled::Published).await
}

async fn spawn_bundled(url: &str, dir: TempDir, bundled: chiso_web::Bundled) -> TestApp {
    let store = Store::connect(url).await.unwrap();
    store.migrate().await.unwrap();
    chiso_web::first_start(&store, Some(ADMIN_PASSWORD.into()), bundled).await.unwrap();
    let state = AppState::new(store.clone(), WebConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(chiso_web::serve(listener, state, std::future::pending()));
    TestApp { base, store, _dir: dir }
}

impl TestApp {
    /// A running app's address, store and data folder (for tests that start the
    /// app with settings of their own).
    pub fn from_parts(base: String, store: Store, dir: TempDir) -> TestApp {
        TestApp { base, store, _dir: dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client that keeps cookies and does not follow redirects.
    pub fn browser(&self) -> Browser {
        let client = Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
        Browser { client, base: self.base.clone(), csrf: String::new() }
    }

    pub async fn add_user(&self, username: &str, role: Role, unit: Option<&str>) -> UserId {
        let password_hash = chiso_web::hash_password(PASSWORD).unwrap();
        let user = NewUser {
            username: username.into(),
            display_name: format!("Tên {username}"),
            password_hash,
            role,
            unit_code: unit.map(str::to_owned),
        };
        self.store.create_user(&user, Actor::System).await.unwrap()
    }

    /// A browser signed in as `username`.
    pub async fn signed_in(&self, username: &str, password: &str) -> Browser {
        let mut browser = self.browser();
        let response = browser.login(username, password).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "signing in as {username}");
        browser.refresh_csrf().await;
        browser
    }
}

pub struct Browser {
    pub client: Client,
    pub base: String,
    /// The session's CSRF token, read from a page's form.
    pub csrf: String,
}

/// The value of the first hidden `csrf` input of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).map(|i| i + marker.len()).expect("a csrf field");
    html[start..].split('"').next().unwrap().to_owned()
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn text(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        (response.status(), response.text().await.unwrap())
    }

    pub async fn login(&mut self, username: &str, password: &str) -> Response {
        let (_, page) = self.text("/login").await;
        let token = csrf_of(&page);
        self.client
            .post(self.url("/login"))
            .form(&[
                ("csrf", token.as_str()),
                ("username", username),
                ("password", password),
                ("next", "/admin"),
            ])
            .send()
            .await
            .unwrap()
    }

    /// Reads the session's token from the layout's sign-out form (every role may see /work).
    pub async fn refresh_csrf(&mut self) {
        let (status, page) = self.text("/work").await;
        assert_eq!(status, StatusCode::OK);
        self.csrf = csrf_of(&page);
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut form: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.client.post(self.url(path)).form(&form).send().await.unwrap()
    }

    /// Posts files as multipart, with the session's CSRF token.
    pub async fn post_files(&self, path: &str, files: &BTreeMap<String, Vec<u8>>) -> Response {
        let mut form = reqwest::multipart::Form::new().text("csrf", self.csrf.clone());
        for (name, content) in files {
            form =
                form.part("files", reqwest::multipart::Part::bytes(content.clone()).file_name(name.clone()));
        }
        self.client.post(self.url(path)).multipart(form).send().await.unwrap()
    }
}

pub fn location(response: &Response) -> String {
    response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// The files of data/sonla/2024, with `edit` applied to (path, text).
pub fn sonla_files(edit: impl Fn(&str, String) -> String) -> BTreeMap<String, Vec<u8>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sonla/2024");
    ["assessment.toml", "frameworks/provincial.toml", "frameworks/district.toml", "units.csv", "values.csv"]
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(format!("{root}/{path}")).unwrap();
            (path.to_owned(), edit(path, text).into_bytes())
        })
        .collect()
}

/// The 2024 package as a 2025 round.
pub fn sonla_2025() -> BTreeMap<String, Vec<u8>> {
    sonla_files(|path, text| {
        if path == "assessment.toml" {
            text.replace("year = 2024", "year = 2025")
                .replace("năm 2024", "năm 2025")
                .replace(", 2024", ", 2025")
        } else {
            text
        }
    })
}

pub fn zip(folder: &str, files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut buffer);
    for (name, content) in files {
        writer.start_file(format!("{folder}/{name}"), zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut writer, content).unwrap();
    }
    writer.finish().unwrap();
    buffer.into_inner()
}
