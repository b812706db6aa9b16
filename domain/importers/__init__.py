"""Bringing the company's data in: the RO workbook (`excel`) and the legacy MySQL schema
(`legacy`). Both plan every row, then write through the domain services (`common`).
`inventory_bulk` is the fast loader for many generated stock items (demo seed, benchmark)."""
