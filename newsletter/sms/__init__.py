"""SMS rules (seed 002): how a text splits into GSM 03.38 parts (``parts``, ``text``), phone
numbers in E.164 (``numbers``) and the per-part quota ledger (``quota``).

It owns the SMS quota tables and imports only ``models``, ``errors``, ``config`` and
``extensions``; the channels (the SMS gateways split texts with it), ``audience``,
``campaigns`` and the blueprints build on it.
"""
