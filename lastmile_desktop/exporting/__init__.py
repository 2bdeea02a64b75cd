"""Results back to Excel. No Qt here."""
