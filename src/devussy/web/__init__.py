"""What the serverless handlers in ``api/`` share: CORS, auth, body parsing and validation, JSON
error responses, the SSE sink (``APIStreamingHandler``), one function per endpoint, the route table
and the local dev server.

Modules are imported lazily by the handlers so that a cold start only pays for what it uses.
"""
