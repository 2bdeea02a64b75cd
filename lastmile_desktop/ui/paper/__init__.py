"""What the app puts on paper (PDF): painted with QPainter, no widget or window needed."""
