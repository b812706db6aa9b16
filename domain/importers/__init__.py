"""Bringing the company's data in: the RO workbook (`excel`) and the legacy MySQL schema
(`legacy`). Both plan every row, then write through the domain services (`common`)."""
