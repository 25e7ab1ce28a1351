"""Pure domain: commitments, partnership targets, the partner read model."""
