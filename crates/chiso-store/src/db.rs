//! Small helpers over sqlx's `Any` driver: multi-row inserts and 0/1 booleans.

use crate::error::StoreError;
use sqlx::AnyConnection;
use sqlx::any::AnyArguments;
use sqlx::error::BoxDynError;

/// At most this many bound parameters per statement (SQLite allows 32766,
/// PostgreSQL 65535; smaller statements are cached better).
const MAX_PARAMETERS: usize = 900;

/// Inserts `items` with multi-row `INSERT … VALUES (…), (…)` statements. `head` is
/// `INSERT INTO table (a, b, c)`; `bind` adds exactly `width` arguments per item.
pub(crate) async fn insert_many<T>(
    conn: &mut AnyConnection,
    head: &'static str,
    width: usize,
    items: &[T],
    bind: impl Fn(&mut AnyArguments, &T) -> Result<(), BoxDynError>,
) -> Result<(), StoreError> {
    upsert_many(conn, head, "", width, items, bind).await
}

/// [`insert_many`] with a `tail` after the values, e.g. `ON CONFLICT … DO UPDATE …`
/// (the items must not repeat a key: PostgreSQL refuses to update a row twice).
pub(crate) async fn upsert_many<T>(
    conn: &mut AnyConnection,
    head: &'static str,
    tail: &'static str,
    width: usize,
    items: &[T],
    bind: impl Fn(&mut AnyArguments, &T) -> Result<(), BoxDynError>,
) -> Result<(), StoreError> {
    let per_statement = (MAX_PARAMETERS / width).max(1);
    for chunk in items.chunks(per_statement) {
        let sql = format!("{head} VALUES {} {tail}", placeholders(chunk.len(), width));
        let mut arguments = AnyArguments::default();
        for item in chunk {
            bind(&mut arguments, item).map_err(sqlx::Error::Encode)?;
        }
        sqlx::query_with(sqlx::AssertSqlSafe(sql), arguments).execute(&mut *conn).await?;
    }
    Ok(())
}

/// `($1, $2), ($3, $4)` for 2 rows of 2.
fn placeholders(rows: usize, width: usize) -> String {
    let mut sql = String::with_capacity(rows * width * 5);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..width {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(row * width + column + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

/// Runs CPU-bound work (parsing, scoring a package) on tokio's blocking pool, so
/// it does not stall the async workers that serve requests.
pub(crate) async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => std::panic::panic_any(format!("a blocking task was cancelled: {e}")),
    }
}

/// Booleans are stored as 0/1 integers (a SQLite BOOLEAN does not pass through `Any`).
pub(crate) fn flag(value: bool) -> i64 {
    i64::from(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_every_parameter() {
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholders(1, 1), "($1)");
    }
}
