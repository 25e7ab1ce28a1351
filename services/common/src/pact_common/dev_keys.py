"""Development-only secrets, so `make run` works on a fresh clone.

They are public (committed) and therefore worthless: settings refuse them when
environment=production. Never use them anywhere else.
"""

DEV_JWT_PRIVATE_KEY = """-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEICP1nT+z7wXYHAU/HBQX4mKUbd5mRV/LElTlUknlahNN
-----END PRIVATE KEY-----
"""
DEV_JWT_PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEABkd/LjvfJGtEHOcdOnR/YjCGjH8XvIdFCjsClk5rLb8=
-----END PUBLIC KEY-----
"""
DEV_ADMIN_API_KEY = "dev-secretariat-key-not-for-production"
#: Derives every partner's webhook secret (pact_common.webhook_secrets) in development only.
DEV_WEBHOOK_KEY = "dev-webhook-key-not-for-production"
#: The secretariat's webhook receiver's secret in development only (whsec_ + base64).
DEV_SECRETARIAT_WEBHOOK_SECRET = "whsec_ZGV2LXNlY3JldGFyaWF0LXdlYmhvb2stbm90LWZvci1wcm9k"
