"""SMTP intake: aiosmtpd on the service's own loop, answering 250 only after commit."""
