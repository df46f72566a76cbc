//! The first start of an empty database: the bundled Son La round (published) and
//! monitoring package, and the first admin account.

use crate::auth::{hash_password, random_token};
use crate::bundled;
use crate::error::AppError;
use chiso_store::{Actor, NewUser, Role, Store};

/// What the first start did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstStart {
    /// The database already had users: nothing was done.
    AlreadyInitialised,
    /// Son La imported, admin created; the password given by the caller was used.
    Initialised,
    /// As above with a generated password, to be shown once.
    InitialisedWithPassword(String),
}

pub const FIRST_ADMIN: &str = "admin";

/// What a first start puts into an empty database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundled {
    /// The Son La 2024 round, published, and the monitoring package.
    Published,
    /// As above, and the 2025 round in preparation (stage draft, no values): what
    /// `chiso serve` does, so the province can open 2025 at once.
    WithRoundInPreparation,
    /// `chiso serve --demo`: the 2025 round filled with generated demo values and
    /// published under a decision that says so, to show a filled year and its
    /// change on 2024 restated through lineage, and the public-service index of
    /// generated service records (the source `chiso-demo`). Never the default.
    Demo,
}

/// On an empty database (no users): imports and publishes the bundled Son La 2024
/// round, imports the Son La monitoring package, creates the 2025 round in
/// preparation if asked, and creates the user `admin` with `admin_password` or a
/// generated password.
pub async fn first_start(
    store: &Store,
    admin_password: Option<String>,
    bundled: Bundled,
) -> Result<FirstStart, AppError> {
    if !store.users().await?.is_empty() {
        return Ok(FirstStart::AlreadyInitialised);
    }
    if store.rounds().await?.is_empty() {
        let round = store.import_round(bundled::sonla_2024(), Actor::System).await?;
        store.publish_round(round, bundled::SONLA_2024_DECISION, Actor::System).await?;
        store.import_monitoring(bundled::sonla_monitoring(), Actor::System).await?;
        match bundled {
            Bundled::Published => {}
            Bundled::WithRoundInPreparation => {
                store.create_workflow_round(bundled::sonla_2025(), Actor::System).await?;
            }
            Bundled::Demo => {
                let round = store.import_round(bundled::sonla_2025_demo()?, Actor::System).await?;
                store.publish_round(round, bundled::DEMO_DECISION, Actor::System).await?;
                let seeded = crate::feeds::seed_demo(store).await?;
                if let crate::feeds::PullReport::Failed(error) = seeded {
                    return Err(AppError::Internal(error.message(chiso_core::Lang::En)));
                }
            }
        }
    }
    let generated = admin_password.is_none();
    let password = admin_password.unwrap_or_else(|| random_token()[..20].to_owned());
    let hash = tokio::task::spawn_blocking(move || hash_password(&password).map(|hash| (hash, password)))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::Internal)?;
    let (password_hash, password) = hash;
    store
        .create_user(
            &NewUser {
                username: FIRST_ADMIN.into(),
                display_name: "Quản trị viên".into(),
                password_hash,
                role: Role::Admin,
                unit_code: None,
            },
            Actor::System,
        )
        .await?;
    Ok(if generated { FirstStart::InitialisedWithPassword(password) } else { FirstStart::Initialised })
}
