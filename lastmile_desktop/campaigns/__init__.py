"""Campaigns, stores, managers, assignment, holdout and do-not-call. No Qt here."""
