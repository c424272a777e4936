"""Named agents of the agent inbox: accounts (hashed passwords) and server-side sign-in sessions."""
