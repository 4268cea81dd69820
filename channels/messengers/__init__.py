"""Messenger channels (Telegram) and the auto-reply they share with SMS."""
