"""The plumbing every app shares, below all of them: it imports no app (import-linter checks).

enqueue (on commit, by task name), cache, prepared statements, the API's conventions (error
shape, renderer, pagination, throttling, parsers, schema hooks), bounds, exports, months, and
money and number formatting for people.
"""
