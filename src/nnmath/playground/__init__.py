"""The nnmath playground: a local web page that drives an nnmath Network (``nnmath playground``).

session.py holds the network, the data and the training in plain Python; app.py serves the
page and one WebSocket (Starlette, the ``playground`` extra); static/ holds the page itself.
"""
