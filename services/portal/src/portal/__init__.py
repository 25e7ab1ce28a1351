"""The portal: the web front for people, a backend-for-frontend over the platform's HTTP APIs."""
