"""Staff accounts: roles and scopes, login and sessions, credential resets and enrolment, notices
to an account's owner, the staff pages (accounts, audit log, inbox), and the one access policy."""
