"""What the two HTTP edges, the web pages (``blockcity.web``) and the API (``blockcity.api``),
share: the session cookie and who it signs in, reading an uploaded file, and a holder's identity
certificate as both show it.

It sits beside them, not inside either, so that the API never imports the web pages and the
web pages never import the API (DESIGN.md section 2: two thin siblings over the services).
"""
