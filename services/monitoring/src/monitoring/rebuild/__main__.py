"""`python -m monitoring.rebuild --into DB`: see monitoring.rebuild.replay."""

from __future__ import annotations

from monitoring.rebuild.replay import main

if __name__ == "__main__":
    main()
