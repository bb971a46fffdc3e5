//! Demo Sieve scripts: the inbox rules (fileinto, flags) and an out-of-office reply that,
//! when it is the active script, includes the rules so they keep running.

pub const RULES: &str = "rules";
pub const OUT_OF_OFFICE: &str = "out-of-office";

pub fn rules(login: &str) -> String {
    [
        "# Inbox rules (mailshift sandbox demo)".to_string(),
        "require [\"fileinto\", \"imap4flags\"];".into(),
        "if header :contains \"subject\" [\"invoice\", \"facture\"] {".into(),
        "    fileinto \"Invoices\";".into(),
        "    stop;".into(),
        "}".into(),
        "if header :contains \"list-id\" \"newsletter\" {".into(),
        "    addflag \"\\\\Seen\";".into(),
        "    fileinto \"Newsletters\";".into(),
        "    stop;".into(),
        "}".into(),
        format!("if address :is \"to\" \"{login}\" {{"),
        "    if header :is \"x-priority\" \"1\" {".into(),
        "        addflag \"\\\\Flagged\";".into(),
        "    }".into(),
        "}".into(),
        String::new(),
    ]
    .join("\r\n")
}

pub fn out_of_office(login: &str, who: &str, with_rules: bool) -> String {
    let mut lines = vec!["# Out-of-office reply (mailshift sandbox demo)".to_string()];
    if with_rules {
        lines.push("require [\"vacation\", \"include\"];".into());
        lines.push("include :personal \"rules\";".into());
    } else {
        lines.push("require \"vacation\";".into());
    }
    lines.push(format!(
        "vacation :days 7 :addresses [\"{login}\"] :subject \"Out of office\" \"Hello, I am away until Monday with limited access to my e-mail. For anything urgent, please write to admin@example.org. Regards, {who}\";"
    ));
    lines.push(String::new());
    lines.join("\r\n")
}
