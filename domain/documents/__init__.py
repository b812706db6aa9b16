"""Documents on repair orders: what a file is, whether we accept it, what a release certificate
says and whether it matches the RO. Pure rules here; the table and service live beside them.

    kinds         DocumentKind and a guess from a file's name and text
    files         file-name sanitising, allowed types by content (magic bytes), size limits
    certificates  typed certificate fields (each with source and confidence), part/serial
                  normalisation, certificate-vs-RO matching with a side-by-side description
    gate          the rule for RECEIVED and later: off / warn / enforce, approver override
"""
