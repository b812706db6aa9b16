"""Shops' replies read back (#16): parse a received email, match it to ROs, read what the shop
said (with evidence), and turn it into a proposed update a person confirms."""
