"""pactctl: the command line of the Digital Ecosystem Skills Partnership platform."""
