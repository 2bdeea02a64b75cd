"""The Leaderboard page: what the calls brought back, store by store, and its drill-down."""
