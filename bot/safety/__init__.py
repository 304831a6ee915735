"""Safety for people at risk: the emergency card, crisis words, leaving no trace, flood limits."""
