"""advocate: a channel-mix advisor for advocacy campaigns."""

__version__ = "0.1.0"
