"""The provider and agency side: accounts and access, roster, dashboard reads, grid writes, submission."""
