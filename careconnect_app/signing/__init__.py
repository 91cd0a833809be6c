"""The parent's side: signing links, one-time codes, the steps of the wizard, the signed evidence."""
