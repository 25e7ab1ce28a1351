"""The commitments service: partners' pledges, partnership targets and their history."""
