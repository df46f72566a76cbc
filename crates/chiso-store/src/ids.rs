//! Row identifiers, one type per table so a user id is never passed as a round id,
//! and [`Actor`]: who did a write, as the audit log records it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// An assessment round (đợt đánh giá).
    RoundId
);
id_type!(
    /// A publication (công bố kết quả) of a round's results.
    PublicationId
);
id_type!(
    /// A user account.
    UserId
);
id_type!(
    /// An API token.
    ApiTokenId
);
id_type!(
    /// A stored KPI observation.
    ObservationId
);
id_type!(
    /// A scheduled source of public-service records (a service-index feed).
    ServiceSourceId
);
id_type!(
    /// One pull of a service source, whatever its outcome.
    ServicePullId
);
id_type!(
    /// An immutable snapshot of the service index a pull computed.
    ServiceSnapshotId
);

/// Who did a write: written into the audit log as `user:3`, `token:2` or `system`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    /// The application itself (migrations, imports from the command line, clean-ups).
    System,
    User(UserId),
    Token(ApiTokenId),
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::System => f.write_str("system"),
            Actor::User(id) => write!(f, "user:{id}"),
            Actor::Token(id) => write!(f, "token:{id}"),
        }
    }
}

impl FromStr for Actor {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let id = |text: &str| text.parse::<i64>().map_err(|_| format!("not an actor: {s:?}"));
        match s.split_once(':') {
            None if s == "system" => Ok(Actor::System),
            Some(("user", n)) => Ok(Actor::User(UserId(id(n)?))),
            Some(("token", n)) => Ok(Actor::Token(ApiTokenId(id(n)?))),
            _ => Err(format!("not an actor: {s:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_read_back_as_written() {
        for actor in [Actor::System, Actor::User(UserId(3)), Actor::Token(ApiTokenId(2))] {
            assert_eq!(actor.to_string().parse::<Actor>(), Ok(actor));
        }
        assert_eq!(Actor::User(UserId(3)).to_string(), "user:3");
        assert!("user:x".parse::<Actor>().is_err());
        assert!("admin".parse::<Actor>().is_err());
    }
}
