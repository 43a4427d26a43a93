"""The ledger's service layer: typed, keyword-only functions over a Session.

They add and flush but never commit: the caller (one HTTP request, one CLI command) commits
once, so a failure anywhere leaves nothing half-written.
"""
