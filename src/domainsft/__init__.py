"""domainsft: documents -> dataset -> training -> evaluation -> serving for vertical-domain SFT."""

__version__ = "0.1.0"
