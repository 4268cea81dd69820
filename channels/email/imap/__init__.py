"""IMAP mailboxes watched with IDLE or polling (imapclient in a thread per mailbox)."""
