"""Domain packs: the seam for vertical domains. Finance is the flagship pack."""
