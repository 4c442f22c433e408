// Placeholder: the web client is being written.
