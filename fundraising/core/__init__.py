"""The bottom layer: money, languages. Imports nothing else of the project."""
