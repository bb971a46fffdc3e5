//! Which platform of a provider served by this data dir (the sandbox) each side of a
//! task is on. Recorded when the task is created, so that resuming or rolling it back
//! reaches that platform wherever it listens now, even after its ports changed.

use serde::{Deserialize, Serialize};

use crate::spec::{EndpointSpec, TaskSpec};

/// Where the platforms of a local provider listen (the sandbox's `ports.json`).
pub trait Places: Send + Sync {
    /// The platform `ep` points at now, if it is one of these (by its stable name).
    fn platform_at(&self, ep: &EndpointSpec) -> Option<String>;
    /// `ep` pointed at where `platform` listens now: IMAP and groupware ports.
    /// `None` when that platform is unknown here (the endpoint is left as recorded).
    fn locate(&self, platform: &str, ep: &EndpointSpec) -> Option<EndpointSpec>;
}

/// The platform each side is on, when it is a platform of the local provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SidePlatforms {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
}

impl SidePlatforms {
    pub fn is_empty(&self) -> bool {
        self.source.is_none() && self.destination.is_none()
    }

    /// Name the platforms `spec`'s sides point at now.
    pub fn of(places: &dyn Places, spec: &TaskSpec) -> SidePlatforms {
        SidePlatforms {
            source: places.platform_at(&spec.source),
            destination: places.platform_at(&spec.destination),
        }
    }

    /// Point the named sides of `spec` at where their platforms listen now; true
    /// when an endpoint changed.
    pub fn relocate(&self, places: &dyn Places, spec: &mut TaskSpec) -> bool {
        let mut changed = false;
        for (name, ep) in [
            (&self.source, &mut spec.source),
            (&self.destination, &mut spec.destination),
        ] {
            let Some(now) = name.as_deref().and_then(|n| places.locate(n, ep)) else {
                continue;
            };
            if now != *ep {
                *ep = now;
                changed = true;
            }
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::ServerType;
    use mailshift_net::Security;

    /// One platform, "mx-1", listening on `port`.
    struct One(u16);

    impl Places for One {
        fn platform_at(&self, ep: &EndpointSpec) -> Option<String> {
            (ep.host == "127.0.0.1" && ep.port == self.0).then(|| "mx-1".to_string())
        }
        fn locate(&self, platform: &str, ep: &EndpointSpec) -> Option<EndpointSpec> {
            (platform == "mx-1").then(|| EndpointSpec {
                port: self.0,
                ..ep.clone()
            })
        }
    }

    fn side(port: u16, login: &str) -> EndpointSpec {
        EndpointSpec {
            server_type: ServerType::Imap,
            host: "127.0.0.1".into(),
            port,
            security: Security::None,
            auth: Default::default(),
            login: login.into(),
            insecure: false,
            ca_file: None,
            groupware: Default::default(),
        }
    }

    #[test]
    fn a_named_side_follows_its_platform_and_others_stay() {
        let mut spec = TaskSpec {
            source: side(1143, "a@example.com"),
            destination: side(2143, "b@example.com"),
            options: mailshift_panel::migration::OptionSet::emails(),
            notify: None,
            tuning: Default::default(),
            project: None,
        };
        let named = SidePlatforms::of(&One(1143), &spec);
        assert_eq!(named.source.as_deref(), Some("mx-1"));
        assert_eq!(named.destination, None);
        // The platform moved to 5143: only the named side follows.
        assert!(named.relocate(&One(5143), &mut spec));
        assert_eq!((spec.source.port, spec.destination.port), (5143, 2143));
        assert!(
            !named.relocate(&One(5143), &mut spec),
            "nothing left to move"
        );
        // Old records have no names and read as before.
        let old: SidePlatforms = serde_json::from_str("{}").unwrap();
        assert!(old.is_empty());
    }
}
