"""What the portal talks to: the platform's HTTP APIs."""
