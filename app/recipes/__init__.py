"""Recipes: a user's recipe documents, the shared tag vocabulary, favorites and history."""
