"""The network's own messages to its admins, such as the weekly freshness check of the content."""
