"""`python -m monitoring.rebuild --into DB`: see monitoring.entrypoints.rebuild."""

from __future__ import annotations

from .entrypoints.rebuild import main

if __name__ == "__main__":
    main()
