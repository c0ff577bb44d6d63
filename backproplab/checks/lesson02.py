"""Lesson 02: forward pass and initialisation (filled in by its lesson)."""
