"""The block list of seed 001: entries naming organizations, branches, persons, e-mail
addresses or phones that a channel must never reach (``entries``), set-based matching of
recipient rows against them (``matching``) and CSV import/export (``csv_files``).

May import: audience, platform and the base."""
