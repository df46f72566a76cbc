//! The store's clock. Every instant it writes (created_at, expires_at checks, the
//! audit log's `at`) comes from here, so tests can move time.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Unix time in milliseconds, from the system or from a function the caller gives.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock(Arc::new(|| SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)))
    }

    /// A clock that always says `ms`.
    pub fn fixed(ms: i64) -> Clock {
        Clock(Arc::new(move || ms))
    }

    /// A clock read from `now` (e.g. an `AtomicI64` a test moves forward).
    pub fn from_fn(now: impl Fn() -> i64 + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(now))
    }

    /// Now, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Clock(now = {})", self.now_ms())
    }
}
