"""Staff accounts: roles and scopes, login and sessions, credential resets and enrolment, the one
access policy, the notices staff get (inbox and e-mail, security alerts), the staff pages (accounts,
audit log, inbox), and the retention of sessions, login attempts and resets."""
