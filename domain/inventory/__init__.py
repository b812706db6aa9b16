"""Inventory: find what people type, low stock with reorder advice, using a part on an RO.

The parts, one concept each (callers use `InventoryService`, which is made of them):
    rules     part-number keys, index terms, conditions, ranking, low-stock math (pure, no DB)
    views     what callers get: ItemView, SearchResult, LowStockReport, UseResult, ItemChange
    search    the three search tiers
    stock     low stock with reorder advice, taking a part for an RO
    items     creating and updating stock items, importing the old transaction log
    service   InventoryService, the one entry point
The loader that inserts millions of items at once is `domain.importers.inventory_bulk`.
"""
