"""The personas' pages: `pages` (list, a persona with its versions and approvals, the editor)
and `discovery` (segments of the sales history, a persona proposed from one, coverage)."""
