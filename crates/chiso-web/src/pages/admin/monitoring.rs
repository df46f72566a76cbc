//! Monitoring uploads: a KPI package, or observations.csv alone.

use super::{refused, store_errors};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::extract::{AdminUser, CsrfUpload};
use crate::pages::{PageCtx, see_other};
use crate::upload;
use axum::response::Response;
use chiso_io::Files;
use chiso_io::monitoring::{OBSERVATIONS_FILE, read_observations_with};
use chiso_store::{NewObservation, StoreError};
use std::collections::BTreeMap;

pub async fn upload_monitoring(
    ctx: PageCtx,
    AdminUser(who): AdminUser,
    CsrfUpload(form): CsrfUpload,
) -> Result<Response, AppError> {
    let only_observations = !form.files.is_empty()
        && form.files.iter().all(|(name, _)| name.rsplit(['/', '\\']).next() == Some(OBSERVATIONS_FILE));
    let result = if only_observations {
        add_observations_file(&ctx, &who, form.files).await
    } else {
        match upload::package_files(form.files, "kpis.toml", ctx.state.config.max_package_bytes()) {
            Ok(files) => ctx
                .state
                .store
                .import_monitoring(Files::Memory(files), who.actor())
                .await
                .map(|_| ())
                .map_err(|e| store_errors(&e, ctx.lang).ok_or(AppError::Store(e))),
            Err(problem) => Err(Ok(vec![problem.message(ctx.lang)])),
        }
    };
    match result {
        Ok(()) => Ok(see_other("/admin?notice=monitoring")),
        Err(Ok(errors)) => refused(&ctx, &who, errors).await,
        Err(Err(error)) => Err(error),
    }
}

type UploadResult = Result<(), Result<Vec<String>, AppError>>;

/// observations.csv alone: read against the stored catalogue, added all or nothing.
async fn add_observations_file(ctx: &PageCtx, who: &SignedIn, files: Vec<(String, Vec<u8>)>) -> UploadResult {
    let monitoring = ctx.state.store.monitoring().await.map_err(|e| Err(e.into()))?;
    let content = files.into_iter().next().map(|(_, c)| c).unwrap_or_default();
    let files = Files::Memory(BTreeMap::from([(OBSERVATIONS_FILE.to_owned(), content)]));
    let (observations, _) = read_observations_with(&files, &monitoring.catalogue)
        .map_err(|errors| Ok(errors.0.iter().map(|e| e.render(ctx.lang)).collect()))?;
    let rows: Vec<NewObservation> = observations
        .into_iter()
        .map(|o| NewObservation {
            kpi: monitoring.catalogue.kpis[o.kpi].code.clone(),
            scope: o.scope,
            period: o.period.to_string(),
            value: o.value,
            note: o.note,
        })
        .collect();
    ctx.state.store.add_observations(&rows, who.actor()).await.map(|_| ()).map_err(|e| match &e {
        StoreError::Refused(problems) => Ok(problems
            .iter()
            .map(|p| format!("{OBSERVATIONS_FILE}:{}: {}", p.row + 2, p.kind.message(ctx.lang)))
            .collect()),
        _ => Err(e.into()),
    })
}
