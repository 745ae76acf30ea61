"""The app's own state (accounts, sign-in throttling, sessions, share links, audit log, work
records) in one SQL database: SQLite by default, PostgreSQL for several app processes. See db.py."""
