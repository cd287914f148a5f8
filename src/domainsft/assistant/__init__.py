"""The answer pipeline: question understanding, retrieval, prompt, model, verifier, guard."""
