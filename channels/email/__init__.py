"""E-mail: IMAP mailboxes and an SMTP intake server, both turning mail into contact events."""
