"""Campaign, store and manager, and do-not-call editors (tabs of the Assign page)."""
