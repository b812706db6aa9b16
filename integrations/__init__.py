"""Outside systems, each behind a small interface with a local twin (bootstrap picks one):

    microsoft/   msal token providers (app-only, delegated), the Graph HTTP client and its error
                 classification, ID-token validation and app-role mapping for Entra sign-in
    excel/       the workbook writer interface; the local .xlsx (embedded) and the Graph workbook
    mail/        the sender interface; the .eml outbox (embedded), SMTP, Graph mail
    errors.py    one error tree for all of them (transient vs permanent)

Nothing here knows Dramatiq, the agent or the chat.
"""
