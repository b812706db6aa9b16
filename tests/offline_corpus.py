"""The offline model's contract: real-sounding desk requests and the tool call each must become
(today is Friday 2026-11-20). `README_EXAMPLES` are the README's table of what the assistant
understands: `python -m tests.offline_corpus` prints it, and a test checks the README has it and
that every example works on the demo data."""

from __future__ import annotations

from datetime import date

from agent.offline.filters import NOT_BACK

TODAY = date(2026, 11, 20)

CORPUS: list[tuple[str, str, dict]] = [
    ("RO 38462", "get_repair_order", {"ro_number": "38462"}),
    ("G38462", "get_repair_order", {"ro_number": "38462"}),
    ("RO# G38462", "get_repair_order", {"ro_number": "38462"}),
    ("ro 38462?", "get_repair_order", {"ro_number": "38462"}),
    ("whats the status of 38462", "get_repair_order", {"ro_number": "38462"}),
    ("show me RO 38462 history", "get_repair_order", {"ro_number": "38462"}),
    ("history of G38462", "get_repair_order", {"ro_number": "38462"}),
    ("38462's history", "get_repair_order", {"ro_number": "38462"}),
    ("pull up 38030", "get_repair_order", {"ro_number": "38030"}),
    ("where is RO 38462", "get_repair_order", {"ro_number": "38462"}),
    ("what's overdue at Avtech?", "search_repair_orders", {"overdue": True, "shop": "avtech"}),
    ("overdue", "search_repair_orders", {"overdue": True}),
    (
        "ROs received last week",
        "search_repair_orders",
        {"status": "RECEIVED", "status_date_from": "2026-11-09", "status_date_to": "2026-11-15"},
    ),
    (
        "what's the oldest open RO?",
        "search_repair_orders",
        {"sort": "date_made", "archive": "ACTIVE"},
    ),
    ("what's waiting on me?", "pending_approvals", {}),
    # overdue by a time: the follow-up date that long ago (not the time in the status)
    (
        "anything overdue more than 30 days?",
        "search_repair_orders",
        {"overdue": True, "next_update_to": "2026-10-20"},
    ),
    (
        "set RO 38462 cost to 1500",
        "update_repair_order",
        {"ro_number": "38462", "changes": {"estimated_cost": "1500"}},
    ),
    ("which ROs need a quote approved", "search_repair_orders", {"status": "WAITING QUOTE"}),
    (
        "how many ROs does Avtech have open and which is the oldest?",
        "search_repair_orders",
        {"sort": "date_made", "archive": "ACTIVE", "shop": "avtech"},
    ),
    # not updated for a time: last updated before then (not a date that far ahead)
    (
        "ROs at Avtech not updated in 30 days",
        "search_repair_orders",
        {"last_updated_to": "2026-10-21", "archive": "ACTIVE", "shop": "avtech"},
    ),
    (
        "which ROs have had no update for 2 weeks",
        "search_repair_orders",
        {"last_updated_to": "2026-11-06", "archive": "ACTIVE"},
    ),
    (
        "ROs updated in the last 30 days",
        "search_repair_orders",
        {"last_updated_from": "2026-10-22", "last_updated_to": "2026-11-20"},  # 30 days
    ),
    # "open" / "active" ROs are the Active archive (a search is over all archives otherwise)
    (
        "how many ROs are open at Avtech?",
        "search_repair_orders",
        {"archive": "ACTIVE", "shop": "avtech"},
    ),
    (
        "which ROs are still open for part 1706B",
        "search_repair_orders",
        {"part_number": "1706B", "archive": "ACTIVE"},
    ),
    ("anything overdue?", "search_repair_orders", {"overdue": True}),
    ("which ROs are late", "search_repair_orders", {"overdue": True}),
    (
        "overdue ROs at dallas airmotive",
        "search_repair_orders",
        {"overdue": True, "shop": "dallas airmotive"},
    ),
    (
        "which ROs are waiting on a quote for more than 2 weeks",
        "search_repair_orders",
        {"in_status_for_more_than_days": 14, "status": "WAITING QUOTE"},
    ),
    (
        # a verb ends the shop's name; a count may be spelled out
        "which ROs at Avtech are waiting on a quote for more than two weeks",
        "search_repair_orders",
        {"in_status_for_more_than_days": 14, "status": "WAITING QUOTE", "shop": "avtech"},
    ),
    # a period no date word claims, on a plain list or count: when the ROs were made
    (
        "how many ROs this year",
        "search_repair_orders",
        {"date_made_from": "2026-01-01", "date_made_to": "2026-12-31"},
    ),
    (
        "ROs at Avtech in October",
        "search_repair_orders",
        {"shop": "avtech", "date_made_from": "2026-10-01", "date_made_to": "2026-10-31"},
    ),
    (
        "most repaired parts this year",
        "search_repair_orders",
        {"count_by": "part", "date_made_from": "2026-01-01", "date_made_to": "2026-12-31"},
    ),
    # per part: every match counted per part (however its number is spelled)
    ("which part do we send out most?", "search_repair_orders", {"count_by": "part"}),
    (
        "which part has the most overdue ROs",
        "search_repair_orders",
        {"count_by": "part", "overdue": True},
    ),
    ("open ROs by part", "search_repair_orders", {"count_by": "part", "archive": "ACTIVE"}),
    # by cost: the final cost where there is one, else the estimate (as the totals count it)
    ("any ROs over $10,000?", "search_repair_orders", {"cost_over": 10000}),
    ("ROs costing less than 500 dollars", "search_repair_orders", {"cost_under": 500}),
    (
        "open ROs at Avtech over $5k",
        "search_repair_orders",
        {"cost_over": 5000, "archive": "ACTIVE", "shop": "avtech"},
    ),
    ("ROs with a final cost over 5000", "search_repair_orders", {"cost_over": 5000}),
    # sent out: the day the unit went to the shop (an RO still TO SEND has none), not made
    (
        "how many ROs did we send out this month?",
        "search_repair_orders",
        {"dropped_off_from": "2026-11-01", "dropped_off_to": "2026-11-30"},
    ),
    (
        "ROs sent out to Avtech last month",
        "search_repair_orders",
        {"shop": "avtech", "dropped_off_from": "2026-10-01", "dropped_off_to": "2026-10-31"},
    ),
    (
        "ROs dropped off last week",
        "search_repair_orders",
        {"dropped_off_from": "2026-11-09", "dropped_off_to": "2026-11-15"},
    ),
    # at the shop (where the unit is, not a shop's name): since drop-off, while it is there
    (
        "ROs at the shop more than 60 days",
        "search_repair_orders",
        {"at_shop_for_more_than_days": 60},
    ),
    (
        "which ROs have been at the shop the longest?",
        "search_repair_orders",
        {"at_shop_for_more_than_days": 0, "sort": "dropped_off"},
    ),
    (
        "ROs at Avtech at the shop over 8 weeks",
        "search_repair_orders",
        {"at_shop_for_more_than_days": 56, "shop": "avtech"},
    ),
    (
        "units with the vendor for more than 90 days",
        "search_repair_orders",
        {"at_shop_for_more_than_days": 90},
    ),
    # the verb of a status change before the status: when they took it
    (
        "which ROs moved to in work this week?",
        "search_repair_orders",
        {"status": "IN WORK", "status_date_from": "2026-11-16", "status_date_to": "2026-11-22"},
    ),
    (
        "what went to received yesterday?",
        "search_repair_orders",
        {"status": "RECEIVED", "status_date_from": "2026-11-19", "status_date_to": "2026-11-19"},
    ),
    (
        "ROs put on hold last week",
        "search_repair_orders",
        {"status": "ON HOLD", "status_date_from": "2026-11-09", "status_date_to": "2026-11-15"},
    ),
    # ROs named by their outcome are those ROs (a status); a rate or a count is the report
    (
        "show me BER ROs from last month",
        "search_repair_orders",
        {"status": "BER", "status_date_from": "2026-10-01", "status_date_to": "2026-10-31"},
    ),
    ("RAI ROs at Avtech", "search_repair_orders", {"status": "RAI", "shop": "avtech"}),
    (
        "how many BER ROs at Avtech",
        "report",
        {"kind": "outcomes", "period": "this year", "shop": "avtech"},
    ),
    # the longest in a status first; sorts as people say them
    (
        "what's stuck in waiting quote the longest?",
        "search_repair_orders",
        {"status": "WAITING QUOTE", "sort": "status_date"},
    ),
    (
        "which ROs have been overdue the longest?",
        "search_repair_orders",
        {"overdue": True, "sort": "next_update"},
    ),
    (
        "show overdue ROs sorted by days overdue",
        "search_repair_orders",
        {"overdue": True, "sort": "next_update"},
    ),
    # "older than": with a status, that long in it (as a bulk move reads it); without, made then
    (
        "approved ROs older than 30 days",
        "search_repair_orders",
        {"status": "APPROVED", "in_status_for_more_than_days": 30},
    ),
    (
        "waiting quote ROs that are older than 2 weeks",
        "search_repair_orders",
        {"status": "WAITING QUOTE", "in_status_for_more_than_days": 14},
    ),
    (
        "open ROs at Avtech older than a month",
        "search_repair_orders",
        {"date_made_to": "2026-10-20", "archive": "ACTIVE", "shop": "avtech"},
    ),
    (
        "ROs at Avtech Hydraulics still in work",
        "search_repair_orders",
        {"status": "IN WORK", "shop": "avtech hydraulics"},
    ),
    (
        "waiting quote for over 14 days",
        "search_repair_orders",
        {"in_status_for_more_than_days": 14, "status": "WAITING QUOTE"},
    ),
    (
        "ROs waiting for quote > 10 days",
        "search_repair_orders",
        {"in_status_for_more_than_days": 10, "status": "WAITING QUOTE"},
    ),
    ("ROs for part 1706B", "search_repair_orders", {"part_number": "1706B"}),
    ("ROs with serial R28503", "search_repair_orders", {"serial_number": "R28503"}),
    ("any ROs for p/n 066-50008", "search_repair_orders", {"part_number": "066-50008"}),
    ("s/n R28503", "search_repair_orders", {"serial_number": "R28503"}),
    (
        "everything for part 066-50008 at avtech",
        "search_repair_orders",
        {"part_number": "066-50008", "archive": "ALL", "shop": "avtech"},
    ),
    (
        "shipped ROs with ETA passed",
        "search_repair_orders",
        {"eta_passed": True, "status": "SHIPPED"},
    ),
    ("ETA passed", "search_repair_orders", {"eta_passed": True}),
    ("which ROs missed their ETA", "report", {"kind": "on_time", "period": "this year"}),
    # "due back": ETA in the period and the part not back yet
    (
        "ROs due back before EOM",
        "search_repair_orders",
        {"eta_to": "2026-11-29", "status": NOT_BACK},
    ),
    (
        "what's due back this week",
        "search_repair_orders",
        {"eta_from": "2026-11-16", "eta_to": "2026-11-22", "status": NOT_BACK},
    ),
    (
        "ROs due next tuesday",
        "search_repair_orders",
        {"eta_from": "2026-11-24", "eta_to": "2026-11-24"},
    ),
    (
        "ROs made last month",
        "search_repair_orders",
        {"date_made_from": "2026-10-01", "date_made_to": "2026-10-31"},
    ),
    (
        "ROs created in Q3",
        "search_repair_orders",
        {"date_made_from": "2026-07-01", "date_made_to": "2026-09-30"},
    ),
    ("ROs opened since Nov 1", "search_repair_orders", {"date_made_from": "2026-11-01"}),
    ("ROs between 38000 and 38100", "search_repair_orders", {"ro_from": "38000", "ro_to": "38100"}),
    ("ROs from 38400 to 38420", "search_repair_orders", {"ro_from": "38400", "ro_to": "38420"}),
    ("ROs 38400 to 38420", "search_repair_orders", {"ro_from": "38400", "ro_to": "38420"}),
    # the desk's changes in a period (recent_changes); one RO's are its history
    ("what changed yesterday?", "recent_changes", {"period": "from 2026-11-19 to 2026-11-19"}),
    ("what changed?", "recent_changes", {"period": "from 2026-11-20 to 2026-11-20"}),
    ("anything happen today", "recent_changes", {"period": "from 2026-11-20 to 2026-11-20"}),
    # "I", "my": the person asking (the tool reads "me" as them)
    (
        "what did I do today?",
        "recent_changes",
        {"period": "from 2026-11-20 to 2026-11-20", "person": "me"},
    ),
    (
        "show me the ROs I changed this week",
        "recent_changes",
        {"period": "from 2026-11-16 to 2026-11-22", "person": "me"},
    ),
    (
        "my changes yesterday",
        "recent_changes",
        {"period": "from 2026-11-19 to 2026-11-19", "person": "me"},
    ),
    # who did the most: the feed, whose head counts each person's changes, most first
    (
        "who changed the most ROs this week?",
        "recent_changes",
        {"period": "from 2026-11-16 to 2026-11-22"},
    ),
    (
        "who was busiest last week at avtech",
        "recent_changes",
        {"period": "from 2026-11-09 to 2026-11-15", "shop": "avtech"},
    ),
    ("who did the most yesterday", "recent_changes", {"period": "from 2026-11-19 to 2026-11-19"}),
    (
        "which ROs changed since monday",
        "recent_changes",
        {"period": "from 2026-11-16 to 2026-11-20"},
    ),
    (
        "what did jordan do this week?",
        "recent_changes",
        {"period": "from 2026-11-16 to 2026-11-22", "person": "jordan"},
    ),
    (
        "changes by ana@genthrust.test last week",
        "recent_changes",
        {"period": "from 2026-11-09 to 2026-11-15", "person": "ana@genthrust.test"},
    ),
    (
        "anything happen at avtech today?",
        "recent_changes",
        {"period": "from 2026-11-20 to 2026-11-20", "shop": "avtech"},
    ),
    ("what changed on RO 38462 yesterday", "get_repair_order", {"ro_number": "38462"}),
    (
        "which shop has the fewest open ROs",
        "search_repair_orders",
        {"count_by": "shop", "archive": "ACTIVE"},
    ),
    ("which status has the least ROs?", "search_repair_orders", {"count_by": "status"}),
    (
        "how many ROs did we close last month",
        "recent_changes",
        {"period": "from 2026-10-01 to 2026-10-31", "kind": "archive"},
    ),
    (
        "what was archived yesterday?",
        "recent_changes",
        {"period": "from 2026-11-19 to 2026-11-19", "kind": "archive"},
    ),
    (
        "status changes today",
        "recent_changes",
        {"period": "from 2026-11-20 to 2026-11-20", "kind": "status"},
    ),
    (
        "what did jordan archive this week",
        "recent_changes",
        {"period": "from 2026-11-16 to 2026-11-22", "person": "jordan", "kind": "archive"},
    ),
    (
        "any notes added today",
        "recent_changes",
        {"period": "from 2026-11-20 to 2026-11-20", "kind": "notes"},
    ),
    (
        "ROs updated this week",
        "search_repair_orders",
        {"last_updated_from": "2026-11-16", "last_updated_to": "2026-11-22"},
    ),
    (
        "ros 38000-38100 at avtech",
        "search_repair_orders",
        {"ro_from": "38000", "ro_to": "38100", "shop": "avtech"},
    ),
    (
        "in work at avtech hydraulics sorted by eta",
        "search_repair_orders",
        {"sort": "eta", "status": "IN WORK", "shop": "avtech hydraulics"},
    ),
    (
        "approved ROs newest first",
        "search_repair_orders",
        {"sort": "-date_made", "status": "APPROVED"},
    ),
    (
        "waiting quote ROs next update this week",
        "search_repair_orders",
        {
            "next_update_from": "2026-11-16",
            "next_update_to": "2026-11-22",
            "status": "WAITING QUOTE",
        },
    ),
    ("ROs mentioning corrosion", "search_repair_orders", {"text": "corrosion"}),
    ("ROs about hydraulic pump", "search_repair_orders", {"text": "hydraulic pump"}),
    # the notes named: not a shop called NOTES
    ("list ROs with notes mentioning corrosion", "search_repair_orders", {"text": "corrosion"}),
    ("ROs whose notes say corrosion", "search_repair_orders", {"text": "corrosion"}),
    ("ROs with notes about the seal kit", "search_repair_orders", {"text": "seal kit"}),
    (
        "ROs at Avtech with notes mentioning seal",
        "search_repair_orders",
        {"text": "seal", "shop": "avtech"},
    ),
    ("open ROs with Avtech", "search_repair_orders", {"archive": "ACTIVE", "shop": "avtech"}),
    ("any ROs stuck on hold", "search_repair_orders", {"status": "ON HOLD"}),
    ("what's waiting on approval", "pending_approvals", {}),
    ("list ROs where the ETA slipped", "search_repair_orders", {"eta_passed": True}),
    # back but not paid: RECEIVED or COMPLETE — never the Paid archive
    (
        "which units are back but not paid",
        "search_repair_orders",
        {"status": "RECEIVED, COMPLETE"},
    ),
    (
        "unpaid ROs at Avtech",
        "search_repair_orders",
        {"status": "RECEIVED, COMPLETE", "shop": "avtech"},
    ),
    # not back yet (not yet shipped back: before SHIPPED too)
    (
        "anything not received",
        "search_repair_orders",
        {"status": NOT_BACK},
    ),
    (
        "ROs that haven't shipped yet",
        "search_repair_orders",
        {"status": "TO SEND, WAITING QUOTE, APPROVED, IN WORK, ON HOLD"},
    ),
    ("approved but not shipped", "search_repair_orders", {"status": "APPROVED"}),
    # stock said as people say it
    ("how many starters do we have", "search_inventory", {"query": "starter", "limit": 10}),
    ("where is part 9550-C stored", "search_inventory", {"query": "9550-C", "limit": 10}),
    ("what's out of stock", "low_stock", {"threshold": 1}),
    # a list by follow-up date, not a follow-up email
    (
        "ROs to follow up tomorrow",
        "search_repair_orders",
        {"next_update_from": "2026-11-21", "next_update_to": "2026-11-21"},
    ),
    # by cost as the totals count it (the final cost, else the estimate)
    ("what's our biggest open RO", "search_repair_orders", {"sort": "-cost", "archive": "ACTIVE"}),
    ("the most expensive open ROs", "search_repair_orders", {"sort": "-cost", "archive": "ACTIVE"}),
    ("most expensive ROs at Avtech", "search_repair_orders", {"sort": "-cost", "shop": "avtech"}),
    ("cheapest open ROs", "search_repair_orders", {"sort": "cost", "archive": "ACTIVE"}),
    ("open ROs sorted by cost", "search_repair_orders", {"sort": "-cost", "archive": "ACTIVE"}),
    # a part asked about by its words: description, work, notes
    (
        "what's the status of the starter generator at Avtech",
        "search_repair_orders",
        {"text": "starter generator", "shop": "avtech"},
    ),
    ("where is our air cycle machine", "search_repair_orders", {"text": "air cycle machine"}),
    # a period ahead: today and the days after it
    (
        "show me ROs with ETA in the next 7 days",
        "search_repair_orders",
        {"eta_from": "2026-11-20", "eta_to": "2026-11-27"},
    ),
    # the time said before the place: still the time at the shop, not in the status
    ("ROs over 30 days at the shop", "search_repair_orders", {"at_shop_for_more_than_days": 30}),
    (
        "which ROs have been more than 6 weeks with the vendor",
        "search_repair_orders",
        {"at_shop_for_more_than_days": 42},
    ),
    ("paid archive", "search_repair_orders", {"archive": "PAID"}),
    ("returns", "search_repair_orders", {"archive": "RETURNS"}),
    ("net archive ROs at avtech", "search_repair_orders", {"archive": "NET", "shop": "avtech"}),
    (
        "show me everything at Dallas Airmotive",
        "search_repair_orders",
        {"archive": "ALL", "shop": "dallas airmotive"},
    ),
    ("what's in work", "search_repair_orders", {"status": "IN WORK"}),
    ("being repaired", "search_repair_orders", {"status": "IN WORK"}),
    ("shipped", "search_repair_orders", {"status": "SHIPPED"}),
    ("ROs on hold", "search_repair_orders", {"status": "ON HOLD"}),
    (
        "list ROs with the blue widget flux",
        "search_repair_orders",
        {"shop": "the blue widget flux"},
    ),
    (
        "set RO 38103 and 38408 to APPROVED",
        "bulk_update_status",
        {"ro_numbers": ["38103", "38408"], "new_status": "APPROVED"},
    ),
    (
        "set 38103 and 38408 to approved",
        "bulk_update_status",
        {"ro_numbers": ["38103", "38408"], "new_status": "APPROVED"},
    ),
    (
        "mark 38103, 38408 and 38410 as shipped",
        "bulk_update_status",
        {"ro_numbers": ["38103", "38408", "38410"], "new_status": "SHIPPED"},
    ),
    (
        "mark every SHIPPED RO at Avtech received",
        "bulk_update_status",
        {"new_status": "RECEIVED", "status": "SHIPPED", "shop": "avtech"},
    ),
    (
        "set all waiting quote ROs at avtech to approved",
        "bulk_update_status",
        {"new_status": "APPROVED", "status": "WAITING QUOTE", "shop": "avtech"},
    ),
    # "move ... to" a status is a status change; to an archive, a move between archives
    (
        "move all waiting quote ROs at Avtech to approved",
        "bulk_update_status",
        {"new_status": "APPROVED", "status": "WAITING QUOTE", "shop": "avtech"},
    ),
    (
        "move 38103 and 38408 to in work",
        "bulk_update_status",
        {"ro_numbers": ["38103", "38408"], "new_status": "IN WORK"},
    ),
    (
        "move all shipped ROs at Avtech to paid",
        "bulk_archive",
        {"status": "SHIPPED", "shop": "avtech", "archive": "PAID"},
    ),
    (
        "archive all PAID ROs older than 90 days",
        "bulk_archive",
        {"status": "PAID", "older_than_days": 90},
    ),
    ("archive 38103 and 38408", "bulk_archive", {"ro_numbers": ["38103", "38408"]}),
    ("mark 38030 received", "update_status", {"ro_number": "38030", "new_status": "received"}),
    ("mark G38030 as received", "update_status", {"ro_number": "38030", "new_status": "received"}),
    ("38030 is shipped", "update_status", {"ro_number": "38030", "new_status": "shipped"}),
    ("set RO 38462 to APPROVED", "update_status", {"ro_number": "38462", "new_status": "APPROVED"}),
    (
        "set ETA of RO 38462 to 2026-12-15",
        "update_repair_order",
        {"ro_number": "38462", "changes": {"estimated_delivery": "2026-12-15"}},
    ),
    (
        "set tracking for 38462 to 1Z999AA10123456784",
        "update_repair_order",
        {"ro_number": "38462", "changes": {"tracking_number": "1Z999AA10123456784"}},
    ),
    (
        "set final cost of RO 38462 to 2,750.00",
        "update_repair_order",
        {"ro_number": "38462", "changes": {"final_cost": "2,750.00"}},
    ),
    ("archive RO 38462", "archive_repair_order", {"ro_number": "38462"}),
    ("archive RO 38462 to paid", "archive_repair_order", {"ro_number": "38462", "archive": "PAID"}),
    ("shops", "list_shops", {}),
    ("list shops with their emails", "list_shops", {}),
    ("shop emails", "list_shops", {}),
    ("email of Avtech Hydraulics", "get_shop", {"shop": "avtech hydraulics"}),
    ("what is the phone number for avtech", "get_shop", {"shop": "avtech"}),
    ("list shops", "list_shops", {}),
    ("find shop avtech", "list_shops", {"query": "avtech"}),
    ("shops like dallas", "list_shops", {"query": "dallas"}),
    ("show shop Avtech", "get_shop", {"shop": "avtech"}),
    # an RO named with "shop" is the RO (its card lists the others open at its shop)
    (
        "show me RO 38159 and what else went to that shop",
        "get_repair_order",
        {"ro_number": "38159"},
    ),
    ("show me the shop for RO 38159", "get_repair_order", {"ro_number": "38159"}),
    ("tell me about shop Avtech Hydraulics", "get_shop", {"shop": "avtech hydraulics"}),
    ("contact for Avtech", "get_shop", {"shop": "avtech"}),
    ("who is the contact at Avtech", "get_shop", {"shop": "avtech"}),
    ("who's our contact person for moog", "get_shop", {"shop": "moog"}),
    ("what's the email for Avtech", "get_shop", {"shop": "avtech"}),
    (
        "set email of Avtech Hydraulics to repairs@avtech.example",
        "update_shop",
        {"shop": "Avtech Hydraulics", "email": "repairs@avtech.example"},
    ),
    (
        "change phone of Dallas Airmotive to 214-555-0100",
        "update_shop",
        {"shop": "Dallas Airmotive", "phone": "214-555-0100"},
    ),
    (
        "Avtech's email is quotes@avtech.example",
        "update_shop",
        {"shop": "Avtech", "email": "quotes@avtech.example"},
    ),
    ("follow up with every shop that has overdue ROs", "draft_follow_ups_by_shop", {}),
    ("follow up with all shops", "draft_follow_ups_by_shop", {}),
    ("chase all shops with overdue ROs", "draft_follow_ups_by_shop", {}),
    ("follow up with Avtech", "draft_follow_ups_by_shop", {"shop": "avtech"}),
    ("draft a follow-up for RO 38462", "draft_email", {"ro_number": "38462"}),
    ("email the shop about RO 38462", "draft_email", {"ro_number": "38462"}),
    ("pending drafts", "list_email_drafts", {}),
    ("email history", "email_history", {}),
    ("dashboard", "dashboard", {}),
    ("low stock", "low_stock", {}),
    ("find part 066-50008", "search_inventory", {"query": "066-50008", "limit": 10}),
    # a part number's start: stock lines, or the ROs of those parts when ROs are asked for
    ("any part numbers starting with 066?", "search_inventory", {"query": "066", "limit": 10}),
    ("parts that begin with AN6", "search_inventory", {"query": "AN6", "limit": 10}),
    ("ROs for part numbers starting with 066", "search_repair_orders", {"part_number": "066"}),
    (
        "open ROs with P/Ns beginning with 066",
        "search_repair_orders",
        {"part_number": "066", "archive": "ACTIVE"},
    ),
    ("who has not answered yet", "inbox", {}),
    ("what is in stock for 066-50008?", "search_inventory", {"query": "066-50008", "limit": 10}),
    ("anything on hand for part AN6-12", "search_inventory", {"query": "AN6-12", "limit": 10}),
    ("what parts did we use on RO 38462", "get_repair_order", {"ro_number": "38462"}),
    # stock for an RO's part: the RO first (its part number is then searched in stock)
    ("what's in stock for RO 38462", "get_repair_order", {"ro_number": "38462"}),
    ("is the part for RO 38462 in stock?", "get_repair_order", {"ro_number": "38462"}),
    ("do we have the part of RO G38106 on hand", "get_repair_order", {"ro_number": "38106"}),
    (
        "shipped but no tracking number",
        "search_repair_orders",
        {"status": "SHIPPED", "missing": ["tracking_number"]},
    ),
    (
        "do we have a starter generator",
        "search_inventory",
        {"query": "starter generator", "limit": 10},
    ),
    ("find starter", "search_inventory", {"query": "starter", "limit": 10}),
    (
        "use part 066-50008 on RO 38462",
        "use_part",
        {"part_number": "066-50008", "ro_number": "38462"},
    ),
    (
        "new RO for part 066-50008 at Avtech Hydraulics",
        "create_repair_order",
        {"part_number": "066-50008", "shop_name": "Avtech Hydraulics"},
    ),
    ("sync excel", "sync_excel", {"full": True}),
    ("excel status", "excel_status", {}),
    ("pending approvals", "pending_approvals", {}),
    (
        "how much did we spend with each shop this year",
        "report",
        {"kind": "spend_by_shop", "period": "this year"},
    ),
    ("spend by shop last year", "report", {"kind": "spend_by_shop", "period": "last year"}),
    (
        "what did the ROs we sent to Avtech last month cost",
        "report",
        {"kind": "spend_by_shop", "period": "last month", "shop": "avtech"},
    ),
    (
        "what did we spend per month in 2026",
        "report",
        {"kind": "spend_by_month", "period": "2026"},
    ),
    (
        "spend at Avtech last month",
        "report",
        {"kind": "spend_by_shop", "period": "last month", "shop": "avtech"},
    ),
    (
        "what did we spend from March to May",
        "report",
        {"kind": "spend_by_shop", "period": "from march to may"},
    ),
    (
        "spend with avtech between jan and mar 2026",
        "report",
        {"kind": "spend_by_shop", "period": "between jan and mar 2026", "shop": "avtech"},
    ),
    ("spend on RO 2026", "get_repair_order", {"ro_number": "2026"}),
    # a number said to be a part, or asked about as stock, is a part number; "find 38462" an RO
    ("find part 7011460", "search_inventory", {"query": "7011460", "limit": 10}),
    ("look up part number 7011460", "search_inventory", {"query": "7011460", "limit": 10}),
    ("part 7011460 in stock?", "search_inventory", {"query": "7011460", "limit": 10}),
    ("do we have 7011460", "search_inventory", {"query": "7011460", "limit": 10}),
    ("search stock 7011460", "search_inventory", {"query": "7011460", "limit": 10}),
    ("is MS24567-12 in stock", "search_inventory", {"query": "MS24567-12", "limit": 10}),
    # "how many ... in stock": the stock of what is named (not RO 066, its first digits)
    (
        "how many do we have in stock of 066-50008?",
        "search_inventory",
        {"query": "066-50008", "limit": 10},
    ),
    (
        "how many starter generators are on hand",
        "search_inventory",
        {"query": "starter generators", "limit": 10},
    ),
    ("find 38462", "get_repair_order", {"ro_number": "38462"}),
    ("do we have ROs at Avtech", "search_repair_orders", {"shop": "avtech"}),
    ("monthly spend this year", "report", {"kind": "spend_by_month", "period": "this year"}),
    (
        "which shop is slowest on hydraulic pumps?",
        "report",
        {"kind": "turnaround", "period": "this year", "part": "hydraulic pumps"},
    ),
    ("turnaround by shop Q3", "report", {"kind": "turnaround", "period": "q3"}),
    ("TAT per shop last 90 days", "report", {"kind": "turnaround", "period": "last 90 days"}),
    ("how long do shops take to quote", "report", {"kind": "quote_latency", "period": "this year"}),
    ("quote latency this year", "report", {"kind": "quote_latency", "period": "this year"}),
    ("on-time rate by shop", "report", {"kind": "on_time", "period": "this year"}),
    ("which shops deliver late", "report", {"kind": "on_time", "period": "this year"}),
    (
        "which shops were late against the ETA last quarter?",
        "report",
        {"kind": "on_time", "period": "last quarter"},
    ),
    ("ROs late against their ETA", "search_repair_orders", {"eta_passed": True}),
    # "for" a shop (it showed every shop's turnaround and did not say so)
    (
        "what was the turnaround for Avtech in Q3?",
        "report",
        {"kind": "turnaround", "period": "q3", "shop": "avtech"},
    ),
    (
        "on time rate for dallas airmotive",
        "report",
        {"kind": "on_time", "period": "this year", "shop": "dallas airmotive"},
    ),
    (
        "turnaround for hydraulic pumps this year",
        "report",
        {"kind": "turnaround", "period": "this year", "part": "hydraulic pumps"},
    ),
    ("BER rate by shop this year", "report", {"kind": "outcomes", "period": "this year"}),
    (
        "scrap rate at Avtech",
        "report",
        {"kind": "outcomes", "period": "this year", "shop": "avtech"},
    ),
    ("certificate mismatches by shop", "report", {"kind": "certificates", "period": "this year"}),
    (
        "which shops send parts back without a valid 8130",
        "report",
        {"kind": "certificates", "period": "this year"},
    ),
    (
        "ROs received without a release certificate last quarter",
        "report",
        {"kind": "certificates", "period": "last quarter"},
    ),
    (
        "missing 8130-3s at Avtech this year",
        "report",
        {"kind": "certificates", "period": "this year", "shop": "avtech"},
    ),
    ("cert overrides per shop Q3", "report", {"kind": "certificates", "period": "q3"}),
    (
        "export ROs for part 1706B",
        "export",
        {
            "what": "ro_list",
            "format": "xlsx",
            "filters": {"part_number": "1706B", "archive": "ALL"},
        },
    ),
    (
        "export overdue to excel",
        "export",
        {"what": "ro_list", "format": "xlsx", "filters": {"overdue": True, "archive": "ACTIVE"}},
    ),
    (
        "send me the overdue list as Excel",
        "export",
        {"what": "ro_list", "format": "xlsx", "filters": {"overdue": True, "archive": "ACTIVE"}},
    ),
    (
        "export waiting quote ROs at avtech as csv",
        "export",
        {
            "what": "ro_list",
            "format": "csv",
            "filters": {"status": "WAITING QUOTE", "shop": "avtech", "archive": "ALL"},
        },
    ),
    (
        "export spend by shop this year as csv",
        "export",
        {"what": "spend_by_shop", "format": "csv", "period": "this year"},
    ),
    (
        "download the turnaround report for Q3",
        "export",
        {"what": "turnaround", "format": "xlsx", "period": "q3"},
    ),
    ("mark 38462 as BER", "update_status", {"ro_number": "38462", "new_status": "BER"}),
    ("show RO# 38462", "get_repair_order", {"ro_number": "38462"}),
    ("RO38462", "get_repair_order", {"ro_number": "38462"}),
    ("status g38462", "get_repair_order", {"ro_number": "38462"}),
    ("whats up with 38462", "get_repair_order", {"ro_number": "38462"}),
    ("RO 38462 details", "get_repair_order", {"ro_number": "38462"}),
    # a question about one RO named "RO n" is about that RO, not a list (its "RO" is no "ROs")
    ("is RO 38462 overdue?", "get_repair_order", {"ro_number": "38462"}),
    ("RO 38462, is it late?", "get_repair_order", {"ro_number": "38462"}),
    ("has RO G38462 shipped?", "get_repair_order", {"ro_number": "38462"}),
    ("has RO 38462 shipped?", "get_repair_order", {"ro_number": "38462"}),
    # every match counted per shop or status, not a page of them listed
    (
        "who has the most ROs waiting for a quote?",
        "search_repair_orders",
        {"count_by": "shop", "status": "WAITING QUOTE"},
    ),
    (
        "which shop has the most overdue ROs?",
        "search_repair_orders",
        {"count_by": "shop", "overdue": True},
    ),
    (
        "waiting quote ROs by shop",
        "search_repair_orders",
        {"count_by": "shop", "status": "WAITING QUOTE"},
    ),
    ("open ROs per status", "search_repair_orders", {"count_by": "status", "archive": "ACTIVE"}),
    (
        "what's overdue at the shops with the most late work?",
        "search_repair_orders",
        {"count_by": "shop", "overdue": True},
    ),
    # "at the shops" is every shop, not one named "the shops"
    ("open ROs at the shops", "search_repair_orders", {"archive": "ACTIVE"}),
    ("overdue work with any vendor", "search_repair_orders", {"overdue": True}),
    # ... but "sorted by status date" is an order
    (
        "overdue sorted by status date",
        "search_repair_orders",
        {"overdue": True, "sort": "status_date"},
    ),
    (
        "how many ROs at avtech by status",
        "search_repair_orders",
        {"count_by": "status", "shop": "avtech"},
    ),
    # "came back": the day the unit first came back (status history), whatever its status now
    (
        "which ROs came back this week?",
        "search_repair_orders",
        {"came_back_from": "2026-11-16", "came_back_to": "2026-11-22"},
    ),
    (
        "what came back from Avtech last month",
        "search_repair_orders",
        {"came_back_from": "2026-10-01", "came_back_to": "2026-10-31", "shop": "avtech"},
    ),
    (
        "ROs returned in October",
        "search_repair_orders",
        {"came_back_from": "2026-10-01", "came_back_to": "2026-10-31"},
    ),
    ("has anything come back?", "search_repair_orders", {"came_back_to": "2026-11-20"}),
    # one RO's changes in a period: its card, the answer picks the changes out (not the ROs made
    # since then)
    ("anything happen on 38301 since monday?", "get_repair_order", {"ro_number": "38301"}),
    (
        "what was done on RO 38301 between 11/1 and 11/15",
        "get_repair_order",
        {"ro_number": "38301"},
    ),
    # what the matches are worth: every match's costs summed (final, else the estimate)
    (
        "what are the open ROs at Avtech worth?",
        "search_repair_orders",
        {"totals": True, "archive": "ACTIVE", "shop": "avtech"},
    ),
    (
        "total value of ROs waiting quote",
        "search_repair_orders",
        {"totals": True, "status": "WAITING QUOTE"},
    ),
    # one RO's value: its card (estimate and final cost), not every RO's total
    ("what's the value of RO 38462?", "get_repair_order", {"ro_number": "38462"}),
    (
        "how much money is tied up in overdue ROs?",
        "search_repair_orders",
        {"totals": True, "overdue": True},
    ),
    # "right now", "currently", "out for repair": the ROs out there, open — unless a status says
    (
        "how many ROs are at Avtech right now?",
        "search_repair_orders",
        {"archive": "ACTIVE", "shop": "avtech"},
    ),
    ("what's out for repair at the moment?", "search_repair_orders", {"archive": "ACTIVE"}),
    (
        "which ROs are currently in work at Avtech?",
        "search_repair_orders",
        {"status": "IN WORK", "shop": "avtech"},
    ),
    # blank fields the desk chases: "no tracking number", "without an ETA"
    (
        "ROs with no tracking number that are shipped",
        "search_repair_orders",
        {"missing": ["tracking_number"], "status": "SHIPPED"},
    ),
    (
        "shipped ROs with no tracking number",
        "search_repair_orders",
        {"missing": ["tracking_number"], "status": "SHIPPED"},
    ),
    (
        "export the paid ROs with no final cost",
        "export",
        {
            "what": "ro_list",
            "format": "xlsx",
            "filters": {"missing": ["final_cost"], "archive": "PAID"},
        },
    ),
    (
        "open ROs at Avtech without an ETA or a cost",
        "search_repair_orders",
        {"missing": ["eta", "estimated_cost"], "archive": "ACTIVE", "shop": "avtech"},
    ),
    (  # a blank the desk chases: open ROs (every closed one has no follow-up date)
        "which ROs have no follow-up date?",
        "search_repair_orders",
        {"missing": ["next_update"], "archive": "ACTIVE"},
    ),
    ("which ROs have no ETA?", "search_repair_orders", {"missing": ["eta"], "archive": "ACTIVE"}),
    (
        "which open ROs have no shop reference yet?",
        "search_repair_orders",
        {"missing": ["shop_ref"], "archive": "ACTIVE"},
    ),
    (
        "paid ROs missing a final cost",
        "search_repair_orders",
        {"missing": ["final_cost"], "archive": "PAID"},
    ),
    (
        "RO's with no serial number by shop",
        "search_repair_orders",
        {"missing": ["serial_number"], "count_by": "shop"},
    ),
    # ... "returned as is" is still the status RAI
    ("open ROs returned as is", "search_repair_orders", {"archive": "ACTIVE", "status": "RAI"}),
    # "the most overdue RO": found first (then drafted or opened: test_offline_corpus.py)
    (
        "draft a follow-up for the oldest overdue RO",
        "search_repair_orders",
        {"overdue": True, "sort": "next_update", "limit": 1},
    ),
    (
        "chase the most overdue one at Avtech",
        "search_repair_orders",
        {"shop": "avtech", "overdue": True, "sort": "next_update", "limit": 1},
    ),
    (
        "which is the most overdue RO?",
        "search_repair_orders",
        {"overdue": True, "sort": "next_update", "limit": 1},
    ),
    # "open RO n" opens that RO's card; "open a new RO" is a new one
    ("open RO 38462", "get_repair_order", {"ro_number": "38462"}),
    ("open ro #G38462", "get_repair_order", {"ro_number": "38462"}),
    # the RO named first is the "it" of the rest
    (
        "RO 38462, set it to received",
        "update_status",
        {"ro_number": "38462", "new_status": "received"},
    ),
    ("RO 38462: archive it", "archive_repair_order", {"ro_number": "38462"}),
    ("G38462; draft a follow-up for it", "draft_email", {"ro_number": "38462"}),
    ("lookup 38462", "get_repair_order", {"ro_number": "38462"}),
    ("overdue at avtech", "search_repair_orders", {"overdue": True, "shop": "avtech"}),
    (
        "whats late at dallas airmotive",
        "search_repair_orders",
        {"overdue": True, "shop": "dallas airmotive"},
    ),
    ("overdue ROs sorted by eta", "search_repair_orders", {"sort": "eta", "overdue": True}),
    ("overdue in work ROs", "search_repair_orders", {"overdue": True, "status": "IN WORK"}),
    (
        "late ROs at avtech hydraulics",
        "search_repair_orders",
        {"overdue": True, "shop": "avtech hydraulics"},
    ),
    ("wating quote ROs", "search_repair_orders", {"status": "WAITING QUOTE"}),
    ("awaiting quote ROs", "search_repair_orders", {"status": "WAITING QUOTE"}),
    ("ROs pending quote", "search_repair_orders", {"status": "WAITING QUOTE"}),
    ("ROs in progress", "search_repair_orders", {"status": "IN WORK"}),
    ("in transit ROs", "search_repair_orders", {"status": "SHIPPED"}),
    ("ROs being shipped", "search_repair_orders", {"status": "SHIPPED"}),
    ("received ROs", "search_repair_orders", {"status": "RECEIVED"}),
    (
        "ROs waiting quote since Nov 1",
        "search_repair_orders",
        {"status_date_from": "2026-11-01", "status": "WAITING QUOTE"},
    ),
    (
        "ROs approved more than 10 days ago",
        "search_repair_orders",
        {"in_status_for_more_than_days": 10, "status": "APPROVED"},
    ),
    (
        "approved for over 3 weeks",
        "search_repair_orders",
        {"in_status_for_more_than_days": 21, "status": "APPROVED"},
    ),
    (
        "ROs in work for more than 30 days",
        "search_repair_orders",
        {"in_status_for_more_than_days": 30, "status": "IN WORK"},
    ),
    (
        "shipped for more than 5 days",
        "search_repair_orders",
        {"in_status_for_more_than_days": 5, "status": "SHIPPED"},
    ),
    ("ROs due by EOM", "search_repair_orders", {"eta_to": "2026-11-30"}),
    (
        "ROs due back 12/15",
        "search_repair_orders",
        {"eta_from": "2026-12-15", "eta_to": "2026-12-15", "status": NOT_BACK},
    ),
    (
        "ROs due back by 12/15/26",
        "search_repair_orders",
        {"eta_to": "2026-12-15", "status": NOT_BACK},
    ),
    (
        "ROs with ETA next tuesday",
        "search_repair_orders",
        {"eta_from": "2026-11-24", "eta_to": "2026-11-24"},
    ),
    (
        "ROs with next update tomorrow",
        "search_repair_orders",
        {"next_update_from": "2026-11-21", "next_update_to": "2026-11-21"},
    ),
    (
        "what needs chasing this week",
        "search_repair_orders",
        {"next_update_from": "2026-11-16", "next_update_to": "2026-11-22"},
    ),
    (
        "ROs updated today",
        "search_repair_orders",
        {"last_updated_from": "2026-11-20", "last_updated_to": "2026-11-20"},
    ),
    (
        "ROs made this month",
        "search_repair_orders",
        {"date_made_from": "2026-11-01", "date_made_to": "2026-11-30"},
    ),
    (
        "ROs made in November",
        "search_repair_orders",
        {"date_made_from": "2026-11-01", "date_made_to": "2026-11-30"},
    ),
    (
        "ROs made from 11/1 to 11/15",
        "search_repair_orders",
        {"date_made_from": "2026-11-01", "date_made_to": "2026-11-15"},
    ),
    (
        "ROs made between Nov 1 and Nov 15",
        "search_repair_orders",
        {"date_made_from": "2026-11-01", "date_made_to": "2026-11-15"},
    ),
    ("ROs made before 10/1", "search_repair_orders", {"date_made_to": "2026-09-30"}),
    (
        "ROs from 38000 to 38050 at avtech",
        "search_repair_orders",
        {"ro_from": "38000", "ro_to": "38050", "shop": "avtech"},
    ),
    (
        "ROs for part 066-50008 at avtech that are overdue",
        "search_repair_orders",
        {"overdue": True, "part_number": "066-50008", "shop": "avtech"},
    ),
    (
        "ROs for pn 1706B in the paid archive",
        "search_repair_orders",
        {"part_number": "1706B", "archive": "PAID"},
    ),
    ("all ROs for serial R28503", "search_repair_orders", {"serial_number": "R28503"}),
    ("which ROs have serial number R28503", "search_repair_orders", {"serial_number": "R28503"}),
    ("ROs with s/n R-28503", "search_repair_orders", {"serial_number": "R-28503"}),
    (
        "everything for p/n 066 50008",
        "search_repair_orders",
        {"part_number": "066 50008", "archive": "ALL"},
    ),
    ("ROs in the net archive", "search_repair_orders", {"archive": "NET"}),
    ("ROs in the returns archive", "search_repair_orders", {"archive": "RETURNS"}),
    ("show returns", "search_repair_orders", {"archive": "RETURNS"}),
    ("net", "search_repair_orders", {"archive": "NET"}),
    ("Returns?", "search_repair_orders", {"archive": "RETURNS"}),
    ("NET", "search_repair_orders", {"archive": "NET"}),
    ("all archives", "search_repair_orders", {"archive": "ALL"}),
    (
        "which shop takes longest to return parts on average?",
        "report",
        {"kind": "turnaround", "period": "this year"},
    ),
    (
        "how long do shops take to return parts",
        "report",
        {"kind": "turnaround", "period": "this year"},
    ),
    ("paid ROs at avtech", "search_repair_orders", {"archive": "PAID", "shop": "avtech"}),
    (
        "set 38103 & 38408 to in work",
        "bulk_update_status",
        {"ro_numbers": ["38103", "38408"], "new_status": "IN WORK"},
    ),
    (
        "mark 38103 and 38408 received",
        "bulk_update_status",
        {"ro_numbers": ["38103", "38408"], "new_status": "RECEIVED"},
    ),
    (
        "set ROs 38103, 38408 to approved",
        "bulk_update_status",
        {"ro_numbers": ["38103", "38408"], "new_status": "APPROVED"},
    ),
    (
        "archive ROs 38103 and 38408 to returns",
        "bulk_archive",
        {"ro_numbers": ["38103", "38408"], "archive": "RETURNS"},
    ),
    (
        "mark all shipped ROs at dallas airmotive received",
        "bulk_update_status",
        {"new_status": "RECEIVED", "status": "SHIPPED", "shop": "dallas airmotive"},
    ),
    ("archive all paid ROs", "bulk_archive", {"status": "PAID"}),
    (
        "update email of Dallas Airmotive to repairs@dallas.example",
        "update_shop",
        {"shop": "Dallas Airmotive", "email": "repairs@dallas.example"},
    ),
    ("set terms of Avtech to NET 45", "update_shop", {"shop": "Avtech", "terms": "NET 45"}),
    (
        "set contact for avtech to Jane Doe",
        "update_shop",
        {"shop": "avtech", "contact": "Jane Doe"},
    ),
    ("vendors", "list_shops", {}),
    ("search shop dallas", "list_shops", {"query": "dallas"}),
    ("shop avtech scorecard", "get_shop", {"shop": "avtech"}),
    ("follow up with each shop that has overdue ROs", "draft_follow_ups_by_shop", {}),
    ("follow up with dallas airmotive", "draft_follow_ups_by_shop", {"shop": "dallas airmotive"}),
    ("draft follow-ups for every shop", "draft_follow_ups_by_shop", {}),
    ("spend by shop Q3", "report", {"kind": "spend_by_shop", "period": "q3"}),
    ("spend this year", "report", {"kind": "spend_by_shop", "period": "this year"}),
    (
        "what did we spend with Avtech last year",
        "report",
        {"kind": "spend_by_shop", "period": "last year", "shop": "avtech"},
    ),
    (
        "turnaround at avtech this year",
        "report",
        {"kind": "turnaround", "period": "this year", "shop": "avtech"},
    ),
    (
        "which shop is fastest on starters",
        "report",
        {"kind": "turnaround", "period": "this year", "part": "starters"},
    ),
    ("on time rate last 90 days", "report", {"kind": "on_time", "period": "last 90 days"}),
    ("RAI rate by shop", "report", {"kind": "outcomes", "period": "this year"}),
    (
        "export overdue ROs as csv",
        "export",
        {"what": "ro_list", "format": "csv", "filters": {"overdue": True, "archive": "ACTIVE"}},
    ),
    (
        "download overdue list",
        "export",
        {"what": "ro_list", "format": "xlsx", "filters": {"overdue": True, "archive": "ACTIVE"}},
    ),
    (
        "export the spend by month report",
        "export",
        {"what": "spend_by_month", "format": "xlsx", "period": "this year"},
    ),
    ("set RO 38462 to approved", "update_status", {"ro_number": "38462", "new_status": "approved"}),
    ("38462 is received", "update_status", {"ro_number": "38462", "new_status": "received"}),
    ("G38462 is now shipped", "update_status", {"ro_number": "38462", "new_status": "shipped"}),
    (
        "set ETA of 38462 to next tuesday",
        "update_repair_order",
        {"ro_number": "38462", "changes": {"estimated_delivery": "2026-11-24"}},
    ),
    (
        "set eta for RO 38462 to 12/15",
        "update_repair_order",
        {"ro_number": "38462", "changes": {"estimated_delivery": "2026-12-15"}},
    ),
    # said in November, a January date is next January (TODAY is 2026-11-20)
    (
        "set the ETA of 38462 to 1/8",
        "update_repair_order",
        {"ro_number": "38462", "changes": {"estimated_delivery": "2027-01-08"}},
    ),
    (
        "change next update of 38462 to in 2 weeks",
        "update_repair_order",
        {"ro_number": "38462", "changes": {"next_update": "2026-12-04"}},
    ),
    # the verb is the status; an archive said as "the Paid archive" is an archive, not a status
    ("cancel RO 38462", "update_status", {"ro_number": "38462", "new_status": "CANCELLED"}),
    ("scrap 38463", "update_status", {"ro_number": "38463", "new_status": "SCRAP"}),
    (
        "move 38462 to the paid archive",
        "archive_repair_order",
        {"ro_number": "38462", "archive": "PAID"},
    ),
    (
        "mark 38462 shipped with tracking 1Z999AA10123",
        "update_status",
        {"ro_number": "38462", "new_status": "shipped"},
    ),
    (
        "mark 38035 shipped with tracking 1Z999AA10123",
        "update_status",
        {"ro_number": "38035", "new_status": "shipped"},
    ),
    (
        "add a note to RO 38011: shop called, seal kit on order",
        "get_repair_order",
        {"ro_number": "38011"},
    ),
    # a note is added to the RO's notes: the RO is looked up first (its notes then proposed)
    ("add a note to 38462: shop called, seal kit", "get_repair_order", {"ro_number": "38462"}),
    ("note on RO 38463 - customer asked to expedite", "get_repair_order", {"ro_number": "38463"}),
    (
        "set cost of 38462 to 1500",
        "update_repair_order",
        {"ro_number": "38462", "changes": {"estimated_cost": "1500"}},
    ),
    (
        "set notes of RO 38462 to waiting on parts",
        "update_repair_order",
        {"ro_number": "38462", "changes": {"notes": "waiting on parts"}},
    ),
    ("archive 38462 to net", "archive_repair_order", {"ro_number": "38462", "archive": "NET"}),
    ("move RO 38462 to paid", "archive_repair_order", {"ro_number": "38462", "archive": "PAID"}),
    (
        "use part 066-50008 for 38462",
        "use_part",
        {"part_number": "066-50008", "ro_number": "38462"},
    ),
    (
        "open a new RO for part 066-50008 at Avtech Hydraulics",
        "create_repair_order",
        {"part_number": "066-50008", "shop_name": "Avtech Hydraulics"},
    ),
    (
        "create RO for part 1706B with Dallas Airmotive",
        "create_repair_order",
        {"part_number": "1706B", "shop_name": "Dallas Airmotive"},
    ),
    (  # issue #14: every field of a new RO, in any order; the shop as typed (matched later)
        "new RO for avtech part 066-50008 serial 123 description hydraulic pump with seal "
        "work overhaul cost $1,500 eta 12/20 notes customer AOG, call at 3",
        "create_repair_order",
        {
            "shop_name": "avtech",
            "part_number": "066-50008",
            "serial_number": "123",
            "part_description": "hydraulic pump with seal",
            "required_work": "overhaul",
            "estimated_cost": "1500",
            "estimated_delivery": "2026-12-20",
            "notes": "customer AOG, call at 3",
        },
    ),
    (
        "open a new RO at Dallas Airmotive p/n 2206734 s/n AB-1 made yesterday dropped off today "
        "terms NET 30 shop ref Q-77 status TO SEND",
        "create_repair_order",
        {
            "shop_name": "Dallas Airmotive",
            "part_number": "2206734",
            "serial_number": "AB-1",
            "date_made": "2026-11-19",
            "date_dropped_off": "2026-11-20",
            "terms": "NET 30",
            "shop_ref": "Q-77",
            "status": "TO SEND",
        },
    ),
    (
        "new shop Precision Aero Components email repairs@precisionaero.test terms NET 30",
        "create_shop",
        {
            "name": "Precision Aero Components",
            "email": "repairs@precisionaero.test",
            "terms": "NET 30",
        },
    ),
    ("add a vendor Sky Accessories", "create_shop", {"name": "Sky Accessories"}),
    ("chase RO 38462", "draft_email", {"ro_number": "38462"}),
    ("email history for 38462", "email_history", {"ro_number": "38462"}),
    ("show pending drafts", "list_email_drafts", {}),
    # shops' replies (#16): the inbox and an RO's email thread
    ("what did shops say today?", "inbox", {"since": "today"}),
    ("any replies", "inbox", {}),
    ("anything from Avtech?", "inbox", {"shop": "Avtech"}),
    ("inbox", "inbox", {}),
    ("replies waiting for a decision", "inbox", {"state": "waiting"}),
    (
        "what did Dallas Airmotive say yesterday",
        "inbox",
        {"since": "yesterday", "shop": "Dallas Airmotive"},
    ),
    ("anything from Avtech since 2026-11-18", "inbox", {"since": "2026-11-18", "shop": "Avtech"}),
    (
        "anything new from Crane Aerospace this week?",
        "inbox",
        {"since": "this week", "shop": "Crane Aerospace"},
    ),
    ("email thread for G38462", "email_thread", {"ro_number": "38462"}),
    ("emails about 38462", "email_thread", {"ro_number": "38462"}),
    # asking to see mail is not asking for a new draft
    ("show RO 38106 and its emails", "email_thread", {"ro_number": "38106"}),
    ("show the emails of RO 38106", "email_thread", {"ro_number": "38106"}),
    ("draft an email for RO 38106", "draft_email", {"ro_number": "38106"}),
    ("show the conversation with the shop on RO 38462", "email_thread", {"ro_number": "38462"}),
    ("stock of starter generator", "search_inventory", {"query": "starter generator", "limit": 10}),
    ("find p/n 066-50008", "search_inventory", {"query": "066-50008", "limit": 10}),
    ("do we have any 066-50008", "search_inventory", {"query": "066-50008", "limit": 10}),
    ("low stock parts", "low_stock", {}),
    ("what needs reordering", "low_stock", {}),
    ("parts under 3 running low", "low_stock", {"threshold": 3}),
    ("what should we reorder?", "low_stock", {}),
    ("is excel up to date", "excel_status", {}),
    # #17: the ERP.aero source, for admins
    ("ERP sync status", "erp_sync_status", {}),
    ("when did the ERP last sync?", "erp_sync_status", {}),
    ("any problems with erp.aero", "erp_sync_status", {}),
    ("sync ERP now", "sync_erp", {}),
    ("pull the latest from ERP", "sync_erp", {}),
    ("sync the waiting changes to excel", "sync_excel", {"full": False}),
    ("rebuild the workbook", "sync_excel", {"full": True}),
    ("pending approvals please", "pending_approvals", {}),
    # the README's examples, on the demo data's ROs
    ("set RO 38018 to APPROVED", "update_status", {"ro_number": "38018", "new_status": "APPROVED"}),
    ("mark 38035 received", "update_status", {"ro_number": "38035", "new_status": "received"}),
    (
        "set ETA of RO 38011 to 2026-12-15",
        "update_repair_order",
        {"ro_number": "38011", "changes": {"estimated_delivery": "2026-12-15"}},
    ),
    ("archive RO 38035 to net", "archive_repair_order", {"ro_number": "38035", "archive": "NET"}),
    (
        "set 38021 and 38022 to APPROVED",
        "bulk_update_status",
        {"ro_numbers": ["38021", "38022"], "new_status": "APPROVED"},
    ),
    (
        "mark every SHIPPED RO at Sky Accessories received",
        "bulk_update_status",
        {"new_status": "RECEIVED", "status": "SHIPPED", "shop": "sky accessories"},
    ),
    ("draft a follow-up for RO 38018", "draft_email", {"ro_number": "38018"}),
    ("archive all RECEIVED ROs", "bulk_archive", {"status": "RECEIVED"}),
    (
        "use part 066-50008 on RO 38011",
        "use_part",
        {"part_number": "066-50008", "ro_number": "38011"},
    ),
    (
        "new RO for part 1706B at Avtech Hydraulics",
        "create_repair_order",
        {"part_number": "1706B", "shop_name": "Avtech Hydraulics"},
    ),
    (
        "anything at Fokker waiting on a quote for over a month?",
        "search_repair_orders",
        {"in_status_for_more_than_days": 30, "status": "WAITING QUOTE", "shop": "fokker"},
    ),
    (
        "which shop is slowest on flap actuators?",
        "report",
        {"kind": "turnaround", "period": "this year", "part": "flap actuators"},
    ),
]

# user administration (admins; the tools refuse anyone else)
CORPUS += [
    ("list users", "list_users", {}),
    ("users", "list_users", {}),
    ("show me the users", "list_users", {}),
    ("who has access?", "list_users", {}),
    ("sessions of sam@x.com", "user_sessions", {"email": "sam@x.com"}),
    ("show open sessions for Sam@X.com", "user_sessions", {"email": "sam@x.com"}),
    ("sam@x.com's sessions", "user_sessions", {"email": "sam@x.com"}),
    ("disable sam@x.com", "disable_user", {"email": "sam@x.com"}),
    ("please deactivate user sam@x.com", "disable_user", {"email": "sam@x.com"}),
    ("enable sam@x.com", "enable_user", {"email": "sam@x.com"}),
    ("re-enable the account of sam@x.com", "enable_user", {"email": "sam@x.com"}),
    ("make sam@x.com an approver", "set_user_role", {"email": "sam@x.com", "role": "approver"}),
    ("make sam@x.com admin", "set_user_role", {"email": "sam@x.com", "role": "admin"}),
    (
        "set role of sam@x.com to editor",
        "set_user_role",
        {"email": "sam@x.com", "role": "editor"},
    ),
    (
        "change the role for sam@x.com to a viewer",
        "set_user_role",
        {"email": "sam@x.com", "role": "viewer"},
    ),
    (
        "give sam@x.com the approver role",
        "set_user_role",
        {"email": "sam@x.com", "role": "approver"},
    ),
    ("revoke sessions of sam@x.com", "revoke_user_sessions", {"email": "sam@x.com"}),
    ("end all sessions for sam@x.com", "revoke_user_sessions", {"email": "sam@x.com"}),
    ("sign out sam@x.com", "revoke_user_sessions", {"email": "sam@x.com"}),
    ("log sam@x.com out everywhere", "revoke_user_sessions", {"email": "sam@x.com"}),
    (
        "revoke session Ab3xYz9Q of sam@x.com",
        "revoke_user_sessions",
        {"email": "sam@x.com", "session": "Ab3xYz9Q"},
    ),
]

# (request, what it does) — in the README's order.
README_EXAMPLES: list[tuple[str, str]] = [
    ("RO 38462", "looks up a repair order in any archive, with its history and related ROs"),
    ("show me RO 38462 history", "the same, its changes first"),
    ("is RO 38462 overdue?", "the same, with yes or no and its follow-up date first"),
    ("has RO 38462 shipped?", "the same, with yes or no from its status first"),
    ("what's overdue at Avtech?", "ROs past their follow-up date, at one shop"),
    ("which shop has the most overdue ROs?", "every match counted per shop (or status), charted"),
    (
        "which ROs came back this week?",
        "the ROs whose unit came back then (first received, or returned as is), whatever now",
    ),
    ("which ROs are waiting on a quote for more than 2 weeks", "by status and time in that status"),
    (
        "which ROs have been at the shop the longest?",
        "units at a shop, longest since drop-off first · **ROs at the shop more than 60 days**",
    ),
    ("ROs for part 1706B", "by part number (any spelling) · also serial, description words, notes"),
    ("shipped ROs with ETA passed", "ETA passed and not received"),
    (
        "shipped ROs with no tracking number",
        "blank fields: tracking number, ETA, cost, final cost, serial, shop ref, follow-up date",
    ),
    (
        "what are the open ROs at Avtech worth?",
        "any list's costs summed: final cost where there is one, else the estimate",
    ),
    ("the most expensive open ROs", "by cost, highest first (**cheapest** for lowest first)"),
    (
        "ROs due back before EOM",
        "dates as people say them: EOM, next Tuesday, 12/15, Q3, last month",
    ),
    ("ROs between 38000 and 38100", "RO number ranges"),
    (
        "what changed yesterday?",
        "every change to any RO that day, newest first, and who made them · **what did Jordan do"
        " this week** · **anything happen at Avtech today** · **who did the most this week**",
    ),
    ("more", "the next page of the last list"),
    ("returns", "an archive: returns, net, paid"),
    ("set RO 38018 to APPROVED", "a status change (you confirm)"),
    ("mark 38035 received", "the same, said another way"),
    (
        "mark 38035 shipped with tracking 1Z999AA10123",
        "the status, then (once it is done) the tracking number; you confirm each · "
        "**cancel RO 38035**",
    ),
    (
        "add a note to RO 38011: shop called, seal kit on order",
        "the line added under the RO's notes (you see old and new, and confirm)",
    ),
    (
        "set ETA of RO 38011 to 2026-12-15",
        "also cost, final cost, tracking, notes, shop ref, terms",
    ),
    ("archive RO 38035 to net", "move it where you say (or where its status and terms send it)"),
    ("set 38021 and 38022 to APPROVED", "many ROs, one card listing each (you confirm once)"),
    ("mark every SHIPPED RO at Sky Accessories received", "many ROs by a condition"),
    (
        "archive all RECEIVED ROs",
        "bulk archive: each to Net or Paid by its terms (or by age: older than 90 days)",
    ),
    ("shops", "the shop directory · **show shop Avtech**: its open ROs and scorecard"),
    (
        "set email of Avtech Hydraulics to repairs@avtech.example",
        "change a shop's email, phone, contact or terms (you confirm)",
    ),
    (
        "follow up with every shop that has overdue ROs",
        "one draft per shop listing its overdue ROs",
    ),
    ("draft a follow-up for RO 38018", "an email draft for one RO (an approver sends it)"),
    ("how much did we spend with each shop this year", "spend by shop (or by month), with a chart"),
    (
        "which shop is slowest on flap actuators?",
        "turnaround per shop (median, p90) · quote latency, on-time rate, BER/RAI/scrap rate",
    ),
    (
        "which shops send parts back without a valid 8130",
        "ROs received without a release certificate, or with one for another part/serial, per shop",
    ),
    (
        "send me the overdue list as Excel",
        "a list or report as a file (xlsx or csv); **export that** after any list or report",
    ),
    ("use part 066-50008 on RO 38011", "take one from stock for the RO (you confirm)"),
    ("new RO for part 1706B at Avtech Hydraulics", "open a repair order (you confirm)"),
    ("pending drafts", "email drafts waiting for approval · **email history**: sent and rejected"),
    (
        "what did shops say today?",
        "shops' replies and the updates they propose (an editor presses Confirm, Edit or Dismiss)"
        " · **anything from Avtech** · **email thread for RO 38018**",
    ),
    ("dashboard", "the figures, with charts"),
    ("find starter", "stock search by words or part number · **low stock**: parts to reorder"),
    ("pending approvals", "changes waiting for Confirm and drafts waiting for approval"),
    ("sync Excel", "rewrite the company workbook (approvers, you confirm) · **Excel status**"),
    ("help", "this list"),
]


def readme_table() -> str:
    rows = "\n".join(f"| `{request}` | {does} |" for request, does in README_EXAMPLES)
    return "| you type | it does |\n|---|---|\n" + rows


if __name__ == "__main__":
    print(readme_table())
