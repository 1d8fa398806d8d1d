"""What the tests share: factories, clients and forms, committed apps, fake gateways, browsers.

Fixtures live in ``tests/conftest.py`` (and ``tests/e2e/conftest.py`` for the browser); they
call the code here. Test modules import from this package only, never from one another.

* ``apps`` — test settings, migrated databases, the app on committed data (``CommittedApp``).
* ``keys`` — the process's key ring, installed for one test and put back after it.
* ``factories`` — rows: schools and teachers, waves, invitations and responses, staff accounts,
  cases, released waves (``make_wave``, ``make_teacher``, ...).
* ``forms`` — the CSRF token and the target of a page's form, read with an HTML parser.
* ``staff`` — staff accounts with grants and TOTP, and logging in through the real form.
* ``teacher`` — a teacher's flow through the test client: confirm, PIN, consent, pages, submit.
* ``resets`` — reading the outbox and the audit log in the credential-reset tests.
* ``gateways`` — a local SMTP server and a fake SMS gateway.
* ``rosters`` — roster files (CSV, XLSX) and the ``flask`` command line as an operator runs it.
* ``routes`` — every route of the app's URL map as URLs a client can request.
* ``scoring`` — answer rows and one-line scoring results, without an app.
* ``reports`` — the independent auditor and the published forms of a release, read back.
* ``browser``, ``phone``, ``demo_site`` — the live server and the browser scenarios' helpers.
"""
