"""Matching: provider pool, solution catalogue, needs, matching and transformation projects."""

SERVICE = "matching"
