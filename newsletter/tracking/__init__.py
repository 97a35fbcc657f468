"""What recipients do with a message: tracked links and the click and open events
(``clicks``), and campaign statistics (``statistics``).

May import: campaigns and everything below it."""
