"""gongwen: official documents from data."""
