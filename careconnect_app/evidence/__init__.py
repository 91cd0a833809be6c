"""Evidence anyone can verify: the deployment's keys, signed manifests, sealed PDFs, and the verification."""
