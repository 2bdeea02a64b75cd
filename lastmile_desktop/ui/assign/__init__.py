"""The Assign page: who calls whom, the overview per store and manager, and its tabs."""
