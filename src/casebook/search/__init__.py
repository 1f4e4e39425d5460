"""Precedent search: find earlier cases like this one.

``casebook.search.hybrid`` indexes stored cases and searches them; ``casebook.search.precedent``
keeps a store's index and explains its hits; ``casebook.search.saved`` says where an index is
saved and records removals in it. Nothing is imported here, so that the light modules load
without the heavy ones (bm25s, scipy).
"""
