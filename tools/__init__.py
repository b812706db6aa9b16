"""The typed tools the assistant calls. Reads run at once; writes wait for Confirm."""

from tools.approvals import pending_approvals
from tools.bulk import bulk_archive, bulk_update_status  # c13: bulk changes
from tools.documents import (  # documents on ROs (#15)
    attach_document,
    get_document,
    list_documents,
    remove_document,
)
from tools.email import draft_email, draft_follow_ups_by_shop, email_history, list_email_drafts
from tools.excel import excel_status, sync_excel
from tools.exports import export
from tools.inbox import email_thread, inbox  # shops' replies (#16)
from tools.inventory import low_stock, search_inventory, use_part
from tools.repair_orders import (
    archive_repair_order,
    create_repair_order,
    dashboard,
    get_repair_order,
    list_repair_orders,
    recent_changes,
    search_repair_orders,
    update_repair_order,
    update_status,
)
from tools.reports import report
from tools.shops import create_shop, get_shop, list_shops, update_shop  # c13: shop directory
from tools.sources import erp_sync_status, sync_erp  # #17: outside sources, admins
from tools.users import (  # user administration (admins; issue #20)
    disable_user,
    enable_user,
    list_users,
    revoke_user_sessions,
    set_user_role,
    user_sessions,
)

READ_TOOLS = (
    get_repair_order,
    list_repair_orders,
    dashboard,
    search_inventory,
    low_stock,
    pending_approvals,
    excel_status,
    # c13: shop directory
    list_shops,
    get_shop,
    # desk queries (c13 point 1)
    search_repair_orders,
    recent_changes,
    # reports and exports
    report,
    export,
    # user administration (admins)
    list_users,
    user_sessions,
    erp_sync_status,
    list_documents,
    get_document,
    # shops' replies (#16)
    inbox,
    email_thread,
)
WRITE_TOOLS = (
    update_status,
    update_repair_order,
    create_repair_order,
    archive_repair_order,
    use_part,
    sync_excel,
    # c13: bulk changes, shop records
    bulk_update_status,
    bulk_archive,
    update_shop,
    create_shop,
    # user administration (admins; the admin confirms, audited like `gt users`)
    disable_user,
    enable_user,
    set_user_role,
    revoke_user_sessions,
    sync_erp,
    attach_document,
    remove_document,
)
# Drafting writes no RO data and sends nothing: no Confirm step (the draft card is the approval).
DRAFT_TOOLS = (
    draft_email,
    list_email_drafts,
    email_history,
    draft_follow_ups_by_shop,  # c13: merged follow-ups per shop
)
