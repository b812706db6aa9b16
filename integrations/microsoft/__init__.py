"""Microsoft in one place: tokens (tokens.py), the Graph client (graph.py), Entra ID tokens
(id_tokens.py) and app roles (app_roles.py), used by Excel, mail and sign-in."""
