//! The commented example project `mailshift project template` prints.

/// A commented example project, as `mailshift project template` prints it.
pub fn template() -> &'static str {
    TEMPLATE
}

const TEMPLATE: &str = "\
# mailshift project: one migration task per row; every row is checked before any task starts.
# Lines starting with # and blank lines are ignored. Columns may come in any order.
#
#   src_type, dst_type          exchange, emailpro, mxplan, gmail or imap
#   src_host, dst_host          the IMAP server's name or IP address (no URL, no port)
#   src_port, dst_port          empty: 993 with tls, 143 with starttls or none
#   src_security, dst_security  tls (empty means tls), starttls or none
#   src_login, dst_login        the account's login, usually its e-mail address
#   src_password, dst_password  surrounding spaces are ignored;
#                               env:NAME reads an environment variable, file:PATH reads a file
#                               (inside this CSV's folder, at most 4 KiB; trailing line breaks dropped);
#                               raw:TEXT is the literal TEXT; anything else is the password itself
#                               (prefer env: or file: so no password sits in this file)
#   src_auth, dst_auth          optional column: login (default), plain or xoauth2
#   options                     emails (default), or all (what both sides can hold); calendars,
#                               contacts, inbox_rules, contact_groups, out_of_office and tasks
#                               need CalDAV/CardDAV or ManageSieve servers, which only
#                               `mailshift migrate --src-dav/--dst-dav/--src-sieve/--dst-sieve`
#                               takes; separated by ; | or +
#   notify                      optional: an address told when the task ends
#
# The separator is , (or ; when the header line has no comma). Quote cells holding the separator.
src_type,src_host,src_port,src_security,src_login,src_password,dst_type,dst_host,dst_port,dst_security,dst_login,dst_password,options,notify
exchange,ex.old.example.net,,tls,john@example.com,env:JOHN_OLD_PASSWORD,exchange,ex5.mail.example.net,,tls,john@example.com,env:JOHN_NEW_PASSWORD,all,it@example.com
imap,imap.oldhost.example,143,starttls,mary@example.com,file:secrets/mary-old.txt,mxplan,ssl0.example.net,993,tls,mary@example.com,file:secrets/mary-new.txt,emails,
";
