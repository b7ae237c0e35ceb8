"""The back office: server-rendered pages (Jinja2, htmx) for the people at the office.

`pages.py` holds the routes, `session.py` the sign-in (signed cookie, CSRF),
`formatting.py` the store's way of writing money and dates (Babel). What the pages show
is read by `services/office_views.py`, which also feeds `/v1/admin/...` JSON.
"""
