"""The ``newsletter`` command (``commands``) and the demo data ``make run`` creates
(``demo``).

May import: anything."""
