"""A real third-party IMAP client (Python's imaplib) against the sandbox.

Usage: imaplib_client.py PORT, with SANDBOX_LOGIN and SANDBOX_PASSWORD in the
environment. Exits non-zero with a message on the first unexpected answer.
"""
import imaplib
import re
import sys
import os
import time

port = int(sys.argv[1])
login = os.environ["SANDBOX_LOGIN"]
password = os.environ["SANDBOX_PASSWORD"]


def check(cond, what):
    if not cond:
        sys.exit("imaplib check failed: " + what)


imap = imaplib.IMAP4("127.0.0.1", port, timeout=20)
check("UIDPLUS" in imap.capabilities, "UIDPLUS advertised: %r" % (imap.capabilities,))
check("LITERAL+" in imap.capabilities, "LITERAL+ advertised")
typ, _ = imap.login(login, password)
check(typ == "OK", "login")

typ, lines = imap.list('""', "*")
check(typ == "OK", "list")
listing = b"\n".join(lines).decode()
check(re.search(r'\\Sent.*"/" "?Sent"?', listing) is not None, "Sent with \\Sent in %s" % listing)
check("INBOX" in listing, "INBOX listed")

typ, _ = imap.create('"Projects/2024"')
check(typ == "OK", "create")
typ, lines = imap.list('""', "%")
top = b"\n".join(lines).decode()
check("Projects" in top and "Projects/2024" not in top, "LIST %% shows one level: %s" % top)

message = (
    b"From: Alice <alice@example.org>\r\n"
    b"To: John <john@example.net>\r\n"
    b"Subject: imaplib round trip\r\n"
    b"Message-ID: <imaplib-1@example.org>\r\n"
    b"\r\n"
    b"Bytes must come back exactly.\r\n\tEven tabs and trailing spaces   \r\n"
)
date = imaplib.Time2Internaldate(time.mktime((2024, 3, 5, 14, 30, 0, 0, 0, -1)))
typ, data = imap.append('"Projects/2024"', r"(\Seen \Flagged)", date, message)
check(typ == "OK", "append: %r" % (data,))
m = re.search(rb"APPENDUID (\d+) (\d+)", data[0])
check(m is not None, "APPENDUID in %r" % (data,))
validity, uid = m.group(1).decode(), m.group(2).decode()

typ, data = imap.select('"Projects/2024"')
check(typ == "OK" and data[0] == b"1", "select shows 1 message: %r" % (data,))
check(imap.untagged_responses.get("UIDVALIDITY", [b""])[0].decode() == validity, "UIDVALIDITY matches APPENDUID")

typ, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
check(typ == "OK", "uid fetch")
check(data[0][1] == message, "fetched bytes equal appended bytes: %r" % (data[0][1],))
typ, data = imap.uid("FETCH", uid, "(FLAGS INTERNALDATE RFC822.SIZE)")
meta = data[0].decode()
check("\\Seen" in meta and "\\Flagged" in meta, "flags kept: %s" % meta)
check("RFC822.SIZE %d" % len(message) in meta, "size: %s" % meta)
check(date.strip('"') in meta, "internaldate %s kept: %s" % (date, meta))

typ, data = imap.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
check(data[0][1] == b"Subject: imaplib round trip\r\n\r\n", "header fields: %r" % (data[0][1],))

typ, data = imap.uid("STORE", uid, "+FLAGS", r"(\Deleted)")
check(typ == "OK" and b"\\Deleted" in data[0], "store: %r" % (data,))
typ, data = imap.expunge()
check(typ == "OK" and data == [b"1"], "expunge reported message 1: %r" % (data,))
typ, data = imap.status('"Projects/2024"', "(MESSAGES UIDNEXT)")
check(b"MESSAGES 0" in data[0] and b"UIDNEXT %d" % (int(uid) + 1) in data[0], "status after expunge: %r" % (data,))
imap.logout()

# AUTHENTICATE PLAIN on a second connection.
imap = imaplib.IMAP4("127.0.0.1", port, timeout=20)
typ, _ = imap.authenticate("PLAIN", lambda _: ("\0%s\0%s" % (login, password)).encode())
check(typ == "OK", "authenticate plain")
typ, data = imap.noop()
check(typ == "OK", "noop")
imap.logout()
print("imaplib: all checks passed")
