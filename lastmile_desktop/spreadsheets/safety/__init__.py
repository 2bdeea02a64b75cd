"""Hostile-file checks: what a file really is, and whether a reader may open it.

Every check runs on the file's bytes before a reader touches them: zip packages from their
directory (zip bombs), XML parts for DTDs, OLE containers walked without trusting their
chains, and each sheet's extent and text measured so a reader never lays out more than a
customer list could need.
"""
