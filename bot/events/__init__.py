"""Events of the network: which are coming up near a person, how they read, reminders the day before."""
