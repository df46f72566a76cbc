//! What page handlers extract before they run, so that none of them repeats the
//! checks: who is asking and whether their role may use the route
//! ([`AdminUser`], [`StaffUser`], [`AppraiserUser`]), and forms whose CSRF token
//! and `Origin` have been checked ([`CsrfForm`], [`CsrfUpload`]); on a unit's
//! routes (`/work/rounds/{id}/units/{unit}/…`), the unit a person may see
//! ([`UnitReader`]) or edit ([`UnitEditor`]).
//!
//! Refusals are those of the handlers before: someone not signed in is sent to
//! the sign-in page (303), a wrong role is 403 ([`AppError::Forbidden`]), a form
//! posted from another site or without this session's token is 403
//! ([`AppError::Csrf`]). Axum runs the role extractor (request head) before the
//! form (body): the role is checked first, then the form is read, then its token.

use crate::auth::{SignedIn, cross_site};
use crate::error::AppError;
use crate::form;
use crate::state::AppState;
use crate::upload::{self, Upload};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use chiso_store::Role;
use serde::de::DeserializeOwned;

/// Refuses a form posted from another site or without this session's token.
pub fn check_form(who: &SignedIn, headers: &HeaderMap, token: &str) -> Result<(), AppError> {
    if cross_site(headers) {
        return Err(AppError::Csrf);
    }
    who.check_csrf(token)
}

/// The signed-in user, refused (403) unless their role is one of `roles`.
async fn signed_in_as(parts: &mut Parts, state: &AppState, roles: &[Role]) -> Result<SignedIn, AppError> {
    let who = SignedIn::from_request_parts(parts, state).await?;
    who.require(roles)?;
    Ok(who)
}

/// Who runs the application.
pub const ADMINS: &[Role] = &[Role::Admin];
/// Everyone but reporters.
pub const STAFF: &[Role] = &[Role::Admin, Role::Appraiser, Role::Viewer];
/// Who appraises.
pub const APPRAISERS: &[Role] = &[Role::Admin, Role::Appraiser];

/// A signed-in user whose role is one of a list: `AdminUser(who): AdminUser`.
macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, $roles:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub SignedIn);

        impl FromRequestParts<AppState> for $name {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
                signed_in_as(parts, state, $roles).await.map($name)
            }
        }
    };
}

role_extractor!(
    /// An administrator: runs the rounds' stages, publishes, manages users and tokens.
    AdminUser,
    ADMINS
);

role_extractor!(
    /// Everyone but reporters (admins, appraisers, viewers): they may see the
    /// administration's overview and a round's provisional results; a reporter sees
    /// only their own unit until publication.
    StaffUser,
    STAFF
);

role_extractor!(
    /// Who appraises submitted units: appraisers and admins.
    AppraiserUser,
    APPRAISERS
);

/// A bounded form ([`form::Form`]) posted by the signed-in user from this site
/// with this session's CSRF token (the field `csrf`, which `T` need not hold).
#[derive(Debug, Clone)]
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let who = SignedIn::from_request_parts(&mut parts, state).await?;
        let bytes = form::read_body(body).await?;
        let value = form::parse(&bytes)?;
        check_form(&who, &parts.headers, &form::field(&bytes, "csrf").unwrap_or_default())?;
        Ok(CsrfForm(value))
    }
}

/// A multipart form (files and fields, see [`upload::read`]) posted by the
/// signed-in user from this site with this session's CSRF token.
#[derive(Debug)]
pub struct CsrfUpload(pub Upload);

impl FromRequest<AppState> for CsrfUpload {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let who = SignedIn::from_request_parts(&mut parts, state).await?;
        let headers = parts.headers.clone();
        let multipart = Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
        let upload = upload::read(multipart).await?;
        check_form(&who, &headers, upload.field("csrf"))?;
        Ok(CsrfUpload(upload))
    }
}

/// A unit's route (`…/rounds/{id}/units/{unit}/…`) for someone who may see the unit:
/// everyone signed in but a reporter of another unit (403).
#[derive(Debug, Clone)]
pub struct UnitReader {
    pub who: SignedIn,
    pub id: i64,
    pub unit: String,
}

/// A unit's route for someone who may edit the unit's form: an admin, or the
/// unit's own reporter (403 for everyone else).
#[derive(Debug, Clone)]
pub struct UnitEditor {
    pub who: SignedIn,
    pub id: i64,
    pub unit: String,
}

async fn unit_route(parts: &mut Parts, state: &AppState) -> Result<(SignedIn, i64, String), AppError> {
    let who = SignedIn::from_request_parts(parts, state).await?;
    let axum::extract::Path((id, unit)) =
        axum::extract::Path::<(i64, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
    Ok((who, id, unit))
}

impl FromRequestParts<AppState> for UnitReader {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (who, id, unit) = unit_route(parts, state).await?;
        if who.user.role == Role::Reporter && who.user.unit_code.as_deref() != Some(unit.as_str()) {
            return Err(AppError::Forbidden);
        }
        Ok(UnitReader { who, id, unit })
    }
}

impl FromRequestParts<AppState> for UnitEditor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (who, id, unit) = unit_route(parts, state).await?;
        let may = match who.user.role {
            Role::Admin => true,
            Role::Reporter => who.user.unit_code.as_deref() == Some(unit.as_str()),
            _ => false,
        };
        if !may {
            return Err(AppError::Forbidden);
        }
        Ok(UnitEditor { who, id, unit })
    }
}
