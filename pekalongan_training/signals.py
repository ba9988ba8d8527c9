"""Signals shared by the apps.

`records_changed` is sent by writes that bypass save() and delete() (bulk inserts, queryset
updates, imports, seeds): whoever keeps something computed from the records (the dashboard's cache
in `reports`) listens to it, and to the models' own post_save and post_delete. The senders need
not know who listens, so the apps below `reports` never import it.
"""

from django.dispatch import Signal

records_changed = Signal()
