"""The typed tools the assistant calls. Reads run at once; writes wait for Confirm."""

from tools.approvals import pending_approvals
from tools.inventory import low_stock, search_inventory, use_part
from tools.repair_orders import (
    archive_repair_order,
    create_repair_order,
    dashboard,
    get_repair_order,
    list_repair_orders,
    update_repair_order,
    update_status,
)

READ_TOOLS = (
    get_repair_order,
    list_repair_orders,
    dashboard,
    search_inventory,
    low_stock,
    pending_approvals,
)
WRITE_TOOLS = (
    update_status,
    update_repair_order,
    create_repair_order,
    archive_repair_order,
    use_part,
)
