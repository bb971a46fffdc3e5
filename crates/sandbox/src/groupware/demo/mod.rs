//! The demo groupware of one account, generated deterministically from the seed and the
//! login: a calendar with events (recurring, with attendees, in a VTIMEZONE), a task list,
//! an address book with contacts and two groups, and Sieve rules plus an out-of-office.

mod calendar;
mod contacts;
mod rng;
mod scripts;

use super::{CollectionKind, CollectionProps, GroupwareError, GroupwareStore};

use rng::Rng;

/// Write `login`'s demo groupware into `store` (the login must have none yet).
/// `out_of_office_active`: the out-of-office script is the active one instead of the rules.
pub fn seed_account(
    store: &GroupwareStore,
    login: &str,
    display_name: &str,
    seed: u64,
    out_of_office_active: bool,
) -> Result<(), GroupwareError> {
    let who = if display_name.is_empty() {
        login
    } else {
        display_name
    };
    let collections = [
        (
            CollectionKind::Calendar,
            "calendar",
            CollectionProps::calendar(
                "Calendar",
                "#1E88E5FF",
                &format!("Meetings and appointments of {who}"),
                &["VEVENT", "VTODO"],
            ),
        ),
        (
            CollectionKind::Calendar,
            "tasks",
            CollectionProps::calendar(
                "Tasks",
                "#43A047FF",
                &format!("To-do list of {who}"),
                &["VTODO"],
            ),
        ),
        (
            CollectionKind::AddressBook,
            "contacts",
            CollectionProps::address_book("Contacts", &format!("Address book of {who}")),
        ),
    ];
    store.create_account_with(login, &collections)?;
    let mut rng = Rng::new(seed, login);
    for (name, bytes) in calendar::events(&mut rng, login, who) {
        store.put_object(login, CollectionKind::Calendar, "calendar", &name, &bytes)?;
    }
    for (name, bytes) in calendar::tasks(&mut rng, login) {
        store.put_object(login, CollectionKind::Calendar, "tasks", &name, &bytes)?;
    }
    for (name, bytes) in contacts::cards(&mut rng, login) {
        store.put_object(
            login,
            CollectionKind::AddressBook,
            "contacts",
            &name,
            &bytes,
        )?;
    }
    store.put_script(login, scripts::RULES, scripts::rules(login).as_bytes())?;
    store.put_script(
        login,
        scripts::OUT_OF_OFFICE,
        scripts::out_of_office(login, who, out_of_office_active).as_bytes(),
    )?;
    let active = if out_of_office_active {
        scripts::OUT_OF_OFFICE
    } else {
        scripts::RULES
    };
    store.set_active(login, Some(active))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_is_deterministic_and_well_formed() {
        let tmp = tempfile::tempdir().unwrap();
        let a = GroupwareStore::open(tmp.path().join("a")).unwrap();
        let b = GroupwareStore::open(tmp.path().join("b")).unwrap();
        seed_account(&a, "x@example.org", "X Y", 7, false).unwrap();
        seed_account(&b, "x@example.org", "X Y", 7, true).unwrap();
        let s = a.summary("x@example.org").unwrap();
        assert!((8..=15).contains(&s.events), "{s:?}");
        assert!(s.tasks >= 5, "{s:?}");
        assert!((10..=20).contains(&s.contacts), "{s:?}");
        assert_eq!(s.groups, 2);
        assert_eq!((s.calendars, s.address_books, s.scripts), (2, 1, 2));
        assert_eq!(s.active_script.as_deref(), Some(scripts::RULES));
        let t = b.summary("x@example.org").unwrap();
        assert_eq!(t.active_script.as_deref(), Some(scripts::OUT_OF_OFFICE));
        assert_eq!(
            a.objects("x@example.org", CollectionKind::Calendar, "calendar")
                .unwrap(),
            b.objects("x@example.org", CollectionKind::Calendar, "calendar")
                .unwrap()
        );
        for (name, _) in a.scripts("x@example.org").unwrap() {
            let bytes = a.script("x@example.org", &name).unwrap().unwrap();
            let text = String::from_utf8(bytes).unwrap();
            mailshift_sieve::script::inspect(&text).unwrap();
            assert!(text.contains("\r\n") && !text.replace("\r\n", "").contains('\n'));
        }
    }
}
