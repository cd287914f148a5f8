from domainsft.cli import app

app()
