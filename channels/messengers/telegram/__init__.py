"""The Telegram bot channel (aiogram 3)."""
