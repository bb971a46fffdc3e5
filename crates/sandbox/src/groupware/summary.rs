//! What one login's groupware holds, counted for the panel, the TUI and tests.

use mailshift_dav::item::{inspect, ItemKind};

use super::{CollectionKind, GroupwareError, GroupwareStore};

/// Counts of one login's groupware.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupwareSummary {
    pub calendars: usize,
    /// Objects holding a VEVENT.
    pub events: usize,
    /// Objects holding a VTODO.
    pub tasks: usize,
    pub address_books: usize,
    /// vCards that are not groups.
    pub contacts: usize,
    /// Contact groups.
    pub groups: usize,
    pub scripts: usize,
    pub active_script: Option<String>,
}

impl GroupwareStore {
    /// Count what `login` holds (objects that do not parse are not counted).
    pub fn summary(&self, login: &str) -> Result<GroupwareSummary, GroupwareError> {
        let mut s = GroupwareSummary::default();
        for kind in [CollectionKind::Calendar, CollectionKind::AddressBook] {
            for c in self.collections(login, kind)? {
                match kind {
                    CollectionKind::Calendar => s.calendars += 1,
                    CollectionKind::AddressBook => s.address_books += 1,
                }
                for o in self.objects(login, kind, &c.name)? {
                    let Some(bytes) = self.object(login, kind, &c.name, &o.name)? else {
                        continue;
                    };
                    let item_kind = match kind {
                        CollectionKind::Calendar => ItemKind::Calendar,
                        CollectionKind::AddressBook => ItemKind::Contact,
                    };
                    let Ok(info) = inspect(item_kind, &bytes) else {
                        continue;
                    };
                    let has = |c: &str| info.components.iter().any(|x| x.eq_ignore_ascii_case(c));
                    match kind {
                        CollectionKind::Calendar => {
                            s.events += usize::from(has("VEVENT"));
                            s.tasks += usize::from(has("VTODO"));
                        }
                        CollectionKind::AddressBook if info.is_group => s.groups += 1,
                        CollectionKind::AddressBook => s.contacts += 1,
                    }
                }
            }
        }
        let scripts = self.scripts(login)?;
        s.scripts = scripts.len();
        s.active_script = scripts.into_iter().find(|(_, a)| *a).map(|(n, _)| n);
        Ok(s)
    }
}
