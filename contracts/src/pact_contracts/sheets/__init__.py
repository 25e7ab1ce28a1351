"""Progress sheets as partners fill them in (CSV), read and checked against the
ProgressReported contract before anything is sent: shared by `pactctl progress import` and
the portal's upload page, so both refuse the same rows with the same words. Pure: text in,
reports or errors out (standard library and the contracts only)."""
