"""Signals the programs services send, for the apps above that react to them.

`session_rescheduled` is sent by `programs.services.session_move` after a meeting moved to
another day or got other hours, inside the service's transaction, with `session` (as saved) and
`old_date`, `old_starts_at`, `old_ends_at`. participants tells the people enrolled
(participants/signals.py); programs need not know who listens.
"""

from django.dispatch import Signal

session_rescheduled = Signal()
