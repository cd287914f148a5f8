"""The serving stage: ``domainsft serve``, an OpenAI-compatible API in front of the analyst
(base model or a fine-tuned version), with Prometheus metrics (``domainsft.serve.metrics``) that
the Grafana dashboard and alert rules under ``deploy/`` read. Nothing is imported here, so that
``import domainsft.serve.metrics`` costs no FastAPI or model import.
"""
