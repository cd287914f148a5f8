"""The answer pipeline: question understanding, retrieval, prompt, generation, numeric verifier,
citations, compliance guard, abstention."""
