"""Call queue, outcomes and calling hours. No Qt here."""
