"""Store metrics, fair ranking, heroes and gaps. No Qt here."""
