"""Sign-in with Microsoft Entra ID (issue #8).

roles.py   Entra app roles -> our roles (configurable; a default for members without one)
tokens.py  ID token validation: RS256 signature against the tenant's JWKS, issuer, audience,
           expiry, nonce, and our tenant only
login.py   the authorization-code flow with PKCE (msal), the Chainlit provider and the small
           ASGI layer that starts the flow and carries its secrets in an encrypted cookie
"""
