"""Moved to pekalongan_training/phones.py (shared by every app). Kept only for the forms that still
import it from here (participants/forms/intake.py, participants/forms/public.py); import from
pekalongan_training.phones instead, and delete this module once they do."""

from pekalongan_training.phones import normalize_phone

__all__ = ["normalize_phone"]
