"""The funding part of the national change feed (szcore/changefeed.py): tracked entities, snapshots."""
