"""Everything Qt. Views ask services and paint what they get; no SQL here."""
