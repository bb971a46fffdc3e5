use crate::PlatformId;

/// Why a panel operation was refused; each message says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PanelError {
    #[error("unknown platform kind {0:?}: use exchange, emailpro or mxplan")]
    UnknownKind(String),
    #[error("no platform {0}: pick one from the platform list")]
    UnknownPlatform(PlatformId),
    #[error("{name:?} is not a valid service name: {reason}")]
    InvalidServiceName { name: String, reason: String },
    #[error("the service name {0} is already taken: pick another")]
    ServiceNameTaken(String),
    #[error("an MX Plan is created with its domain: give the domain it will hold")]
    MxPlanNeedsDomain,
    #[error("{name:?} is not a valid domain name: {reason}")]
    InvalidDomain { name: String, reason: String },
    #[error("{local:?} is not a valid login: {reason}")]
    InvalidLocalPart { local: String, reason: String },
    #[error("{0:?} is not an e-mail address: write it as login@domain")]
    InvalidAddress(String),
    #[error("MX Plan holds one domain ({existing}) fixed at creation: create another MX Plan for {requested}")]
    MxPlanSingleDomain { existing: String, requested: String },
    #[error("{platform} holds at most {max} domains: create another platform for {requested}")]
    TooManyDomains {
        platform: String,
        max: u32,
        requested: String,
    },
    #[error("{domain} is already associated with {platform}")]
    DomainExists { domain: String, platform: String },
    #[error("{domain} is already authoritative on {platform}: add it as non-authoritative, or make it non-authoritative there first")]
    DomainAuthoritativeElsewhere { domain: String, platform: String },
    #[error("{domain} is not associated with {platform}: add the domain to the platform first")]
    DomainNotOnPlatform { domain: String, platform: String },
    #[error("{address} already exists on {platform}")]
    AccountExists { address: String, platform: String },
    #[error("{address} does not exist on {platform}")]
    AccountNotFound { address: String, platform: String },
    #[error("{address} is an unconfigured account: create it first")]
    AccountUnconfigured { address: String },
    #[error("{address} is already unconfigured: there is nothing to reset")]
    AlreadyUnconfigured { address: String },
    #[error("no unconfigured account left on {platform}: order another account first")]
    NoFreeAccount { platform: String },
    #[error(
        "password too weak: use at least 9 characters with upper case, lower case and a digit"
    )]
    WeakPassword,
    #[error("password must not contain the login: pick another")]
    PasswordHoldsLogin,
    #[error("a quota of 0 bytes leaves no room for mail: give a quota above 0")]
    QuotaZero,
    #[error("an {kind} account holds at most {max}: {requested} is too much")]
    QuotaAboveMax {
        kind: String,
        max: String,
        requested: String,
    },
    #[error("{address} already holds {used}: a quota of {requested} is too small, free some space first")]
    QuotaBelowUsage {
        address: String,
        used: String,
        requested: String,
    },
}
