"""The people we write to: lists, contacts, organizations, branches and persons,
subscriptions with their consent evidence, the GDPR profile, suppression of erased
addresses, the change history, removal and erasure, and the mail subscribers get about
their own subscriptions, and what integrators change through the API (integration).

May import: platform, channels and the base."""
