"""Reading customer lists from spreadsheets and CSV into a campaign. No Qt here."""
