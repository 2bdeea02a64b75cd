"""File menu > Store packs: the four steps of a store that works offline, in the window.

The lead exports a store's pack; the store's PC imports it; the store's PC exports its
results for the region; the lead imports them. Each asks what it needs (a store and a
campaign, a file), runs its service off the GUI thread with progress and Cancel, and says
what happened in plain words, the rows it turned away (and for results, the conflicts) behind
"Show Details...". The services decide who may do what; the menu mirrors it.
"""
