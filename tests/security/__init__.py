"""Cross-cutting security tests: safe methods, redirects, accounts, privacy."""
