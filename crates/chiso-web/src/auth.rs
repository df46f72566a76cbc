//! Who is asking: passwords (Argon2id), sessions in the database behind an
//! HttpOnly cookie, CSRF tokens for every form, API tokens, and roles.
//!
//! The cookie carries a random token; the database keeps only its SHA-256, so a
//! leaked database does not leak live sessions. Each session has its own CSRF
//! token, which every form posts back.

use crate::cookies;
use crate::error::AppError;
use crate::state::AppState;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, HOST, ORIGIN};
use axum::http::request::Parts;
use chiso_store::{Actor, ApiToken, NewSession, Role, Session, User};
use sha2::{Digest, Sha256};

/// Hashes a password with Argon2id and a random salt (a PHC string). Slow on
/// purpose: call it from `spawn_blocking`.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A fixed number of password hashes at once, and a queue of fixed size before
/// them: Argon2id holds ~19 MiB while it runs, so 200 parallel sign-ins must not
/// mean 200 hashes in memory. A request that finds the queue full is answered 503.
#[derive(Debug)]
pub struct PasswordGate {
    running: tokio::sync::Semaphore,
    admitted: tokio::sync::Semaphore,
}

impl PasswordGate {
    pub fn new(workers: usize, queue: usize) -> PasswordGate {
        let workers = workers.max(1);
        PasswordGate {
            running: tokio::sync::Semaphore::new(workers),
            admitted: tokio::sync::Semaphore::new(workers + queue),
        }
    }

    /// Runs `work` (a hash or a verification) on a blocking thread once a worker
    /// is free; `Busy` when the queue is full.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let _admitted = self.admitted.try_acquire().map_err(|_| AppError::Busy)?;
        let _running = self.running.acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(work).await.map_err(|e| AppError::Internal(e.to_string()))
    }
}

pub async fn hash_password_async(state: &AppState, password: String) -> Result<String, AppError> {
    state.passwords.run(move || hash_password(&password)).await?.map_err(AppError::Internal)
}

pub async fn verify_password_async(
    state: &AppState,
    hash: String,
    password: String,
) -> Result<bool, AppError> {
    state.passwords.run(move || verify_password(&hash, &password)).await
}

/// The client's address, for throttling sign-ins: the connection's peer, or the
/// last `X-Forwarded-For` entry (the one the trusted proxy added) with
/// `trust_proxy`. "unknown" when neither is there (a test calling the router).
pub fn client_address(
    parts_headers: &HeaderMap,
    extensions: &axum::http::Extensions,
    trust_proxy: bool,
) -> String {
    if trust_proxy
        && let Some(forwarded) = parts_headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(last) = forwarded.rsplit(',').next().map(str::trim).filter(|a| !a.is_empty())
        && let Ok(ip) = last.parse::<std::net::IpAddr>()
    {
        return ip.to_string();
    }
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string())
}

/// The client address of a request (see [`client_address`]).
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(&parts.headers, &parts.extensions, state.config.trust_proxy)))
    }
}

/// 32 random bytes as hex: session ids, CSRF tokens, API tokens.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    hex(&bytes)
}

pub fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// Bytes as lowercase hex (tokens, digests).
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The scope of an API token that may add KPI observations.
pub const OBSERVATIONS_WRITE: &str = "observations:write";

/// A signed-in user with their session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub session: Session,
}

impl SignedIn {
    pub fn actor(&self) -> Actor {
        Actor::User(self.user.id)
    }

    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin
    }

    /// Refuses (403) unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.user.role) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// Refuses (403) a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), AppError> {
        if same_secret(token, &self.session.csrf_token) { Ok(()) } else { Err(AppError::Csrf) }
    }
}

/// The user behind the request's session cookie, if any.
#[derive(Debug, Clone)]
pub struct MaybeSignedIn(pub Option<SignedIn>);

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Looked up once per request: a role extractor and a form's CSRF check
        // both ask.
        if let Some(known) = parts.extensions.get::<MaybeSignedIn>() {
            return Ok(known.clone());
        }
        let Some(token) = cookies::get(&parts.headers, cookies::SESSION) else {
            return Ok(MaybeSignedIn(None));
        };
        let found = state.store.session_user(&sha256_hex(token)).await?;
        let found = MaybeSignedIn(found.map(|(session, user)| SignedIn { user, session }));
        parts.extensions.insert(found.clone());
        Ok(found)
    }
}

/// A signed-in user; pages answer anyone else with a redirect to the login page.
impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let MaybeSignedIn(found) = MaybeSignedIn::from_request_parts(parts, state).await?;
        let next = parts.uri.path_and_query().map(|pq| pq.as_str().to_owned()).unwrap_or_default();
        found.ok_or(AppError::SignInRequired { next })
    }
}

/// Creates a session for `user`; returns the cookie to set.
pub async fn start_session(state: &AppState, user: &User) -> Result<String, AppError> {
    let token = random_token();
    let ttl = state.config.session_ttl_ms;
    state
        .store
        .create_session(&NewSession {
            id_hash: sha256_hex(&token),
            user_id: user.id,
            csrf_token: random_token(),
            expires_at: state.store.clock().now_ms() + ttl,
        })
        .await?;
    Ok(cookies::set(cookies::SESSION, &token, ttl / 1000, state.config.secure_cookies))
}

/// A cross-site form post: an `Origin` that is not this site. (Browsers send it
/// with every POST; its absence is left to the CSRF token.)
pub fn cross_site(headers: &HeaderMap) -> bool {
    let (Some(origin), Some(host)) = (headers.get(ORIGIN), headers.get(HOST)) else {
        return false;
    };
    let (Ok(origin), Ok(host)) = (origin.to_str(), host.to_str()) else {
        return true;
    };
    origin.split_once("://").map(|(_, rest)| rest) != Some(host)
}

/// The API token of an `Authorization: Bearer …` header, if valid and not revoked.
pub async fn bearer_token(state: &AppState, headers: &HeaderMap) -> Result<Option<ApiToken>, AppError> {
    let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    let Some(token) = value.strip_prefix("Bearer ").map(str::trim) else {
        return Ok(None);
    };
    let found = state.store.active_api_token(&sha256_hex(token)).await?;
    if let Some(token) = &found {
        state.store.touch_api_token(token.id).await?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("mật khẩu đúng").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "mật khẩu đúng"));
        assert!(!verify_password(&hash, "mật khẩu sai"));
        assert!(!verify_password("not a hash", "x"));
    }

    #[test]
    fn tokens_are_random_and_secrets_compare_exactly() {
        assert_ne!(random_token(), random_token());
        assert_eq!(random_token().len(), 64);
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }

    #[test]
    fn cross_site_posts_are_recognised_by_their_origin() {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, "127.0.0.1:8080".parse().unwrap());
        assert!(!cross_site(&headers));
        headers.insert(ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(!cross_site(&headers));
        headers.insert(ORIGIN, "https://evil.example".parse().unwrap());
        assert!(cross_site(&headers));
    }
}
