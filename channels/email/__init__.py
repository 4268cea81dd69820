"""E-mail: IMAP mailboxes and an SMTP intake server turning mail into contact events, and the one
SMTP sender (`mailer`) every outgoing mail goes through: replies, acknowledgements, notices."""
