"""Telegram bot for administrators of official government pages and their coordinators."""
