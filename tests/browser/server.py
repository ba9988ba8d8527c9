"""The live server's one turn: it answers one request at a time, and a test that reads or writes
the database while a page's scripts may be asking the server something takes the turn first.

On SQLite the test database lives in memory and the server's threads share the test's one
connection: two users of it at once mix up each other's transactions and savepoints ("cannot start
a transaction within a transaction", "no such savepoint", a log-in answered 400)."""

import threading

ONE_AT_A_TIME = threading.RLock()
