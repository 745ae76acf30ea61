"""Who may see what: accounts, sessions, share links, tax redaction, the audit log."""
