//! Demo vCards 3.0: 10 to 20 contacts and two Apple-style contact groups
//! (X-ADDRESSBOOKSERVER-KIND:group) whose members are some of those contacts.

use super::Rng;

const FIRST: [&str; 10] = [
    "Alice",
    "Bruno",
    "Camille",
    "David",
    "Emma",
    "François",
    "Gabrielle",
    "Hugo",
    "Inès",
    "Jules",
];
const LAST: [&str; 8] = [
    "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "Girard",
];
const COMPANIES: [&str; 4] = ["Acme SA", "Globex", "Initech", "Example Co."];

/// `(file name, bytes)` of the contacts then the two groups.
pub fn cards(rng: &mut Rng, login: &str) -> Vec<(String, Vec<u8>)> {
    let count = rng.range(10, 20) as usize;
    let mut out = Vec::new();
    let mut uids = Vec::new();
    for i in 0..count {
        let first = FIRST[(i + rng.range(0, 9) as usize) % FIRST.len()];
        let last = LAST[(i * 3 + rng.range(0, 7) as usize) % LAST.len()];
        let company = COMPANIES[rng.range(0, 3) as usize];
        let uid = rng.uuid();
        let mail = format!(
            "{}.{}{}@{}.example",
            ascii(first),
            ascii(last),
            i,
            ascii(company).trim_end_matches('.')
        );
        let vcf = format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//mailshift//sandbox demo//EN\r\nUID:{uid}\r\n\
FN:{first} {last}\r\nN:{last};{first};;;\r\nORG:{company}\r\nEMAIL;TYPE=INTERNET,WORK:{mail}\r\n\
TEL;TYPE=WORK:+33 1 {:02} {:02} {:02} {:02}\r\nNOTE:Demo contact of {login}\r\nEND:VCARD\r\n",
            rng.range(10, 99),
            rng.range(10, 99),
            rng.range(10, 99),
            rng.range(10, 99)
        );
        out.push((format!("{uid}.vcf"), vcf.into_bytes()));
        uids.push(uid);
    }
    for (g, name) in ["Project team", "Suppliers"].iter().enumerate() {
        let uid = rng.uuid();
        let mut vcf = format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//mailshift//sandbox demo//EN\r\nUID:{uid}\r\n\
FN:{name}\r\nN:{name};;;;\r\nX-ADDRESSBOOKSERVER-KIND:group\r\n"
        );
        for member in uids.iter().skip(g).step_by(3) {
            vcf.push_str(&format!("X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:{member}\r\n"));
        }
        vcf.push_str("END:VCARD\r\n");
        out.push((format!("{uid}.vcf"), vcf.into_bytes()));
    }
    out
}

/// Lower-case ASCII letters of `s` (accents dropped) for e-mail addresses.
fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ç' => 'c',
            'è' | 'é' | 'ê' => 'e',
            c => c,
        })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect::<String>()
        .to_ascii_lowercase()
}
