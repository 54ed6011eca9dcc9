"""Alert emails: building a message (``message``) is kept apart from sending it (``transport``),
so a message can be rendered, inspected and tested without any mail server."""
