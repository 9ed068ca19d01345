"""Seoul Pass: who people and organizations are, how they sign in, and how they sign.

Accounts hold a custodial did:key sealed under the master key; passwords, passkeys and PINs
authenticate; sessions and operator tokens authorize; the DID registry on the ledger says which
keys spoke for whom and when.
"""
