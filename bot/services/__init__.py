"""Use cases: the rules of the bot, reachable from tests without Telegram."""
